//! The HTTP status of a failed server function call. server_fn answers every error with
//! 500 and offers no hook to choose the status, not even for arguments it could not decode
//! before the function ran. Its error responses carry the `serverfnerror` header and the
//! encoded [`AppError`]; this middleware reads that error and sets the status it names,
//! keeping the body exactly as encoded so the browser still decodes it.

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use app::server_fns::AppError;

/// An encoded error is a few hundred bytes; anything larger is not one of ours.
const MAX_ERROR_BYTES: usize = 64 * 1024;

pub async fn status_from_error(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BYTES).await else {
        tracing::error!("a server function error body could not be read");
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        // A 503's `Retry-After` is added by the guard, as for every face.
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The query parameter that tells a page which form just succeeded.
const DONE: &str = "done";

/// A form posted without JavaScript is answered by server_fn with a redirect back to the page
/// it came from: with the error in the query when it failed, with nothing when it worked, so
/// the page could not say that it worked. This adds `done=<server function>` to a successful
/// redirect back (and drops an older one), and the page frame turns it into a message. A
/// redirect a server function chose itself (elsewhere, or with its own query) is left alone.
pub async fn mark_form_success(request: Request, next: Next) -> Response {
    let referer = request
        .headers()
        .get(axum::http::header::REFERER)
        .and_then(|referer| referer.to_str().ok())
        .map(ToOwned::to_owned);
    let endpoint = request
        .uri()
        .path()
        .strip_prefix("/api/")
        .filter(|endpoint| {
            request.method() == axum::http::Method::POST
                && endpoint.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        })
        .map(ToOwned::to_owned);
    let mut response = next.run(request).await;
    let (Some(endpoint), Some(referer)) = (endpoint, referer) else { return response };
    if !response.status().is_redirection() {
        return response;
    }
    let Some(location) =
        response.headers().get(axum::http::header::LOCATION).and_then(|l| l.to_str().ok())
    else {
        return response;
    };
    if has_own_result(location, &referer) {
        return response;
    }
    let Some(marked) = mark_location(location, &endpoint) else { return response };
    if let Ok(value) = axum::http::HeaderValue::from_str(&marked) {
        response.headers_mut().insert(axum::http::header::LOCATION, value);
    }
    response
}

/// Whether the redirect carries a result of the server function's own (a query the form's page
/// did not have, such as `/account?email_saved=1`): then the page says it in its own words.
fn has_own_result(location: &str, referer: &str) -> bool {
    let query = |address: &str| -> Vec<(String, String)> {
        let Some(url) =
            url::Url::parse("http://page.invalid/").ok().and_then(|base| base.join(address).ok())
        else {
            return Vec::new();
        };
        url.query_pairs()
            .filter(|(key, _)| !matches!(key.as_ref(), DONE | "__err" | "__path"))
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect()
    };
    let before = query(referer);
    query(location).iter().any(|pair| !before.contains(pair))
}

/// `location` without any earlier `done`, and with `done=endpoint` unless the redirect carries
/// server_fn's error (then the page shows that error instead).
fn mark_location(location: &str, endpoint: &str) -> Option<String> {
    let base = url::Url::parse("http://page.invalid/").ok()?;
    let mut url = base.join(location).ok()?;
    let failed = url.query_pairs().any(|(key, _)| key == "__err");
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| key != DONE)
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() && failed {
        return None;
    }
    {
        let mut query = url.query_pairs_mut();
        query.clear().extend_pairs(kept);
        if !failed {
            query.append_pair(DONE, endpoint);
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    if url.host_str() == Some("page.invalid") && !location.starts_with("http") {
        return Some(url[url::Position::BeforePath..].to_owned());
    }
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::mark_location;

    #[test]
    fn a_successful_form_redirect_names_the_form_and_drops_an_older_mark() {
        assert_eq!(
            mark_location("http://127.0.0.1:3000/tokens?done=revoke_token&tab=a", "create_token")
                .as_deref(),
            Some("http://127.0.0.1:3000/tokens?tab=a&done=create_token")
        );
        assert_eq!(mark_location("/", "mark_read").as_deref(), Some("/?done=mark_read"));
    }

    #[test]
    fn a_redirect_with_a_result_of_its_own_is_left_to_say_it() {
        assert!(!super::has_own_result(
            "http://127.0.0.1:3000/tokens?tab=a&__err=x&__path=y",
            "http://127.0.0.1:3000/tokens?tab=a&done=revoke_token"
        ));
        assert!(super::has_own_result("/account?email_saved=1", "http://127.0.0.1:3000/account"));
        assert!(!super::has_own_result("/partners/x", "http://127.0.0.1:3000/partners"));
    }

    #[test]
    fn a_failed_form_redirect_keeps_its_error_and_loses_an_older_success() {
        assert_eq!(
            mark_location(
                "/tokens?done=revoke_token&__path=%2Fapi%2Fcreate_token&__err=x",
                "create_token"
            )
            .as_deref(),
            Some("/tokens?__path=%2Fapi%2Fcreate_token&__err=x")
        );
    }
}
