//! A small HTTP/1.1 load generator for `scripts/bench-service.sh` (loopback only).
//!
//! Open loop at a fixed rate (`--rate N`): request k is due at start + k/N and its latency is
//! measured from that due time, so a slow server cannot hide queueing (no coordinated omission).
//! Closed loop (`--rate 0`): every connection sends as fast as answers come back.
//!
//! `loadgen --addr 127.0.0.1:18090 --token T --mode create|list --site-id S --rate 1000 --secs 10 [--warmup 2]`

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Opts {
    addr: String,
    token: String,
    mode: String,
    site_id: String,
    rate: u64,
    secs: u64,
    /// Seconds of load before the measured `secs` (not counted).
    warmup: u64,
    connections: u64,
}

fn parse() -> Result<Opts, String> {
    let mut o = Opts {
        addr: "127.0.0.1:18090".into(),
        token: String::new(),
        mode: "list".into(),
        site_id: String::new(),
        rate: 1000,
        secs: 10,
        warmup: 0,
        connections: 32,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: not a number"))
        };
        match flag.as_str() {
            "--addr" => o.addr = value.clone(),
            "--token" => o.token = value.clone(),
            "--mode" => o.mode = value.clone(),
            "--site-id" => o.site_id = value.clone(),
            "--rate" => o.rate = number()?,
            "--secs" => o.secs = number()?,
            "--warmup" => o.warmup = number()?,
            "--connections" => o.connections = number()?.max(1),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if !matches!(
        o.addr.split(':').next(),
        Some("127.0.0.1" | "localhost" | "[::1]")
    ) {
        return Err("loadgen only targets loopback addresses".into());
    }
    Ok(o)
}

fn request(o: &Opts, n: u64) -> Vec<u8> {
    let (method, path, body) = match o.mode.as_str() {
        "create" => (
            "POST",
            "/api/v1/work-orders".to_string(),
            format!(
                r#"{{"title":"bench {n}","site_id":"{}","priority":"medium","estimated_duration_min":45}}"#,
                o.site_id
            ),
        ),
        _ => (
            "GET",
            "/api/v1/work-orders?status=open&limit=50&sort=-created_at".to_string(),
            String::new(),
        ),
    };
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\n",
        o.addr,
        o.token,
        body.len()
    );
    if !body.is_empty() {
        head += "Content-Type: application/json\r\n";
    }
    head += "\r\n";
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// Reads one response; returns its status.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(status)
}

// One thread: the generator shares the machine with the server and Postgres, and its
// connections only wait on sockets; a single-threaded runtime costs the least CPU and no
// cross-thread wake-ups (latency is still measured from each request's due time).
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let opts = match parse() {
        Ok(o) => Arc::new(o),
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    // Requests of the warm-up run like the others but are not counted: the measurement
    // starts with the server's database connections open and its statements prepared.
    let warm = Instant::now() + Duration::from_millis(100);
    let start = warm + Duration::from_secs(opts.warmup);
    let end = start + Duration::from_secs(opts.secs);
    let errors = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for worker in 0..opts.connections {
        let (opts, errors) = (opts.clone(), errors.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let Ok(mut stream) = TcpStream::connect(&opts.addr).await else {
                errors.fetch_add(1, Ordering::Relaxed);
                return latencies;
            };
            let _ = stream.set_nodelay(true);
            let mut buf = Vec::new();
            let mut k = worker;
            loop {
                let due = if opts.rate > 0 {
                    warm + Duration::from_secs_f64(k as f64 / opts.rate as f64)
                } else {
                    Instant::now().max(warm)
                };
                if due >= end {
                    break;
                }
                tokio::time::sleep_until(due.into()).await;
                let ok = stream.write_all(&request(&opts, k)).await.is_ok()
                    && matches!(read_response(&mut stream, &mut buf).await, Ok(200..=299));
                if ok && due >= start {
                    latencies.push(due.elapsed().as_secs_f64() * 1000.0);
                } else if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                    match TcpStream::connect(&opts.addr).await {
                        Ok(s) => stream = s,
                        Err(_) => break,
                    }
                }
                k += opts.connections;
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap_or_default());
    }
    let elapsed = start
        .elapsed()
        .as_secs_f64()
        .min(opts.secs as f64)
        .max(0.001);
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "mode={} rate={} connections={} ok={} errors={} throughput={:.0}/s p50={:.2}ms p90={:.2}ms p99={:.2}ms max={:.2}ms",
        opts.mode,
        if opts.rate == 0 { "max".to_string() } else { opts.rate.to_string() },
        opts.connections,
        all.len(),
        errors.load(Ordering::Relaxed),
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        all.last().copied().unwrap_or(f64::NAN)
    );
}
