//! What every request passes through on its way to a route and back, whatever the face: a
//! bounded body, no NUL characters, a time limit, a status for a panic, security headers. A
//! refusal here answers in the error shape of the face the path belongs to
//! ([`crate::faces::refusal_response`]), so a client never sees an error it cannot read.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::FutureExt;

use crate::faces::{refusal_response, Refusal};
use crate::startup::REQUEST_ID;

/// The limits [`guard`] applies.
#[derive(Clone, Copy, Debug)]
pub struct RequestLimits {
    pub max_body_bytes: usize,
    pub timeout: Duration,
}

/// Reads the body within its limit and refuses NUL characters in the address or the body
/// (PostgreSQL cannot store them in text, and no face has a use for them), then runs the route
/// within the time limit. A panic in a route is answered with a 500 instead of a dropped
/// connection; a busy database's 503 tells the client when to retry.
pub async fn guard(State(limits): State<RequestLimits>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let refuse =
        |status, message: String| refusal_response(&path, &request_id, Refusal { status, message });

    if let Some(refusal) = oversized_head(&request) {
        return refuse(refusal.status, refusal.message);
    }
    if has_encoded_nul(request.uri().path()) || request.uri().query().is_some_and(has_encoded_nul) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "the address must not contain NUL characters".into(),
        );
    }
    let (parts, body) = request.into_parts();
    let too_large =
        || format!("the request body is larger than the limit of {} bytes", limits.max_body_bytes);
    let declared_length = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > limits.max_body_bytes as u64) {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, too_large());
    }
    // The body is read within the same time limit as the answer: a client that trickles it
    // must not hold a connection forever.
    let read =
        tokio::time::timeout(limits.timeout, axum::body::to_bytes(body, limits.max_body_bytes));
    let body = match read.await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, too_large()),
        Err(_elapsed) => {
            return refuse(
                StatusCode::REQUEST_TIMEOUT,
                format!("the request body took longer than {} s", limits.timeout.as_secs()),
            );
        }
    };
    if body_has_nul(&parts.headers, &body) {
        return refuse(StatusCode::BAD_REQUEST, "the body must not contain NUL characters".into());
    }
    let request = Request::from_parts(parts, Body::from(body));

    let route = AssertUnwindSafe(next.run(request)).catch_unwind();
    let mut response = match tokio::time::timeout(limits.timeout, route).await {
        Ok(Ok(response)) => response,
        Ok(Err(_panic)) => {
            // The panic message itself was printed by the panic hook, with its location.
            tracing::error!("a request handler panicked");
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, "something went wrong".into());
        }
        Err(_elapsed) => {
            return refuse(
                StatusCode::REQUEST_TIMEOUT,
                format!("the request took longer than {} s", limits.timeout.as_secs()),
            );
        }
    };
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().entry(header::RETRY_AFTER).or_insert(HeaderValue::from_static("1"));
    }
    response
}

/// The longest address accepted, in bytes.
const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes (names and values) and headers accepted. The HTTP server's own limits
/// are set above these (see `startup::serve`), so that a request over them gets the face's 414
/// or 431 from here rather than a bare one from the server.
const MAX_HEADER_BYTES: usize = 32 * 1024;
pub const MAX_HEADERS: usize = 100;

fn oversized_head(request: &Request) -> Option<Refusal> {
    let uri_length = request.uri().path_and_query().map_or(0, |uri| uri.as_str().len());
    if uri_length > MAX_URI_BYTES {
        return Some(Refusal {
            status: StatusCode::URI_TOO_LONG,
            message: format!("the address is longer than the limit of {MAX_URI_BYTES} bytes"),
        });
    }
    let headers = request.headers();
    let header_bytes: usize =
        headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return Some(Refusal {
            status: StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            message: format!(
                "the headers are larger than the limit of {MAX_HEADERS} headers or {MAX_HEADER_BYTES} bytes"
            ),
        });
    }
    None
}

/// `%00` in a percent-encoded path or query.
fn has_encoded_nul(text: &str) -> bool {
    text.as_bytes().windows(3).any(|window| window.eq_ignore_ascii_case(b"%00"))
}

/// A raw NUL byte, a `\u0000` escape (not one whose backslash is itself escaped, which is the
/// text `\u0000`), or, in a body not declared JSON, a `%00`. Server functions decode a form and
/// the Puter face JSON whatever the declared type, so only a JSON declaration rules out `%00`.
fn body_has_nul(headers: &HeaderMap, body: &[u8]) -> bool {
    if body.contains(&0) {
        return true;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    has_json_nul_escape(body)
        || (!content_type.contains("json") && has_encoded_nul(&String::from_utf8_lossy(body)))
}

fn has_json_nul_escape(body: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (index, &byte) in body.iter().enumerate() {
        if byte == b'\\' {
            backslashes += 1;
            continue;
        }
        let escapes_here = backslashes % 2 == 1;
        backslashes = 0;
        if escapes_here
            && byte == b'u'
            && body.get(index + 1..index + 5).is_some_and(|digits| digits == b"0000")
        {
            return true;
        }
    }
    false
}

/// A client-supplied `x-request-id` is kept only when it is a plausible id (up to 64 letters,
/// digits, `-` and `_`), so that what lands in the logs and in problem details is ours to
/// trust; anything else is dropped and a fresh id is made.
pub async fn drop_malformed_request_id(mut request: Request, next: Next) -> Response {
    let well_formed = |value: &HeaderValue| {
        let bytes = value.as_bytes();
        (1..=64).contains(&bytes.len())
            && bytes
                .iter()
                .all(|&byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    };
    let ids = request.headers().get_all(REQUEST_ID);
    if ids.iter().count() > 1 || ids.iter().any(|value| !well_formed(value)) {
        request.headers_mut().remove(REQUEST_ID);
    }
    next.run(request).await
}

/// Whether answers go out over HTTPS, which adds `Strict-Transport-Security`.
#[derive(Clone, Copy, Debug)]
pub struct ServedOverHttps(pub bool);

const PERMISSIONS_POLICY: HeaderName = HeaderName::from_static("permissions-policy");

/// Security headers on every answer. Pages set their own Content-Security-Policy with the
/// nonce of their inline scripts (see `app::shell`); everything else, which runs no script,
/// gets one that allows nothing. Pages and JSON answers are never stored by a browser or a
/// proxy, since they may hold one person's data; static files (scripts, styles, images) may be.
pub async fn security_headers(
    State(https): State<ServedOverHttps>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let personal = content_type.starts_with("text/html") || content_type.contains("json");
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Not `no-referrer`: under it a browser sends `Origin: null` with our own forms, and the
    // CSRF check could no longer tell them from forged ones.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        PERMISSIONS_POLICY,
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if https.0 {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if personal {
        headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json() -> HeaderMap {
        HeaderMap::from_iter([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))])
    }

    #[test]
    fn a_nul_escape_in_json_is_found_but_an_escaped_backslash_is_not_one() {
        assert!(body_has_nul(&json(), br#"{"name":"r\u0000"}"#));
        assert!(body_has_nul(&json(), br#"{"name":"r\\\u0000"}"#));
        assert!(!body_has_nul(&json(), br#"{"name":"r\\u0000"}"#));
        assert!(!body_has_nul(&json(), br#"{"name":"r\u00e9"}"#));
    }

    #[test]
    fn a_nul_in_a_form_or_an_address_is_found_in_any_case() {
        let form = HeaderMap::from_iter([(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        )]);
        assert!(body_has_nul(&form, b"name=a%00b"));
        assert!(body_has_nul(&HeaderMap::new(), b"message=a%00b"), "whatever the declared type");
        assert!(body_has_nul(&HeaderMap::new(), br#"{"name":"r\u0000"}"#), "JSON sent as text");
        assert!(!body_has_nul(&json(), br#"{"name":"100%00 sure"}"#), "text in declared JSON");
        assert!(!body_has_nul(&form, b"name=a%20b"));
        assert!(has_encoded_nul("/v2/sharereq%00"));
        assert!(!has_encoded_nul("/v2/share%2000"));
        assert!(body_has_nul(&HeaderMap::new(), b"raw\0byte"));
    }
}
