//! Where webhooks may be sent: http(s) URLs of public hosts. A private or loopback target would
//! let an org admin make the server probe its own network, so it is refused unless the
//! operator allows it (`SHAREWELL_ALLOW_PRIVATE_WEBHOOK_TARGETS`, for tests and intranets).
//! The check is made when an endpoint is saved and again for every address a delivery
//! connects to, so a name that later resolves to a private address is refused too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::domain::DomainError;

/// The longest endpoint URL accepted.
pub const MAX_URL_LENGTH: usize = 2048;

/// Whether private targets are allowed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    pub allow_private: bool,
}

/// Checks an endpoint URL as saved: http or https, a host, no fragment, and (unless allowed)
/// not a private address or `localhost`. Names are resolved when delivering.
pub fn check_url(text: &str, policy: TargetPolicy) -> Result<url::Url, DomainError> {
    let invalid = |message: &str| DomainError::invalid("url", message.to_owned());
    let text = text.trim();
    if text.len() > MAX_URL_LENGTH {
        return Err(invalid("must be at most 2048 characters"));
    }
    let url = url::Url::parse(text).map_err(|_| {
        invalid("must be an absolute http or https URL, like https://example.com/hooks")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must use http or https"));
    }
    if url.fragment().is_some() {
        return Err(invalid("must not have a #fragment"));
    }
    let Some(host) = url.host() else {
        return Err(invalid("must name a host"));
    };
    if !policy.allow_private {
        let private = match host {
            url::Host::Ipv4(address) => !is_public(IpAddr::V4(address)),
            url::Host::Ipv6(address) => !is_public(IpAddr::V6(address)),
            url::Host::Domain(name) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || name.ends_with(".localhost")
            }
        };
        if private {
            return Err(invalid(
                "must be a public address: private, loopback and link-local targets are refused",
            ));
        }
    }
    Ok(url)
}

/// Whether a delivery may connect to `address`.
pub fn may_connect(address: IpAddr, policy: TargetPolicy) -> bool {
    policy.allow_private || is_public(address)
}

/// Whether an address is reachable on the public internet: not loopback, private, link-local,
/// shared (carrier NAT), unspecified, broadcast, multicast, documentation or reserved.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(address: Ipv4Addr) -> bool {
    let [a, b, c, _] = address.octets();
    !(address.is_loopback()
        || address.is_private()
        || address.is_link_local()
        || address.is_unspecified()
        || address.is_broadcast()
        || address.is_multicast()
        || address.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    let first = address.segments()[0];
    !(address.is_loopback()
        || address.is_unspecified()
        || address.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || first == 0x2001 && address.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && address.segments()[1] == 0xff9b) // NAT64 of any IPv4
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: TargetPolicy = TargetPolicy { allow_private: false };

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for address in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(address.parse().unwrap()), "{address}");
        }
        for address in ["1.1.1.1", "93.184.216.34", "2606:4700::1111", "::ffff:1.1.1.1"] {
            assert!(is_public(address.parse().unwrap()), "{address}");
        }
    }

    #[test]
    fn only_public_http_urls_are_accepted_unless_private_targets_are_allowed() {
        assert!(check_url("https://hooks.example.com/in", STRICT).is_ok());
        for refused in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "not a url",
            "http://localhost:8080/",
            "http://api.localhost/",
            "http://127.0.0.1/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data",
            "https://example.com/#frag",
        ] {
            assert!(check_url(refused, STRICT).is_err(), "{refused}");
        }
        let open = TargetPolicy { allow_private: true };
        assert!(check_url("http://127.0.0.1:9000/hook", open).is_ok());
        assert!(check_url("ftp://127.0.0.1/", open).is_err());
    }
}
