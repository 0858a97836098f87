//! End-to-end: the real `backend serve` binary (or the deployment named by
//! `BACKEND_URL`), reached only through `backend-client`.

mod client_example;
mod correlation;
mod docs_ui;
mod hot_reload;
mod isolation;
mod lifecycle;
mod pod_smoke;
mod process;
mod readme;
mod sessions;
