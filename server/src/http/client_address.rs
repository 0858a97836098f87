//! The address a request comes from, for per-client rate limits.
//!
//! Behind a proxy every request's TCP peer is the proxy. Each proxy appends
//! the address it received the request from to `X-Forwarded-For`, so with
//! `TRUSTED_PROXY_HOPS = n` the n-th entry from the right was written by the
//! outermost trusted proxy and names the real client; anything to its left
//! was sent by the client and may be forged. With 0 (the default) the header
//! is ignored.
//!
//! - Several `X-Forwarded-For` header lines are one list, in order (RFC 9110
//!   §5.3): a proxy may add its own line instead of appending to the first.
//! - An entry may carry a port (`203.0.113.7:4711`, `[2001:db8::1]:4711`,
//!   as some load balancers write it); the port is not part of the client.
//! - IPv6 clients are bucketed by their /64: one subscriber usually holds a
//!   whole /64 and can pick any address in it, so per-address buckets would
//!   give it 2^64 of them.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// Parses one entry: an address, with or without a port (IPv6 with a port in
/// brackets).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|e| e.strip_suffix(']'))
                .and_then(|e| e.parse().ok())
        })
}

/// The client of a request: `forwarded_for` holds every `X-Forwarded-For`
/// header line, in the order received.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted_hops: usize,
) -> IpAddr {
    if trusted_hops == 0 {
        return peer;
    }
    let entries: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    entries
        .len()
        .checked_sub(trusted_hops)
        .and_then(|i| entries.get(i))
        .and_then(|e| parse_entry(e))
        .map(|ip| match ip {
            // An IPv4 client seen through an IPv6 socket is the IPv4 client.
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        })
        .unwrap_or(peer)
}

/// The rate-limit bucket of a client: the address for IPv4, the /64 for IPv6.
pub fn bucket(client: IpAddr) -> String {
    match client {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let net = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", Ipv6Addr::from(net))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{bucket, client_address};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(
            client_address(ip("10.0.0.9"), ["1.2.3.4"], 0),
            ip("10.0.0.9")
        );
    }

    #[test]
    fn behind_one_proxy_the_rightmost_entry_is_the_client() {
        let peer = ip("10.0.0.9");
        assert_eq!(client_address(peer, ["203.0.113.7"], 1), ip("203.0.113.7"));
        // A forged entry sits to the left of what the proxy appended.
        assert_eq!(
            client_address(peer, ["6.6.6.6, 203.0.113.7"], 1),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(peer, ["6.6.6.6, 203.0.113.7, 10.1.1.1"], 2),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn every_header_line_counts_in_order() {
        let peer = ip("10.0.0.9");
        // The client's forged line first, the proxy's own line last.
        assert_eq!(
            client_address(peer, ["6.6.6.6", "203.0.113.7"], 1),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(peer, ["6.6.6.6, 203.0.113.7", "10.1.1.1"], 2),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn entries_with_ports_name_their_address() {
        let peer = ip("10.0.0.9");
        assert_eq!(
            client_address(peer, ["203.0.113.7:4711"], 1),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(peer, ["[2001:db8::1]:4711"], 1),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_address(peer, ["[2001:db8::1]"], 1),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn a_missing_or_short_or_garbled_header_falls_back_to_the_peer() {
        let peer = ip("10.0.0.9");
        assert_eq!(client_address(peer, [], 1), peer);
        assert_eq!(client_address(peer, ["203.0.113.7"], 2), peer);
        assert_eq!(client_address(peer, ["not-an-ip"], 1), peer);
    }

    #[test]
    fn ipv6_clients_share_their_64_and_ipv4_stays_per_address() {
        assert_eq!(bucket(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            bucket(ip("2001:db8:1:2:ffff::9")),
            bucket(ip("2001:db8:1:2::1"))
        );
        assert_ne!(bucket(ip("2001:db8:1:3::1")), bucket(ip("2001:db8:1:2::1")));
        assert_eq!(bucket(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(bucket(ip("::ffff:203.0.113.7")), "203.0.113.7");
    }
}
