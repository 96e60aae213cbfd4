//! Cross-site request forgery protection for everything a browser session can change.
//!
//! The session cookie is SameSite=Lax, and on top of that every state-changing request that
//! carries the session cookie must come from our own origin, as its `Origin` (or, failing that,
//! `Referer`) header says: an `Authorization` header beside the cookie changes nothing, since the
//! cookie is what a forged request would ride on. Without the session cookie there is no
//! ambient authority to abuse, so such a request passes unless it names another origin and
//! brings no credentials of its own (a forged sign-in form, which would sign the victim into
//! the forger's account); a script on another site calling a face with its token passes.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::sessions::COOKIE_NAME;

pub async fn reject_cross_site_writes(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let allowed = is_safe(request.method())
        || match same_origin(headers) {
            Some(true) => true,
            Some(false) => {
                !carries_session_cookie(headers) && headers.contains_key(header::AUTHORIZATION)
            }
            None => !carries_session_cookie(headers),
        };
    if allowed {
        return next.run(request).await;
    }
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

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// Whether any `Cookie` header names the session cookie.
fn carries_session_cookie(headers: &HeaderMap) -> bool {
    headers.get_all(header::COOKIE).iter().any(|value| {
        value.as_bytes().split(|&byte| byte == b';').any(|pair| {
            let name = pair.split(|&byte| byte == b'=').next().unwrap_or_default();
            name.trim_ascii() == COOKIE_NAME.as_bytes()
        })
    })
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
    fn only_the_session_cookie_calls_for_the_check() {
        let cookie = |value| headers(&[(header::COOKIE, value)]);
        assert!(carries_session_cookie(&cookie("theme=dark; sharewell_session=abc")));
        assert!(carries_session_cookie(&cookie("sharewell_session=abc")));
        assert!(!carries_session_cookie(&cookie("theme=dark; not_sharewell_session=abc")));
        assert!(!carries_session_cookie(&HeaderMap::new()));
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
