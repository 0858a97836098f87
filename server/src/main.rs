//! The `backend` binary; everything lives in the library.

/// mimalloc instead of glibc malloc: the request path allocates and frees
/// many small buffers, and glibc's allocator showed up as ~10 % of the
/// server's CPU under load (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    backend_server::cli::run().await
}
