//! The HTTP front (`HTTP_FRONT=on`): a second HTTP/1.1 layer, in this
//! process, that answers on `BIND_ADDRESS` and forwards every request over
//! loopback to dropshot.
//!
//! dropshot 0.18 makes each request's id itself and answers its router's
//! errors (no route, a path that does not decode, a method outside RFC
//! 9110's eight) before any code of this project runs, and it has no hook
//! for either. The front is where both can be changed:
//!
//! - a valid inbound `X-Request-Id` (`telemetry::correlation::valid_request_id`)
//!   becomes the `x-request-id` of the response and the `request_id` of its
//!   error envelope; anything else leaves dropshot's id in both;
//! - an error in dropshot's body shape gets the envelope ([`envelope`]).
//!
//! It costs a second parse and a loopback round trip per request (measured
//! in `docs/performance.md`), hence off by default. One upstream connection
//! follows each inbound one, so dropshot sees the same connections, one for
//! one; the client's address reaches it as one more `X-Forwarded-For` entry
//! (`Settings::forwarded_for_hops`).

mod envelope;
mod forward;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use slog::{Logger, info, warn};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running front.
pub struct Front {
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    accepting: JoinHandle<()>,
}

impl Front {
    /// Binds `bind` and forwards what arrives there to `upstream` (dropshot's
    /// loopback address).
    pub async fn start(
        bind: SocketAddr,
        upstream: SocketAddr,
        log: Logger,
    ) -> std::io::Result<Front> {
        let listener = TcpListener::bind(bind).await?;
        let local_addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let accepting = tokio::spawn(accept(listener, upstream, log, stopped));
        Ok(Front {
            local_addr,
            stop,
            accepting,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, then waits for every connection to finish the
    /// request it is on (idle ones are closed at once).
    pub async fn close(self) {
        let _ = self.stop.send(());
        let _ = self.accepting.await;
    }
}

async fn accept(
    listener: TcpListener,
    upstream: SocketAddr,
    log: Logger,
    mut stopped: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // Like dropshot's own: the timer bounds how long a request head may take.
    http.timer(TokioTimer::new());
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let upstream = forward::Upstream::new(upstream, peer, log.clone());
                    let connection = http.serve_connection(TokioIo::new(stream), upstream);
                    tokio::spawn(graceful.watch(connection));
                }
                // A connection that failed before it was accepted is its own
                // affair; running out of descriptors passes with time.
                Err(e) => {
                    warn!(log, "front: accept failed"; "error" => %e);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            _ = &mut stopped => break,
        }
    }
    drop(listener);
    info!(log, "front: draining connections");
    graceful.shutdown().await;
}
