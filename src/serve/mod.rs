//! `briefs serve`: a local web page and JSON API over the same search core
//! as the command line.
//!
//! Analysts filter by clicking rather than by typing flags, so the page
//! shows what the CLI prints as text (facet counts, dates, the brief behind
//! a passage) as things to click. It adds nothing to ranking or counting:
//! every answer comes from [`crate::search`], and `/api/search` returns the
//! very JSON of `briefs search --format json`.
//!
//! - [`http`]: the bounded HTTP/1.1 server (GET and HEAD only);
//! - [`live`]: the index, reopened when a `briefs index` run commits;
//! - [`params`]: URL parameters checked into a search, and back into URLs;
//! - [`api`] and [`pages`]: JSON and HTML answers (HTML from maud
//!   templates, which escape every value unless told otherwise);
//! - `assets/`: the stylesheet, a small script and the icon, compiled
//!   into the binary: nothing is fetched from anywhere else.
//!
//! The page works without JavaScript: every state (query, filters, dates,
//! page) is a GET URL, the "more" expanders are `<details>` elements and
//! the timeline's bars are links. The script only adds dragging over the
//! timeline to pick a range, and `/` to focus the search box.
//!
//! Safety: by default the server listens on 127.0.0.1 only, and then also
//! refuses requests whose `Host` is not a loopback name (a web page cannot
//! reach it through DNS rebinding). Brief keys in URLs are looked up in
//! the index, never opened as files, so `../` cannot reach anything; every
//! text from briefs is escaped, and the Content-Security-Policy allows no
//! inline script, so a `<script>` in a brief is only ever text.

mod api;
pub mod http;
pub mod live;
mod pages;
pub mod params;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use crate::index::IndexError;
use crate::search::timeline::{self, Timeline};
use crate::search::{self, FilterResolver, SearchError, SearchRequest, SearchResults};
use http::{Request, Response};
use live::{Generation, LiveIndex, Resolved};
use params::{FilterDim, Params};

pub use http::Limits;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("cannot start the server threads: {0}")]
    Threads(#[source] std::io::Error),
}

/// What a server serves and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub index: PathBuf,
    /// Where `actors.toml` and `countries.toml` are, for resolving filter values.
    pub corpus: PathBuf,
    /// Port 0 picks a free port.
    pub addr: SocketAddr,
    pub limits: Limits,
}

/// A running server.
pub struct Server {
    running: http::Running,
}

impl Server {
    /// Opens the index, binds the address and starts answering.
    pub fn start(options: ServeOptions) -> Result<Server, ServeError> {
        let live = LiveIndex::open(&options.index)?;
        let listener = TcpListener::bind(options.addr).map_err(|source| ServeError::Bind {
            addr: options.addr,
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: options.addr,
            source,
        })?;
        let app = Arc::new(App {
            live,
            corpus: options.corpus,
            addr,
            extractor: std::sync::Mutex::new(None),
        });
        let handler: Arc<http::Handler> = Arc::new(move |request: &Request| app.handle(request));
        let running = http::start(listener, options.limits, handler).map_err(ServeError::Threads)?;
        Ok(Server { running })
    }

    /// The address the server listens on (with the port it got).
    pub fn addr(&self) -> SocketAddr {
        self.running.addr()
    }

    /// The URL of the page.
    pub fn url(&self) -> String {
        let addr = self.addr();
        let host = if addr.ip().is_unspecified() {
            match addr.ip() {
                IpAddr::V4(_) => "127.0.0.1".to_string(),
                IpAddr::V6(_) => "[::1]".to_string(),
            }
        } else {
            match addr.ip() {
                IpAddr::V4(ip) => ip.to_string(),
                IpAddr::V6(ip) => format!("[{ip}]"),
            }
        };
        format!("http://{host}:{}/", addr.port())
    }

    /// Serves until the process ends.
    pub fn wait(self) {
        self.running.wait();
    }

    /// Stops the server and waits for requests in flight.
    pub fn stop(self) {
        self.running.stop();
    }
}

/// Everything a request needs.
struct App {
    live: LiveIndex,
    corpus: PathBuf,
    addr: SocketAddr,
    /// The extractor that explains facets on brief pages, loaded when first
    /// needed and again when the index was built with another gazetteer.
    extractor: std::sync::Mutex<Option<Arc<crate::entities::Extractor>>>,
}

/// An answer: a status and a message, as JSON or as a page.
#[derive(Debug, Clone)]
pub struct Failure {
    pub status: u16,
    pub message: String,
}

impl Failure {
    pub fn new(status: u16, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
        }
    }
}

impl From<params::ParamError> for Failure {
    fn from(err: params::ParamError) -> Failure {
        Failure::new(400, err.0)
    }
}

impl From<SearchError> for Failure {
    fn from(err: SearchError) -> Failure {
        match err {
            SearchError::Index(e) => Failure::new(500, format!("the index could not be read: {e}")),
            other => Failure::new(400, other.to_string()),
        }
    }
}

impl App {
    fn handle(&self, request: &Request) -> Response {
        if !self.host_allowed(request.host.as_deref()) {
            return Response::text(
                403,
                "this server answers only requests addressed to 127.0.0.1 or localhost \
                 (start it with --bind to serve other names)",
            );
        }
        let path = request.path.as_str();
        let response = match path {
            "/" => pages::search_page(self, &request.query),
            "/api/search" => api::search(self, &request.query),
            "/api/facets" => api::facets(self, &request.query),
            "/api/brief" => api::brief(self, &request.query),
            "/static/style.css" => asset("text/css; charset=utf-8", include_str!("assets/style.css")),
            "/static/app.js" => asset("text/javascript; charset=utf-8", include_str!("assets/app.js")),
            "/static/favicon.svg" | "/favicon.ico" => asset("image/svg+xml", include_str!("assets/favicon.svg")),
            _ => match path.strip_prefix("/brief/") {
                Some(rest) => pages::brief_page(self, rest, &request.query),
                None if path.starts_with("/api/") => api::error(&Failure::new(404, format!("no API at {path}"))),
                None => pages::error_page(self, &Failure::new(404, "no such page")),
            },
        };
        response.with_header(
            "Cache-Control",
            if path.starts_with("/static/") || path == "/favicon.ico" {
                "public, max-age=3600"
            } else {
                "no-cache"
            },
        )
    }

    /// With the default loopback address, only loopback names may be asked
    /// for: a page on another site that points a name of its own at
    /// 127.0.0.1 (DNS rebinding) is refused. A server given `--bind` to
    /// another address answers any name it is reached by.
    fn host_allowed(&self, host: Option<&str>) -> bool {
        if !self.addr.ip().is_loopback() {
            return true;
        }
        let Some(host) = host else {
            return true;
        };
        let host = host.to_ascii_lowercase();
        let (name, port) = match host.strip_prefix('[') {
            Some(rest) => match rest.split_once(']') {
                Some((name, after)) => (name.to_string(), after.strip_prefix(':')),
                None => return false,
            },
            None => match host.rsplit_once(':') {
                Some((name, port)) => (name.to_string(), Some(port)),
                None => (host.clone(), None),
            },
        };
        let loopback_name = name == "localhost"
            || name.ends_with(".localhost")
            || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        let port_ok = port.is_none_or(|p| p.parse::<u16>() == Ok(self.addr.port()));
        loopback_name && port_ok
    }

    /// Resolves the filter values of `params` as `briefs search` does,
    /// caching what needed the gazetteer.
    fn resolve(&self, generation: &Generation, params: &Params) -> Result<Vec<ActiveFilter>, SearchError> {
        let resolver = FilterResolver::new(&generation.open, &self.corpus);
        let mut out = Vec::with_capacity(params.filters.len());
        for (dim, raw) in &params.filters {
            let key = *dim as u8;
            let resolved = match generation.cached(key, raw) {
                Some(resolved) => resolved,
                None => {
                    let resolved = match dim {
                        FilterDim::Country => Resolved::Country(resolver.country(raw)?),
                        FilterDim::Region => Resolved::Region(match index_region(generation, raw)? {
                            Some(path) => path,
                            None => resolver.region(raw)?,
                        }),
                        FilterDim::Actor => Resolved::Actor(resolver.actor(raw)?),
                    };
                    generation.remember(key, raw, resolved.clone());
                    resolved
                }
            };
            out.push(ActiveFilter {
                dim: *dim,
                raw: raw.clone(),
                resolved,
            });
        }
        Ok(out)
    }

    /// The search request of `params`, its filters resolved.
    fn request(
        &self,
        generation: &Generation,
        params: &Params,
    ) -> Result<(SearchRequest, Vec<ActiveFilter>), SearchError> {
        let filters = self.resolve(generation, params)?;
        let mut request = SearchRequest {
            query: params.q.clone(),
            any: params.any,
            limit: params.limit,
            offset: params.offset,
            per_brief: params.per_brief,
            since: params.since.as_ref().map(|(_, d)| *d),
            until: params.until.as_ref().map(|(_, d)| *d),
            scope: params.scope,
            sort: params.sort,
            facets: params.facets,
            facet_limit: params.facet_limit,
            corpus: Some(self.corpus.clone()),
            ..SearchRequest::default()
        };
        for filter in &filters {
            match &filter.resolved {
                Resolved::Country(c) => request.countries.push(c.clone()),
                Resolved::Region(r) => request.regions.push(r.clone()),
                Resolved::Actor(a) => request.actors.push(a.clone()),
            }
        }
        Ok((request, filters))
    }

    /// Runs a search, and its timeline when asked.
    fn run(&self, generation: &Generation, params: &Params) -> Result<Outcome, SearchError> {
        let (request, filters) = self.request(generation, params)?;
        let results = search::search(&generation.open, &request)?;
        let timeline = if params.timeline {
            Some(timeline_of(generation, &request)?)
        } else {
            None
        };
        Ok(Outcome {
            results,
            timeline,
            filters,
        })
    }
}

/// The timeline of a request, over every date: the histogram shows what
/// lies outside the chosen range, as a facet's counts ignore its own filter.
fn timeline_of(generation: &Generation, request: &SearchRequest) -> Result<Timeline, SearchError> {
    let undated = SearchRequest {
        since: None,
        until: None,
        ..request.clone()
    };
    timeline::timeline(&generation.open, &undated)
}

/// A region given as the index names it: a path (`Asia/Southern Asia`,
/// as the page's links give it) or the name of one region of the index.
/// Other names (`South Asia`) go through the gazetteer.
fn index_region(generation: &Generation, value: &str) -> Result<Option<Vec<String>>, SearchError> {
    let facets = generation.index_facets()?;
    let regions = || facets.iter().filter(|f| f.facet == "region");
    if value.contains('/') {
        return Ok(regions()
            .find(|f| f.path.as_deref() == Some(value))
            .map(|_| value.split('/').map(str::to_string).collect()));
    }
    let mut named = regions().filter(|f| f.value == value);
    match (named.next(), named.next()) {
        (Some(only), None) => Ok(only.path.as_ref().map(|p| p.split('/').map(str::to_string).collect())),
        _ => Ok(None),
    }
}

/// A filter of the request: as given in the URL and as resolved.
#[derive(Debug, Clone)]
pub struct ActiveFilter {
    pub dim: FilterDim,
    pub raw: String,
    pub resolved: Resolved,
}

impl ActiveFilter {
    /// The name shown, and compared with facet values.
    pub fn display(&self) -> String {
        match &self.resolved {
            Resolved::Country(c) => c.clone(),
            Resolved::Region(r) => r.last().cloned().unwrap_or_default(),
            Resolved::Actor(a) => a.name.clone(),
        }
    }

    /// The value as facet lists give it: a region's full path.
    pub fn facet_key(&self) -> String {
        match &self.resolved {
            Resolved::Region(r) => r.join("/"),
            _ => self.display(),
        }
    }
}

/// What a search produced.
pub struct Outcome {
    pub results: SearchResults,
    pub timeline: Option<Timeline>,
    pub filters: Vec<ActiveFilter>,
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    Response::new(200, content_type, body.as_bytes())
}

/// Percent-encodes a brief key for a `/brief/` URL, keeping `/`.
pub fn brief_href(key: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    format!("/brief/{}", percent_encoding::utf8_percent_encode(key, SEGMENT))
}

/// Decodes and checks the brief key of a `/brief/` URL or `path=`
/// parameter. Keys are looked up in the index and never opened as files;
/// a key that could only mean a way out of the corpus is refused anyway,
/// with a message, rather than looked up.
pub fn brief_key(raw: &str, encoded: bool) -> Result<String, Failure> {
    let key = if encoded {
        percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| Failure::new(400, "the brief path is not valid UTF-8 once decoded"))?
            .into_owned()
    } else {
        raw.to_string()
    };
    if key.is_empty() {
        return Err(Failure::new(400, "no brief path given"));
    }
    let escapes = key.starts_with('/')
        || key.contains('\\')
        || key.contains('\0')
        || key
            .split('/')
            .any(|part| part == ".." || part == "." || part.is_empty());
    if escapes {
        return Err(Failure::new(
            400,
            "a brief path is relative to the corpus, as search results give it (no leading /, no . or .. parts)",
        ));
    }
    Ok(key)
}

/// Finds brief `key`, or says which keys come close.
/// A brief's record and passages, with what text made each facet found
/// again (as `briefs show` does), and its title's entities.
type FoundBrief = (
    crate::index::BriefRecord,
    Vec<crate::index::StoredPassage>,
    crate::entities::PassageEntities,
);

impl App {
    fn extractor(&self, generation: &Generation) -> Result<Arc<crate::entities::Extractor>, Failure> {
        let mut cached = self.extractor.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(x) = cached.as_ref() {
            if x.gazetteer.fingerprint() == generation.open.state.gazetteer {
                return Ok(x.clone());
            }
        }
        let gazetteer = crate::entities::Gazetteer::load(Some(&self.corpus))
            .map_err(|e| Failure::new(500, format!("loading the gazetteer: {e}")))?;
        let x = Arc::new(crate::entities::Extractor::new(gazetteer));
        *cached = Some(x.clone());
        Ok(x)
    }
}

fn find_brief(app: &App, generation: &Generation, key: &str) -> Result<FoundBrief, Failure> {
    let stored = generation.open.stored();
    match crate::index::catch_panic(|| stored.brief(key)) {
        Ok(Some((record, mut passages))) => {
            let extractor = app.extractor(generation)?;
            let title = crate::index::documents::explain(&record, &mut passages, &extractor);
            Ok((record, passages, title))
        }
        Ok(None) => {
            let known = crate::index::brief_keys(&generation.open).unwrap_or_default();
            let near = search::nearest(key, known.iter().map(String::as_str));
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", near.join(", "))
            };
            Err(Failure::new(404, format!("no brief {key:?} in the index{hint}")))
        }
        Err(e) => Err(Failure::new(500, format!("the index could not be read: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brief_keys_cannot_leave_the_corpus() {
        assert_eq!(brief_key("a%2Fb%20c.txt", true).ok().as_deref(), Some("a/b c.txt"));
        assert_eq!(
            brief_key("briefs.jsonl%23r7", true).ok().as_deref(),
            Some("briefs.jsonl#r7")
        );
        for bad in [
            "../etc/passwd",
            "%2e%2e/%2e%2e/etc/passwd",
            "a/../../b",
            "/etc/passwd",
            "%2Fetc%2Fpasswd",
            "a\\..\\b",
            "a%00b",
            "",
            "a//b",
            "%FF",
        ] {
            assert!(brief_key(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn brief_hrefs_round_trip() {
        for key in ["a.txt", "sub dir/b#1.md", "ünï/c?d&e.txt", "x%41.txt"] {
            let href = brief_href(key);
            let rest = href.strip_prefix("/brief/").expect("prefix");
            assert!(!rest.contains(['#', '?', ' ', '&']), "{href}");
            assert_eq!(brief_key(rest, true).ok().as_deref(), Some(key));
        }
    }
}
