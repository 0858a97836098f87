//! The `backend` binary; everything lives in the library.

/// mimalloc instead of glibc's malloc: the request path allocates and frees
/// many small objects across tokio's worker threads (A/B in
/// docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    backend_server::cli::run().await
}
