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
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "must not carry a user name or password (user:password@host): every delivery is \
             signed, so receivers verify the signature; if yours needs a credential as well, put \
             a token in the path, such as https://example.com/hooks/<token>",
        ));
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
/// shared (carrier NAT), unspecified, broadcast, multicast, documentation or reserved. An IPv6
/// address that carries an IPv4 one the network may route to (mapped, compatible, 6to4, NAT64)
/// is as public as that IPv4 address.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:0:0/96`), IPv4-compatible (`::/96`, also
/// `::1` and `::`, whose embedded 0.0.0.x is not public either), 6to4 (`2002::/16`) or
/// well-known NAT64 (`64:ff9b::/96`) address.
fn embedded_v4(address: Ipv6Addr) -> Option<Ipv4Addr> {
    let segments = address.segments();
    let last = |high: u16, low: u16| {
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    match segments {
        [0, 0, 0, 0, 0, 0xffff, high, low] | [0, 0, 0, 0, 0, 0, high, low] => Some(last(high, low)),
        [0x0064, 0xff9b, 0, 0, 0, 0, high, low] => Some(last(high, low)),
        [0x2002, high, low, ..] => Some(last(high, low)),
        _ => None,
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
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    let [first, second, ..] = address.segments();
    !(address.is_loopback()
        || address.is_unspecified()
        || address.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside some sites)
        || first == 0x2001 && second == 0x0db8 // documentation
        || first == 0x2001 && second == 0x0000 // Teredo: a tunnel to an IPv4 host
        // NAT64 outside the well-known /96 (the local-use 64:ff9b:1::/48 and the rest)
        || first == 0x0064 && second == 0xff9b)
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
            "64:ff9b::127.0.0.1",
            "64:ff9b:1::808:808",
            "64:ff9b:1:2::1",
            "::127.0.0.1",
            "::10.0.0.1",
            "::169.254.169.254",
            "2002:7f00:1::",
            "2002:a00:1::1",
            "2002:c0a8:101::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "fec0::1",
            "feff::1",
            "192.88.99.1",
        ] {
            assert!(!is_public(address.parse().unwrap()), "{address}");
        }
        for address in [
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
            "::1.1.1.1",
            "2002:101:101::1",
            "64:ff9b::1.1.1.1",
            "2001:4860::8888",
        ] {
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
            "http://[::127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://[2001::1]/",
            "http://[fec0::1]/",
            "http://[64:ff9b:1::a00:1]/",
            "http://192.88.99.1/",
            "http://169.254.169.254/latest/meta-data",
            "https://example.com/#frag",
        ] {
            assert!(check_url(refused, STRICT).is_err(), "{refused}");
        }
        let open = TargetPolicy { allow_private: true };
        for credentials in ["https://user:pass@example.com/in", "https://user@example.com/in"] {
            let Err(DomainError::Invalid { message, .. }) = check_url(credentials, open) else {
                panic!("{credentials} was accepted");
            };
            assert!(message.contains("user:password@"), "{message}");
        }
        assert!(check_url("http://127.0.0.1:9000/hook", open).is_ok());
        assert!(check_url("ftp://127.0.0.1/", open).is_err());
    }
}
