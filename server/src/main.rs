//! The `backend` binary; everything lives in the library.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    backend_server::cli::run().await
}
