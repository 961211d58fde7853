//! Which client address a request comes from when servers sit behind a load balancer.
//!
//! The join-code guess limit counts per client address. Behind a load balancer every
//! connection comes from the balancer, so the whole class would share one budget: a few
//! typos could lock everyone out for a minute. A balancer says who its client was in
//! `X-Forwarded-For`, but anyone can send that header, so it is believed only from
//! peers the operator lists (`shipshape serve --trusted-proxy`). Then the client is the
//! rightmost address in the header that is not itself a trusted proxy, the usual rule:
//! each proxy appends the address it received the request from, so entries left of the
//! first untrusted one may be forged by the client.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;

/// One trusted network: an address and a prefix length (`10.0.0.0/8`, `::1/128`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `ip` is inside this network (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, what a dual-stack socket reports) as
/// the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for Network {
    type Err = String;

    /// `ADDRESS` (one host) or `ADDRESS/BITS`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, bits)) => (address, Some(bits)),
            None => (text, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or ADDRESS/BITS network"))?;
        let address = canonical(address);
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(bits) => bits
                .parse::<u8>()
                .ok()
                .filter(|bits| *bits <= max)
                .ok_or_else(|| {
                    format!("`{text}`: the prefix length must be a number from 0 to {max}")
                })?,
        };
        Ok(Self { address, prefix })
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

/// The proxies whose `X-Forwarded-For` is believed (none by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<Network>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(ip))
    }

    /// The client's address: the TCP peer, unless the peer is a trusted proxy, in which
    /// case the rightmost `X-Forwarded-For` entry that is not a trusted proxy (or the
    /// leftmost entry, if all are). Unparsable entries end the walk: what lies left of
    /// them cannot be trusted either.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        let entries = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect::<Vec<_>>();
        for entry in entries.iter().rev() {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                break;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn trusted(networks: &[&str]) -> TrustedProxies {
        TrustedProxies(networks.iter().map(|n| n.parse().unwrap()).collect())
    }

    #[test]
    fn networks_parse_and_contain() {
        let net: Network = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped");
        assert!(!net.contains(ip("fd00::1")));
        let host: Network = "127.0.0.1".parse().unwrap();
        assert_eq!(host.to_string(), "127.0.0.1/32");
        assert!(
            "0.0.0.0/0"
                .parse::<Network>()
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
        let v6: Network = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::7")));
        for bad in ["10.0.0.0/33", "ten", "10.0.0.0/x", "::/129", ""] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_peer() {
        let none = TrustedProxies::default();
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            none.client(ip("198.51.100.1"), &headers),
            ip("198.51.100.1")
        );
        let proxies = trusted(&["10.0.0.0/8"]);
        assert_eq!(
            proxies.client(ip("198.51.100.1"), &headers),
            ip("198.51.100.1"),
            "a direct client cannot pick its address"
        );
        assert_eq!(proxies.client(ip("10.0.0.5"), &headers), ip("203.0.113.9"));
    }

    #[test]
    fn the_rightmost_untrusted_entry_wins() {
        let proxies = trusted(&["10.0.0.0/8"]);
        // The client forged the first entry; the balancer appended the real address,
        // then an inner proxy its own.
        let headers = forwarded(&["1.2.3.4, 203.0.113.9", "10.0.0.7"]);
        assert_eq!(proxies.client(ip("10.0.0.5"), &headers), ip("203.0.113.9"));
        // Everything trusted: the leftmost entry.
        let headers = forwarded(&["10.9.9.9, 10.0.0.7"]);
        assert_eq!(proxies.client(ip("10.0.0.5"), &headers), ip("10.9.9.9"));
        // Garbage stops the walk at the last good entry to its right.
        let headers = forwarded(&["203.0.113.9, unknown, 10.0.0.7"]);
        assert_eq!(proxies.client(ip("10.0.0.5"), &headers), ip("10.0.0.7"));
        // No header: the proxy itself.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), &HeaderMap::new()),
            ip("10.0.0.5")
        );
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_and_round_trips(text in ".{0,48}") {
            if let Ok(network) = text.parse::<Network>() {
                proptest::prop_assert_eq!(network.to_string().parse::<Network>(), Ok(network));
            }
        }

        #[test]
        fn a_network_contains_its_own_address(a: u32, bits in 0u8..=32) {
            let address = IpAddr::V4(a.into());
            let network: Network = format!("{address}/{bits}").parse().unwrap();
            proptest::prop_assert!(network.contains(address));
        }

        #[test]
        fn any_header_gives_an_address_and_untrusted_peers_keep_theirs(
            header in "[ -~]{0,80}",
            peer: u32,
        ) {
            let Ok(value) = HeaderValue::from_str(&header) else {
                return Ok(());
            };
            let mut headers = HeaderMap::new();
            headers.insert("x-forwarded-for", value);
            let peer = IpAddr::V4(peer.into());
            let proxies = trusted(&["10.0.0.0/8"]);
            let client = proxies.client(peer, &headers);
            if !proxies.trusts(peer) {
                proptest::prop_assert_eq!(client, peer);
            }
        }
    }
}
