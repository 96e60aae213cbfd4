//! Cross-site request forgery protection for everything a browser session can change.
//!
//! The session cookie is SameSite=Lax, and on top of that every state-changing request that
//! does not carry its own credentials (an `Authorization` header) must come from our own
//! origin, as its `Origin` (or, failing that, `Referer`) header says. Requests with neither
//! header are let through only when they carry no cookie, i.e. no ambient authority.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn reject_cross_site_writes(request: Request, next: Next) -> Response {
    if is_safe(request.method()) || request.headers().contains_key(header::AUTHORIZATION) {
        return next.run(request).await;
    }
    match same_origin(request.headers()) {
        Some(true) => next.run(request).await,
        None if !request.headers().contains_key(header::COOKIE) => next.run(request).await,
        _ => {
            tracing::warn!(
                origin = ?request.headers().get(header::ORIGIN),
                referer = ?request.headers().get(header::REFERER),
                "refused a cross-site request"
            );
            (
                StatusCode::FORBIDDEN,
                "Cross-site request refused: this form must be sent from Sharewell's own pages.",
            )
                .into_response()
        }
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// `Some(true)` when the `Origin` (or `Referer`) names the host the request was sent to,
/// `Some(false)` when it names another, `None` when the request has neither header.
fn same_origin(headers: &HeaderMap) -> Option<bool> {
    let host = headers.get(header::HOST).and_then(|value| value.to_str().ok())?;
    let source = headers
        .get(header::ORIGIN)
        .filter(|origin| origin.as_bytes() != b"null")
        .or_else(|| headers.get(header::REFERER))?;
    let Ok(source) = source.to_str() else { return Some(false) };
    let authority = source
        .strip_prefix("https://")
        .or_else(|| source.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    Some(authority.is_some_and(|authority| authority.eq_ignore_ascii_case(host)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_str(value).unwrap()))
            .collect()
    }

    #[test]
    fn an_origin_must_name_the_requested_host() {
        let ours =
            headers(&[(header::HOST, "127.0.0.1:3000"), (header::ORIGIN, "http://127.0.0.1:3000")]);
        assert_eq!(same_origin(&ours), Some(true));
        let theirs =
            headers(&[(header::HOST, "127.0.0.1:3000"), (header::ORIGIN, "http://evil.example")]);
        assert_eq!(same_origin(&theirs), Some(false));
        let lookalike = headers(&[
            (header::HOST, "app.example"),
            (header::ORIGIN, "https://app.example.evil.test"),
        ]);
        assert_eq!(same_origin(&lookalike), Some(false));
    }

    #[test]
    fn the_referer_counts_when_there_is_no_origin() {
        let ours = headers(&[
            (header::HOST, "app.example"),
            (header::REFERER, "https://app.example/tokens?x=1"),
        ]);
        assert_eq!(same_origin(&ours), Some(true));
        let null_origin = headers(&[(header::HOST, "app.example"), (header::ORIGIN, "null")]);
        assert_eq!(same_origin(&null_origin), None);
    }
}
