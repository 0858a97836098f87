//! A TCP proxy that a test can cut, to simulate a network outage between the
//! server and PostgreSQL or Redis without stopping the shared services.

use std::sync::{Arc, Mutex};
use tokio::task::JoinSet;

pub struct Proxy {
    pub port: u16,
    tasks: Arc<Mutex<JoinSet<()>>>,
    acceptor: tokio::task::JoinHandle<()>,
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
        let acceptor = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                conns.lock().expect("proxy lock").spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Proxy {
            port,
            tasks,
            acceptor,
        }
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
