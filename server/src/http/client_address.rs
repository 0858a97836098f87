//! The address a request comes from, for per-client rate limits.
//!
//! Behind a proxy every request's TCP peer is the proxy. Each proxy appends
//! the address it received the request from to `X-Forwarded-For`, so with
//! `TRUSTED_PROXY_HOPS = n` the n-th entry from the right was written by the
//! outermost trusted proxy and names the real client; anything to its left
//! was sent by the client and may be forged. With 0 (the default) the header
//! is ignored.

use std::net::IpAddr;

pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted_hops: usize) -> IpAddr {
    if trusted_hops == 0 {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let entries: Vec<&str> = header.split(',').map(str::trim).collect();
    entries
        .len()
        .checked_sub(trusted_hops)
        .and_then(|i| entries.get(i))
        .and_then(|e| e.parse().ok())
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(
            client_address(ip("10.0.0.9"), Some("1.2.3.4"), 0),
            ip("10.0.0.9")
        );
    }

    #[test]
    fn behind_one_proxy_the_rightmost_entry_is_the_client() {
        let peer = ip("10.0.0.9");
        assert_eq!(
            client_address(peer, Some("203.0.113.7"), 1),
            ip("203.0.113.7")
        );
        // A forged entry sits to the left of what the proxy appended.
        assert_eq!(
            client_address(peer, Some("6.6.6.6, 203.0.113.7"), 1),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(peer, Some("6.6.6.6, 203.0.113.7, 10.1.1.1"), 2),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn a_missing_or_short_or_garbled_header_falls_back_to_the_peer() {
        let peer = ip("10.0.0.9");
        assert_eq!(client_address(peer, None, 1), peer);
        assert_eq!(client_address(peer, Some("203.0.113.7"), 2), peer);
        assert_eq!(client_address(peer, Some("not-an-ip"), 1), peer);
    }
}
