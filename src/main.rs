//! `plugwire`: the command-line server, and client commands for scripts and smoke checks.
//! Everything but start-up lives in [`cli`].

mod cli;

use clap::Parser;

/// jemalloc, with its background thread, gives freed memory back to the system within seconds
/// even while the server idles; glibc's allocator kept all of it (after 10,000 sessions came
/// and went, `plugwire serve` stayed at its peak size).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    if let Err(error) = cli::init_logging(args.log.as_deref()) {
        eprintln!("bad log filter: {error}");
        return std::process::ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(cli::thread_cache::on_park)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("plugwire: could not start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args.command)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("plugwire: {}", cli::explain(&*error));
            std::process::ExitCode::FAILURE
        }
    }
}
