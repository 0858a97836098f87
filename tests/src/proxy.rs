//! A TCP proxy that a test can cut or blackhole, to simulate a network
//! outage between the server and PostgreSQL or Redis without stopping the
//! shared services. Cut: every connection is dropped (the peer sees a reset).
//! Blackhole: connections stay open but no byte moves in either direction
//! until [`Proxy::heal`], as when a network path silently drops packets and
//! TCP keeps retransmitting; nothing is lost, it is only late.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinSet;

pub struct Proxy {
    pub port: u16,
    tasks: Arc<Mutex<JoinSet<()>>>,
    acceptor: tokio::task::JoinHandle<()>,
    blackholed: Arc<AtomicBool>,
}

/// Copies bytes from `from` to `to`, moving nothing while `blackholed` is set.
async fn forward(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    blackholed: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while blackholed.load(Ordering::Acquire) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        // Read while open, held while blackholed: the bytes arrive late, not never.
        while blackholed.load(Ordering::Acquire) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

impl Proxy {
    /// Forwards `127.0.0.1:<port>` to `upstream` (host:port).
    pub async fn start(upstream: String) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let tasks = Arc::new(Mutex::new(JoinSet::new()));
        let conns = tasks.clone();
        let blackholed = Arc::new(AtomicBool::new(false));
        let hole = blackholed.clone();
        let acceptor = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let hole = hole.clone();
                conns.lock().expect("proxy lock").spawn(async move {
                    if let Ok(outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let (in_read, in_write) = inbound.into_split();
                        let (out_read, out_write) = outbound.into_split();
                        tokio::join!(
                            forward(in_read, out_write, hole.clone()),
                            forward(out_read, in_write, hole),
                        );
                    }
                });
            }
        });
        Proxy {
            port,
            tasks,
            acceptor,
            blackholed,
        }
    }

    /// Stops moving bytes, without closing anything (new connections are
    /// accepted and hang too).
    pub fn blackhole(&self) {
        self.blackholed.store(true, Ordering::Release);
    }

    /// Lets the held bytes through again.
    pub fn heal(&self) {
        self.blackholed.store(false, Ordering::Release);
    }

    /// `url` with host and port replaced by this proxy's.
    pub fn url_through(&self, url: &str) -> String {
        let mut url = url::Url::parse(url).expect("URL");
        url.set_host(Some("127.0.0.1")).expect("host");
        url.set_port(Some(self.port)).expect("port");
        url.to_string()
    }

    /// Stops accepting and drops every open connection.
    pub fn cut(&self) {
        self.acceptor.abort();
        self.tasks.lock().expect("proxy lock").abort_all();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// `host:port` of a URL, for [`Proxy::start`].
pub fn upstream_of(url: &str, default_port: u16) -> String {
    let url = url::Url::parse(url).expect("URL");
    format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().unwrap_or(default_port)
    )
}
