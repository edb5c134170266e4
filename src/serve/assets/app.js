// briefs serve: progressive enhancement only. The page works without this
// file: every bar of the timeline is a link to its month or year. Here:
// dragging across bars picks a range, and "/" focuses the search box.
(function () {
  'use strict';

  var chart = document.querySelector('svg.timeline-chart');
  if (chart) {
    var bars = Array.prototype.slice.call(chart.querySelectorAll('a.bar'));
    var start = -1;
    var end = -1;
    var dragged = false;
    var swallowClick = false;

    var mark = function () {
      var lo = Math.min(start, end);
      var hi = Math.max(start, end);
      bars.forEach(function (bar, i) {
        bar.classList.toggle('sel', start >= 0 && i >= lo && i <= hi);
      });
    };

    var barAt = function (x, y) {
      var el = document.elementFromPoint(x, y);
      while (el && el !== chart) {
        var i = bars.indexOf(el);
        if (i >= 0) { return i; }
        el = el.parentNode;
      }
      return -1;
    };

    bars.forEach(function (bar, i) {
      bar.addEventListener('pointerdown', function (event) {
        if (event.button !== 0) { return; }
        start = i;
        end = i;
        dragged = false;
        mark();
        // No link dragging or text selection while picking a range.
        event.preventDefault();
      });
      bar.addEventListener('click', function (event) {
        if (swallowClick) {
          event.preventDefault();
          swallowClick = false;
        }
      });
    });

    document.addEventListener('pointermove', function (event) {
      if (start < 0) { return; }
      var i = barAt(event.clientX, event.clientY);
      if (i >= 0 && i !== end) {
        end = i;
        dragged = dragged || i !== start;
        mark();
      }
    });

    document.addEventListener('pointerup', function (event) {
      if (start < 0) { return; }
      var i = barAt(event.clientX, event.clientY);
      if (i >= 0) { end = i; dragged = dragged || i !== start; }
      var first = bars[Math.min(start, end)];
      var last = bars[Math.max(start, end)];
      var wasDrag = dragged;
      start = -1;
      end = -1;
      if (wasDrag) {
        swallowClick = true;
        var url = new URL(chart.getAttribute('data-base'), window.location.href);
        url.searchParams.set('since', first.getAttribute('data-since'));
        url.searchParams.set('until', last.getAttribute('data-until'));
        window.location.assign(url.toString());
      } else {
        mark();
      }
    });
  }

  document.addEventListener('keydown', function (event) {
    var tag = document.activeElement ? document.activeElement.tagName : '';
    if (event.key === '/' && tag !== 'INPUT' && tag !== 'SELECT' && tag !== 'TEXTAREA') {
      var box = document.querySelector('input[name=q]');
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    }
  });
})();
