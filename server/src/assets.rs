//! The browser bundle and stylesheet under `/pkg`, served like a production site: the build
//! (`frontend/site-assets.mjs`) gives each file a name carrying a hash of its content and
//! writes brotli and gzip copies beside it; here each request gets the copy its
//! `Accept-Encoding` prefers, and a hashed name is cached for a year, since its content can
//! never change. Also: large JSON answers are gzipped on the fly.

use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode, Version};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

use crate::startup::AppState;

/// The file, in the site root, that names the hashed files (`js: <hash>`, `wasm: <hash>`,
/// `css: <hash>`, one a line): the format leptos' `HydrationScripts` reads.
pub const HASH_FILE: &str = "hash.txt";

/// How long a browser may keep a file whose name carries its content's hash: a year, the
/// longest HTTP caches honour, and `immutable` so that a reload does not ask again.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// JSON answers below this size go out as they are: compressing them saves less than it costs.
const COMPRESS_JSON_ABOVE: u16 = 1024;

/// The files under `<site root>/pkg`, each in the encoding the request prefers.
pub fn router(site_root: &Path) -> Router<AppState> {
    let files = ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip();
    Router::new().nest_service("/pkg", files).layer(axum::middleware::from_fn(cache_headers))
}

/// `Vary: Accept-Encoding` on every file (the same URL answers in different encodings), and a
/// year's cache for hashed names; an unhashed name (a build without `site-assets.mjs`) is
/// checked again on every use.
async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        let cache = if hashed { IMMUTABLE } else { HeaderValue::from_static("no-cache") };
        headers.insert(header::CACHE_CONTROL, cache);
    }
    response
}

/// Whether the last segment of `path` is `name.<16 hex digits>.ext`, as the build names files.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = file.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|part| part.len() == 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// What the site build's hash file says, read once at start-up.
#[derive(Clone, Debug, Default)]
pub struct HashedNames {
    /// The hash file's absolute path, when it names both the script and the wasm: leptos then
    /// links the hashed names (it joins this path to its executable's folder, which leaves an
    /// absolute path as it is).
    pub hash_file: Option<PathBuf>,
}

impl HashedNames {
    pub fn read(site_root: &Path) -> Self {
        let path = site_root.join(HASH_FILE);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Self::default();
        };
        let named = |key: &str| {
            text.lines().any(|line| {
                line.split_once(':')
                    .is_some_and(|(name, hash)| name.trim() == key && !hash.trim().is_empty())
            })
        };
        if !(named("js") && named("wasm")) {
            tracing::warn!(path = %path.display(), "the hash file names no script or no wasm: serving unhashed names");
            return Self::default();
        }
        Self { hash_file: std::path::absolute(&path).ok() }
    }
}

/// Gzips JSON answers larger than [`COMPRESS_JSON_ABOVE`] for clients that accept it. Pages
/// and files pass untouched (pages stream; files come compressed already).
pub fn compress_large_json() -> CompressionLayer<impl Predicate> {
    let json = |_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
        headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).is_some_and(
            |value| {
                let essence = value.split(';').next().unwrap_or_default().trim();
                essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json")
            },
        )
    };
    CompressionLayer::new().compress_when(SizeAbove::new(COMPRESS_JSON_ABOVE).and(json))
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_names_with_a_content_hash_count_as_hashed() {
        assert!(is_hashed("/pkg/sharewell.0123456789abcdef.wasm"));
        assert!(is_hashed("/pkg/sharewell.0123456789abcdef.css"));
        assert!(!is_hashed("/pkg/sharewell.css"));
        assert!(!is_hashed("/pkg/sharewell_bg.wasm"));
        assert!(!is_hashed("/pkg/0123456789abcdef.wasm"));
        assert!(!is_hashed("/pkg/sharewell.0123456789abcdeg.js"));
    }
}
