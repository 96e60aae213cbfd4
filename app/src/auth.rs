//! Who is signed in: the browser session as pages, server functions and the login handler
//! see it.

/// Pages that need a signed-in user; the server redirects anyone else to the login page.
pub const SIGNED_IN_PAGES: [&str; 11] = [
    "/overview",
    "/partners",
    "/roles",
    "/shared",
    "/requests",
    "/notifications",
    "/tokens",
    "/audit",
    "/users",
    "/account",
    "/access",
];

/// Whether `path` is (or is under) a page that needs a signed-in user.
pub fn requires_sign_in(path: &str) -> bool {
    SIGNED_IN_PAGES.iter().any(|page| {
        path.strip_prefix(page).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Where to go after signing in: a path on this site only, so the login form cannot be used to
/// send people to another site. Browsers drop tabs and newlines from a URL and read `\` as `/`,
/// so `/\t/evil.example` or `/\\evil.example` would leave the site: any control character or
/// backslash, a scheme-relative `//`, and overlong values fall back to the overview.
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= 2048
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if local {
        next
    } else {
        "/overview"
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use tower_sessions::Session;

    use crate::domain::identity::{service as identity, Actor, NewToken};
    use crate::domain::ids::UserId;
    use crate::domain::store::Store;
    use crate::domain::DomainError;

    /// Session keys, in one place.
    const USER_ID: &str = "user_id";
    const NEW_TOKEN: &str = "new_token";

    fn session_error(error: tower_sessions::session::Error) -> DomainError {
        DomainError::Internal(Box::new(error))
    }

    /// Starts a signed-in session under a fresh id, so that an id planted before sign-in
    /// (session fixation) is worthless afterwards.
    pub async fn sign_in(session: &Session, user_id: UserId) -> Result<(), DomainError> {
        session.cycle_id().await.map_err(session_error)?;
        session.insert(USER_ID, user_id).await.map_err(session_error)
    }

    /// Ends the session: its record is deleted and the cookie cleared.
    pub async fn sign_out(session: &Session) -> Result<(), DomainError> {
        session.flush().await.map_err(session_error)
    }

    pub async fn signed_in_user(session: &Session) -> Result<Option<UserId>, DomainError> {
        session.get(USER_ID).await.map_err(session_error)
    }

    /// The signed-in actor of the current request, for server functions.
    pub async fn current_actor(store: &Store) -> Result<Actor, DomainError> {
        let session = request_session().await?;
        let user_id = signed_in_user(&session).await?.ok_or(DomainError::Unauthenticated)?;
        identity::actor_for_user(store, user_id).await
    }

    /// Keeps a token created by a plain form post (no JavaScript) for the page that the
    /// browser is redirected to; [`take_new_token`] hands it out once.
    pub async fn keep_new_token(token: &NewToken) -> Result<(), DomainError> {
        request_session().await?.insert(NEW_TOKEN, token).await.map_err(session_error)
    }

    pub async fn take_new_token() -> Result<Option<NewToken>, DomainError> {
        request_session().await?.remove(NEW_TOKEN).await.map_err(session_error)
    }

    async fn request_session() -> Result<Session, DomainError> {
        leptos_axum::extract::<Session>()
            .await
            .map_err(|error| DomainError::Internal(error.to_string().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_in_pages_match_whole_segments() {
        assert!(requires_sign_in("/tokens"));
        assert!(requires_sign_in("/audit/anything"));
        assert!(!requires_sign_in("/tokensmith"));
        assert!(!requires_sign_in("/"));
        assert!(!requires_sign_in("/login"));
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/audit?action=x"), "/audit?action=x");
        let outside = [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/x\\..\\\\evil.example",
            "",
            "overview",
        ];
        for outside in outside {
            assert_eq!(safe_next(outside), "/overview", "{outside}");
        }
    }
}
