//! Load test: a `plugwire serve` process and, beside it, a raw echo server process on the same
//! transports with the same framing, measured side by side, and a table printed.
//!
//! For each transport (WebSocket, IPC, QUIC): p50/p99 of a `RequestDeviceList` round trip with
//! one request in flight (plugwire and echo requests interleaved), throughput with 32 in
//! flight on one connection (six rounds alternating between plugwire and the echo; the ratio
//! is the median of the rounds'), the ratios plugwire ÷ echo, and the resident memory each
//! idle session costs (N sessions, handshake done; RSS of the server process from
//! `/proc/PID/status` before and after).
//!
//! The echo server answers every frame with the exact frame plugwire answered (the device
//! list), written the same way (every ready reply fed, one flush), so both sides move the same
//! bytes and the ratio measures plugwire's own work.
//!
//! ```sh
//! cargo build --release --bin plugwire --example load
//! target/release/examples/load                  # N = 1,000 idle sessions per transport
//! target/release/examples/load --scale          # also 10,000 mixed sessions, then abrupt drops (twice)
//! target/release/examples/load --only ws        # one transport (ws, ipc or quic), in the crowd too
//! target/release/examples/load --scale-only     # the crowds alone, from a fresh server
//! ```
//!
//! Linux only (it reads `/proc`). The scale run needs about 10,000 file descriptors in each
//! process (`ulimit -n 20000`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{FutureExt, SinkExt, StreamExt, stream};
use plugwire::connect::{AnyDialer, AnyListener, ConnectOptions, ConnectionUrl};
use plugwire::core::{BoxTransport, Establish, Frame, Listener};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The echo server runs in this process: it gets the allocator `plugwire` has, so that both
/// hand freed memory back alike and the idle-memory columns compare the same thing (with
/// glibc's allocator the echo reused what its throughput run had freed, and 1,000 idle
/// sessions seemed to cost it nothing).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const HANDSHAKE: &str = r#"[{"RequestServerInfo":{"Id":1,"ClientName":"load","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#;
const IN_FLIGHT: usize = 32;
const LATENCY_REQUESTS: usize = 2_000;
/// Rounds of the throughput measurement, and requests per server in each.
const THROUGHPUT_ROUNDS: usize = 6;
const ROUND_REQUESTS: usize = 20_000;
/// Connections dialled at once while opening many sessions.
const DIAL_CONCURRENCY: usize = 64;
const TRANSPORTS: [&str; 3] = ["ws", "ipc", "quic"];
/// `plugwire serve`'s log, in the run's temporary directory.
const PLUGWIRE_LOG: &str = "plugwire.log";

fn request(id: u32) -> Frame {
    Frame::Text(Bytes::from(format!(
        r#"[{{"RequestDeviceList":{{"Id":{id}}}}}]"#
    )))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--echo-server") {
        return echo_server(&args[1..]).await;
    }
    // --scale-only: the crowds alone, from a freshly started server (nothing measured before).
    let scale_only = args.iter().any(|a| a == "--scale-only");
    let scale = scale_only || args.iter().any(|a| a == "--scale");
    let sessions = match args.iter().position(|a| a == "--sessions") {
        Some(at) => args.get(at + 1).ok_or("--sessions N")?.parse()?,
        None => 1_000,
    };
    let dir = tempfile::tempdir()?;
    let mut options = ConnectOptions {
        data_dir: Some(dir.path().to_owned()),
        ..ConnectOptions::default()
    };
    // These clients only read when they expect a reply, so they would never see the answers
    // to their own liveness probes: a session left waiting while slower dials finish (a
    // second crowd's QUIC handshakes take seconds here) would count itself dead after 15 s.
    options.websocket.liveness_timeout = Duration::ZERO;
    options.ipc.liveness_timeout = Duration::ZERO;

    let mut plugwire = spawn_plugwire(dir.path(), sessions.max(10_000) + 100).await?;
    // The reply the echo server sends back: exactly what plugwire answers.
    let reply = {
        let mut transport = dial(&plugwire.urls[0], &options).await?;
        handshake(&mut transport).await?;
        transport.send(request(2)).await?;
        frame_bytes(transport.next().await.ok_or("no reply")??)
    };
    let reply_file = dir.path().join("reply.json");
    std::fs::write(&reply_file, &reply)?;
    let mut echo = spawn_echo(dir.path(), &reply_file).await?;

    println!(
        "{} sessions per transport for idle memory; reply frame {} bytes\n",
        sessions,
        reply.len()
    );
    println!(
        "| transport | p50 plugwire / echo | p99 plugwire / echo | p50 ratio | preempted per request (1 in flight) plugwire / echo | throughput (32 in flight) plugwire / echo | throughput ratio | server CPU µs/request plugwire / echo | idle KiB/session plugwire / echo |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|at| args.get(at + 1));
    for (index, name) in TRANSPORTS.iter().enumerate() {
        if scale_only || only.is_some_and(|only| only != name) {
            continue;
        }
        let (p, e) = (&plugwire.urls[index], &echo.urls[index]);
        let preempted_before = [preemptions(plugwire.pid)?, preemptions(echo.pid)?];
        let (p_lat, e_lat) = latency(p, e, &options).await?;
        let latency_requests = (LATENCY_REQUESTS + LATENCY_REQUESTS / 10) as f64;
        let [p_pre, e_pre] = [
            (preemptions(plugwire.pid)? - preempted_before[0]) as f64 / latency_requests,
            (preemptions(echo.pid)? - preempted_before[1]) as f64 / latency_requests,
        ];
        let ([p_tp, e_tp], tp_ratio) =
            throughput([plugwire.pid, echo.pid], [p, e], &options).await?;
        let p_mem = idle_memory(plugwire.pid, p, &options, sessions).await?;
        let e_mem = idle_memory(echo.pid, e, &options, sessions).await?;
        println!(
            "| {name} | {:.1} / {:.1} µs | {:.1} / {:.1} µs | {:.2} | {:.2} / {:.2} | {:.0} / {:.0} req/s | {:.2} | {:.2} / {:.2} | {:.1} / {:.1} |",
            p_lat.0,
            e_lat.0,
            p_lat.1,
            e_lat.1,
            p_lat.0 / e_lat.0,
            p_pre,
            e_pre,
            p_tp.rate(),
            e_tp.rate(),
            tp_ratio,
            p_tp.cpu_us(),
            e_tp.cpu_us(),
            p_mem,
            e_mem
        );
    }
    if scale {
        // Twice: memory the first crowd left behind must be reused by the second, not added to.
        let log = dir.path().join(PLUGWIRE_LOG);
        for wave in 1..=2 {
            println!("\nscale, wave {wave} of 2:");
            scale_run(&plugwire, &log, &options, 10_000, only).await?;
        }
    }
    let _ = plugwire.child.kill().await;
    let _ = echo.child.kill().await;
    Ok(())
}

/// A server process and its listening URLs, in the order of [`TRANSPORTS`].
struct Spawned {
    child: Child,
    pid: u32,
    urls: Vec<ConnectionUrl>,
}

async fn spawn_plugwire(dir: &Path, max_connections: usize) -> Result<Spawned, Error> {
    let binary = std::env::var_os("PLUGWIRE_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            // target/release/examples/load -> target/release/plugwire
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.join("plugwire"))
        })
        .ok_or("cannot find the plugwire binary; set PLUGWIRE_BIN")?;
    let mut command = Command::new(binary);
    command.args([
        "serve",
        "--websocket-port",
        "0",
        "--quic-port",
        "0",
        // Idle sessions are the point here; the raw clients answer no liveness probes.
        "--liveness-timeout",
        "0",
    ]);
    command
        .arg("--ipc")
        .arg(dir.join("plugwire.sock"))
        .arg("--data-dir")
        .arg(dir)
        .arg("--max-connections")
        .arg(max_connections.to_string())
        // The crowd comes from one address, all at once: the per-source handshake bound that
        // keeps a stranger's idle sockets from crowding others out would drop its own.
        .arg("--max-handshakes-per-source")
        .arg(max_connections.to_string());
    // Measured at the default log level, as users run it; its log (three lines per session)
    // goes to a file rather than the terminal.
    let log = std::fs::File::create(dir.join(PLUGWIRE_LOG))?;
    command.stderr(log);
    spawn(command).await
}

async fn spawn_echo(dir: &Path, reply: &Path) -> Result<Spawned, Error> {
    let mut command = Command::new(std::env::current_exe()?);
    command.arg("--echo-server").arg(reply).arg(dir);
    spawn(command).await
}

/// Starts `command` and reads the `... listening on URL` lines it prints.
async fn spawn(mut command: Command) -> Result<Spawned, Error> {
    let mut child = command.stdout(Stdio::piped()).kill_on_drop(true).spawn()?;
    let pid = child.id().ok_or("child exited")?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let mut urls: Vec<Option<ConnectionUrl>> = vec![None, None, None];
    while urls.iter().any(Option::is_none) {
        let line = lines.next_line().await?.ok_or("server exited early")?;
        let Some(url) = line.strip_prefix("plugwire listening on ") else {
            continue;
        };
        let url = url.split_whitespace().next().unwrap_or(url);
        let scheme = url.split("://").next().unwrap_or("");
        if let Some(slot) = TRANSPORTS.iter().position(|t| *t == scheme) {
            urls[slot] = Some(url.parse()?);
        }
    }
    // Keep draining its output so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(Spawned {
        child,
        pid,
        urls: urls.into_iter().flatten().collect(),
    })
}

async fn dial(url: &ConnectionUrl, options: &ConnectOptions) -> Result<BoxTransport, Error> {
    Ok(AnyDialer::new(url, options)?.establish().await?)
}

async fn handshake(transport: &mut BoxTransport) -> Result<(), Error> {
    transport.send(Frame::Text(HANDSHAKE.into())).await?;
    transport.next().await.ok_or("closed during handshake")??;
    Ok(())
}

fn frame_bytes(frame: Frame) -> Bytes {
    match frame {
        Frame::Text(bytes) | Frame::Binary(bytes) => bytes,
    }
}

/// p50 and p99 in µs, one request in flight, of the server at `url` and of the echo at
/// `echo_url`, their requests interleaved (one to each in turn) so that whatever else the
/// machine does falls on both alike.
async fn latency(
    url: &ConnectionUrl,
    echo_url: &ConnectionUrl,
    options: &ConnectOptions,
) -> Result<((f64, f64), (f64, f64)), Error> {
    let mut servers = [dial(url, options).await?, dial(echo_url, options).await?];
    let mut samples = [
        Vec::with_capacity(LATENCY_REQUESTS),
        Vec::with_capacity(LATENCY_REQUESTS),
    ];
    for transport in &mut servers {
        handshake(transport).await?;
    }
    for id in 0..(LATENCY_REQUESTS + LATENCY_REQUESTS / 10) {
        for (transport, samples) in servers.iter_mut().zip(&mut samples) {
            let started = Instant::now();
            transport.send(request(id as u32 + 2)).await?;
            transport.next().await.ok_or("closed")??;
            // The first tenth warms up.
            if id >= LATENCY_REQUESTS / 10 {
                samples.push(started.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    let [mut server, mut echo] = samples;
    Ok((percentiles(&mut server), percentiles(&mut echo)))
}

/// p50 and p99 of `samples`.
fn percentiles(samples: &mut [f64]) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.5), at(0.99))
}

/// What one server did in the throughput rounds.
#[derive(Default)]
struct Throughput {
    requests: usize,
    seconds: f64,
    cpu_ns: u64,
}

impl Throughput {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// CPU time the server spent per request, in µs: steadier than the rate on a shared
    /// machine, as it does not count time spent waiting for the other processes.
    fn cpu_us(&self) -> f64 {
        self.cpu_ns as f64 / 1_000.0 / self.requests as f64
    }
}

/// Throughput with [`IN_FLIGHT`] requests in flight on one connection to plugwire and one to
/// the echo (processes `pids`, at `urls`), measured in [`THROUGHPUT_ROUNDS`] rounds that
/// alternate between the two and swap which goes first, so a change in what the machine is
/// doing falls on both. Returns each one's totals and the median of the rounds' ratios.
async fn throughput(
    pids: [u32; 2],
    urls: [&ConnectionUrl; 2],
    options: &ConnectOptions,
) -> Result<([Throughput; 2], f64), Error> {
    let mut transports = [dial(urls[0], options).await?, dial(urls[1], options).await?];
    for transport in &mut transports {
        handshake(transport).await?;
    }
    let mut totals = [Throughput::default(), Throughput::default()];
    let mut ratios = Vec::with_capacity(THROUGHPUT_ROUNDS);
    for round in 0..THROUGHPUT_ROUNDS {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut rates = [0.0; 2];
        for which in order {
            let cpu_before = cpu_ns(pids[which])?;
            let started = Instant::now();
            pipelined(&mut transports[which], ROUND_REQUESTS).await?;
            let seconds = started.elapsed().as_secs_f64();
            let total = &mut totals[which];
            total.requests += ROUND_REQUESTS;
            total.seconds += seconds;
            total.cpu_ns += cpu_ns(pids[which])?.saturating_sub(cpu_before);
            rates[which] = ROUND_REQUESTS as f64 / seconds;
        }
        ratios.push(rates[0] / rates[1]);
    }
    ratios.sort_by(f64::total_cmp);
    let median = (ratios[(ratios.len() - 1) / 2] + ratios[ratios.len() / 2]) / 2.0;
    Ok((totals, median))
}

/// Sends `count` requests on `transport`, keeping [`IN_FLIGHT`] in flight (each batch of
/// replies that has arrived is answered with as many new requests, written before one
/// flush), and waits for every reply.
async fn pipelined(transport: &mut BoxTransport, count: usize) -> Result<(), Error> {
    let mut id = 2u32;
    let first = IN_FLIGHT.min(count);
    for _ in 0..first {
        transport.feed(request(id)).await?;
        id += 1;
    }
    transport.flush().await?;
    let (mut sent, mut received) = (first, 0);
    while received < count {
        transport.next().await.ok_or("closed")??;
        let mut arrived = 1;
        while received + arrived < count {
            match transport.next().now_or_never() {
                Some(Some(reply)) => {
                    reply?;
                    arrived += 1;
                }
                _ => break,
            }
        }
        received += arrived;
        let more = arrived.min(count - sent);
        for _ in 0..more {
            transport.feed(request(id)).await?;
            id = id.wrapping_add(1).max(2);
        }
        sent += more;
        transport.flush().await?;
    }
    Ok(())
}

/// Opens `count` sessions to `url` (handshake done), at most [`DIAL_CONCURRENCY`] at a time.
async fn open_sessions(
    url: &ConnectionUrl,
    options: &ConnectOptions,
    count: usize,
) -> Result<Vec<BoxTransport>, Error> {
    stream::iter(0..count)
        .map(|_| async {
            let mut transport = dial(url, options).await?;
            handshake(&mut transport).await?;
            Ok::<_, Error>(transport)
        })
        .buffer_unordered(DIAL_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// Resident KiB each idle session costs the server process `pid`.
async fn idle_memory(
    pid: u32,
    url: &ConnectionUrl,
    options: &ConnectOptions,
    count: usize,
) -> Result<f64, Error> {
    let before = rss_kib(pid)?;
    let sessions = open_sessions(url, options, count).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kib(pid)?;
    drop(sessions);
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(after.saturating_sub(before) as f64 / count as f64)
}

/// `count` sessions over all three transports at once, every one asking at the same time, then
/// all dropped without a goodbye; prints whether every one was answered and whether session
/// tasks (counted in the server's `log`), file descriptors and memory came back.
async fn scale_run(
    server: &Spawned,
    log: &Path,
    options: &ConnectOptions,
    count: usize,
    only: Option<&String>,
) -> Result<(), Error> {
    let (rss_start, fds_start) = (rss_kib(server.pid)?, fd_count(server.pid)?);
    let open_start = SessionCounts::read(log)?.open();
    let anon_start = status_kib(server.pid, "RssAnon:")?;
    let started = Instant::now();
    let mut sessions = Vec::with_capacity(count);
    let crowd: Vec<&ConnectionUrl> = TRANSPORTS
        .iter()
        .zip(&server.urls)
        .filter(|(name, _)| only.is_none_or(|only| only == *name))
        .map(|(_, url)| url)
        .collect();
    if crowd.is_empty() {
        return Err("--only names no transport (ws, ipc or quic)".into());
    }
    for (index, url) in crowd.iter().enumerate() {
        let share = count / crowd.len() + usize::from(index < count % crowd.len());
        sessions.extend(open_sessions(url, options, share).await?);
    }
    let opened = started.elapsed();
    let (rss_open, fds_open) = (rss_kib(server.pid)?, fd_count(server.pid)?);
    let open_peak = SessionCounts::read(log)?.open();
    // Every session asks at once; each must be answered.
    let asked = Instant::now();
    let answered = stream::iter(sessions.iter_mut())
        .map(|transport| async move {
            transport.send(request(2)).await.ok()?;
            tokio::time::timeout(Duration::from_secs(60), transport.next())
                .await
                .ok()??
                .ok()
        })
        .buffer_unordered(count)
        .filter(|answer| std::future::ready(answer.is_some()))
        .count()
        .await;
    let answer_time = asked.elapsed();
    // Abrupt disconnects: no Buttplug goodbye, no WebSocket close, no QUIC close frame.
    drop(sessions);
    let settle = Instant::now();
    let fds_end = watch(
        settle,
        Duration::from_secs(60),
        Duration::from_millis(200),
        || fd_count(server.pid),
        |fds| *fds <= fds_start,
    )
    .await?;
    let fds_settled = settle.elapsed();
    // Every session task ends, logging that it did (a QUIC peer's silence takes the idle
    // timeout to notice).
    let open_end = watch(
        settle,
        Duration::from_secs(60),
        Duration::from_millis(200),
        || Ok(SessionCounts::read(log)?.open()),
        |open| *open <= open_start,
    )
    .await?;
    let sessions_settled = settle.elapsed();
    // The allocator gives freed memory back over seconds, not at once: watch for up to 30 s.
    let rss_end = watch(
        settle,
        Duration::from_secs(30),
        Duration::from_millis(500),
        || rss_kib(server.pid),
        |rss| *rss as f64 <= rss_start as f64 * 1.1,
    )
    .await?;
    let anon_end = status_kib(server.pid, "RssAnon:")?;
    println!(
        "{count} sessions ({}) opened in {:.1} s; {answered}/{count} answered when all asked at once ({:.2} s)",
        only.map_or("ws/ipc/quic mixed", String::as_str),
        opened.as_secs_f64(),
        answer_time.as_secs_f64()
    );
    println!(
        "after {count} abrupt disconnects: sessions open {open_start} -> {open_peak} -> {open_end} (settled in {:.1} s)",
        sessions_settled.as_secs_f64()
    );
    println!(
        "after {count} abrupt disconnects: fds {fds_start} -> {fds_open} -> {fds_end} (settled in {:.1} s); RSS {rss_start} -> {rss_open} -> {rss_end} KiB ({:+.1} % of start, {:.1} s after the drop)",
        fds_settled.as_secs_f64(),
        (rss_end as f64 - rss_start as f64) / rss_start as f64 * 100.0,
        settle.elapsed().as_secs_f64()
    );
    // The rest of RSS is the program's own code and libraries, paged in the first time the
    // crowd ran them: not freed memory, and shared with every other copy of the program.
    println!(
        "  of which anonymous (heap, stacks): {anon_start} -> {anon_end} KiB ({:+.1} % of the start's RSS)",
        (anon_end as f64 - anon_start as f64) / rss_start as f64 * 100.0
    );
    Ok(())
}

/// Reads `read` every `every` until what it read is `done` or `limit` has passed since
/// `since`, and returns the last reading.
async fn watch<T>(
    since: Instant,
    limit: Duration,
    every: Duration,
    read: impl Fn() -> Result<T, Error>,
    done: impl Fn(&T) -> bool,
) -> Result<T, Error> {
    let mut value = read()?;
    while !done(&value) && since.elapsed() < limit {
        tokio::time::sleep(every).await;
        value = read()?;
    }
    Ok(value)
}

/// Sessions `plugwire serve` has logged as started and as ended.
struct SessionCounts {
    started: usize,
    ended: usize,
}

impl SessionCounts {
    fn read(log: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(log)?;
        Ok(Self {
            started: text.matches("session started").count(),
            ended: text.matches("session ended").count(),
        })
    }

    /// Sessions whose task is still running.
    fn open(&self) -> usize {
        self.started.saturating_sub(self.ended)
    }
}

fn rss_kib(pid: u32) -> Result<u64, Error> {
    status_kib(pid, "VmRSS:")
}

/// One `... kB` line of `/proc/PID/status`, in KiB.
fn status_kib(pid: u32, field: &str) -> Result<u64, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status_field(&status, field)
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))?
        .parse()
        .map_err(Into::into)
}

/// The first word after `field` in a `/proc` status file's text.
fn status_field<'a>(status: &'a str, field: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|value| value.split_whitespace().next())
}

/// The sum over the threads of process `pid` of what `value` reads in each thread's
/// `/proc/PID/task/TID/FILE`.
fn sum_over_threads(
    pid: u32,
    file: &str,
    value: impl Fn(&str) -> Result<u64, Error>,
) -> Result<u64, Error> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        // A thread may end between listing and reading.
        let Ok(text) = std::fs::read_to_string(task?.path().join(file)) else {
            continue;
        };
        total += value(&text)?;
    }
    Ok(total)
}

/// CPU time the process `pid` has run, in nanoseconds: the sum over its threads of the first
/// field of `/proc/PID/task/TID/schedstat`.
fn cpu_ns(pid: u32) -> Result<u64, Error> {
    sum_over_threads(pid, "schedstat", |stat| {
        Ok(stat
            .split_whitespace()
            .next()
            .ok_or("empty schedstat")?
            .parse()?)
    })
}

/// How many times the threads of process `pid` were preempted (taken off the CPU while they
/// could still run): the sum of `nonvoluntary_ctxt_switches` over `/proc/PID/task/*/status`.
/// On a small shared machine a round trip whose server thread is preempted takes several
/// times longer, and it is this, not the server's work, that moves a run's p50.
fn preemptions(pid: u32) -> Result<u64, Error> {
    sum_over_threads(pid, "status", |status| {
        Ok(status_field(status, "nonvoluntary_ctxt_switches:").map_or(Ok(0), str::parse)?)
    })
}

fn fd_count(pid: u32) -> Result<usize, Error> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))?.count())
}

/// The raw echo server: answers every frame with the reply in the file given, over the same
/// transports and framing as plugwire, writing every ready reply before one flush.
async fn echo_server(args: &[String]) -> Result<(), Error> {
    let [reply, dir] = args else {
        return Err("--echo-server REPLY_FILE DIR".into());
    };
    let reply = Frame::Text(Bytes::from(std::fs::read(reply)?));
    let mut options = ConnectOptions {
        data_dir: Some(PathBuf::from(dir)),
        ..ConnectOptions::default()
    };
    // As plugwire is run here: no liveness probes (the idle clients would not answer them),
    // so neither side pays for them on every frame.
    options.set_liveness_timeout(Duration::ZERO);
    let urls = [
        "ws://127.0.0.1:0".to_owned(),
        format!("ipc://{dir}/echo.sock"),
        "quic://127.0.0.1:0".to_owned(),
    ];
    let mut tasks = Vec::new();
    for url in urls {
        let listener = AnyListener::bind(&url.parse()?, &options).await?;
        println!("plugwire listening on {}", listener.describe());
        let reply = reply.clone();
        tasks.push(tokio::spawn(echo(listener, reply)));
    }
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

async fn echo(listener: AnyListener, reply: Frame) {
    while let Ok((pending, _)) = listener.accept().await {
        let reply = reply.clone();
        tokio::spawn(async move {
            let Ok(mut transport) = pending.await else {
                return;
            };
            while let Some(Ok(_)) = transport.next().await {
                if transport.feed(reply.clone()).await.is_err() {
                    return;
                }
                while let Some(Some(Ok(_))) = transport.next().now_or_never() {
                    if transport.feed(reply.clone()).await.is_err() {
                        return;
                    }
                }
                if transport.flush().await.is_err() {
                    return;
                }
            }
        });
    }
}
