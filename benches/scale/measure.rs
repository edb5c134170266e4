//! Measuring child processes: wall time, CPU time and peak RSS of exactly
//! one process, and percentiles.
//!
//! Why child processes: a build's peak RSS and CPU seconds must belong to
//! that build alone. `getrusage(RUSAGE_CHILDREN)` would fold every earlier
//! child together and keep the maximum RSS of any of them, so each child is
//! reaped with `wait4`, which returns the rusage of that one process.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one finished child process cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub wall: Duration,
    /// User plus system CPU time.
    pub cpu: Duration,
    /// Peak resident set size in bytes (`ru_maxrss`): anonymous memory plus
    /// the file pages the process has mapped, such as index segments a merge
    /// reads through mmap (page cache the kernel can take back).
    pub max_rss: u64,
    /// Peak anonymous resident memory in bytes (heap, stacks), sampled from
    /// `/proc/PID/status` every 20 ms: what the process itself holds.
    pub max_anon: u64,
}

/// Output of a measured child.
pub struct Finished {
    pub usage: Usage,
    pub stdout: Vec<u8>,
}

/// `RssAnon` of a live process, in bytes.
fn rss_anon(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Samples `RssAnon` of `pid` until `stop` is set; returns the maximum.
fn sample_anon(pid: u32, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut peak = 0;
        while !stop.load(Ordering::Relaxed) {
            peak = peak.max(rss_anon(pid).unwrap_or(0));
            std::thread::sleep(Duration::from_millis(20));
        }
        peak
    })
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
}

/// Runs `cmd` to completion and measures it. Stdout is captured, or written
/// to `stdout_file` when given (for large outputs such as `briefs export`).
/// Panics with the command and its stderr when it fails: a benchmark whose
/// step failed has no figure to report.
pub fn run(cmd: &mut Command, stdout_file: Option<&Path>) -> Finished {
    let described = format!("{cmd:?}");
    match stdout_file {
        Some(path) => {
            let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
            cmd.stdout(Stdio::from(file));
        }
        None => {
            cmd.stdout(Stdio::piped());
        }
    }
    cmd.stderr(Stdio::piped()).stdin(Stdio::null());
    let start = Instant::now();
    // Reaped below by wait4, not Child::wait, which would drop the rusage.
    #[allow(clippy::zombie_processes)]
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {described}: {e}"));
    let stop_sampling = Arc::new(AtomicBool::new(false));
    let anon_sampler = sample_anon(child.id(), Arc::clone(&stop_sampling));
    let mut stderr = child.stderr.take().expect("piped stderr");
    let stderr_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let mut stdout = Vec::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_end(&mut stdout).expect("read child stdout");
    }
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 writes into
    // the two locals only.
    let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut rusage) };
    let wall = start.elapsed();
    stop_sampling.store(true, Ordering::Relaxed);
    let max_anon = anon_sampler.join().unwrap_or(0);
    assert_eq!(reaped, pid, "wait4 {described}: {}", std::io::Error::last_os_error());
    let stderr = stderr_reader.join().unwrap_or_default();
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    assert!(
        ok,
        "{described} failed (status {status}):\n{}",
        String::from_utf8_lossy(&stderr)
    );
    Finished {
        usage: Usage {
            wall,
            cpu: timeval(rusage.ru_utime) + timeval(rusage.ru_stime),
            // Linux reports ru_maxrss in KiB.
            max_rss: rusage.ru_maxrss as u64 * 1024,
            max_anon,
        },
        stdout,
    }
}

/// The median of each figure over several runs (each figure on its own).
pub fn median_usage(runs: &[Usage]) -> Usage {
    let med = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut rss: Vec<u64> = runs.iter().map(|u| u.max_rss).collect();
    rss.sort();
    let mut anon: Vec<u64> = runs.iter().map(|u| u.max_anon).collect();
    anon.sort();
    Usage {
        wall: med(runs.iter().map(|u| u.wall).collect()),
        cpu: med(runs.iter().map(|u| u.cpu).collect()),
        max_rss: rss[rss.len() / 2],
        max_anon: anon[anon.len() / 2],
    }
}

/// Latency percentiles of a sample, in seconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub samples: usize,
}

/// Nearest-rank percentiles.
pub fn percentiles(samples: &[f64]) -> Percentiles {
    if samples.is_empty() {
        return Percentiles::default();
    }
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Percentiles {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        samples: v.len(),
    }
}

/// Bytes of every file under `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(_) => e.metadata().map_or(0, |m| m.len()),
            Err(_) => 0,
        })
        .sum()
}
