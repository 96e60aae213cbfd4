//! `sharewell`: serve the service, migrate its database, administer it.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    limit_malloc_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let cli = server::cli::Cli::parse();
        server::telemetry::init();
        match server::cli::run(cli).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        }
    })
}

/// glibc gives every thread that allocates its own malloc arena, up to eight per core, and
/// keeps what each arena once held. The server has many threads (the runtime's, and one per
/// SQLite connection), so after a burst of large pages much of its resident memory was free
/// space in idle arenas. With one arena (`make bench`, 1M shares): 74 MB after the page load
/// instead of 82 MB with two, at the same throughput: small allocations come from each
/// thread's own cache without touching the arena. Set before any
/// thread starts; `MALLOC_ARENA_MAX` in the environment wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; it is called here before any other
        // thread exists, as glibc asks of it.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}
