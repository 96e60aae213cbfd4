//! argon2id password hashing, off the async runtime.

use std::sync::LazyLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

use super::Password;
use crate::domain::DomainError;

/// A hash of a password nobody knows, verified against when the username is unknown so that
/// an unknown user costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).ok()?;
    hash_blocking(&random).ok()
});

/// argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: the OWASP baseline) and a
/// random per-password salt, in PHC string form.
pub async fn hash(password: &Password) -> Result<String, DomainError> {
    let password = password.expose().as_bytes().to_vec();
    run_blocking(move || hash_blocking(&password)).await?
}

/// Checks `password` against `stored` in constant time. With no stored hash (unknown user)
/// the dummy hash is checked instead and the answer is always `false`.
pub async fn verify(password: &str, stored: Option<String>) -> Result<bool, DomainError> {
    let password = password.as_bytes().to_vec();
    run_blocking(move || {
        let known_user = stored.is_some();
        let Some(stored) = stored.or_else(|| DUMMY_HASH.clone()) else {
            return false;
        };
        let matches = PasswordHash::new(&stored)
            .map(|parsed| Argon2::default().verify_password(&password, &parsed).is_ok())
            .unwrap_or(false);
        matches && known_user
    })
    .await
}

/// Warms the dummy hash up so the first failed sign-in is not slower than the rest.
pub fn prepare() {
    LazyLock::force(&DUMMY_HASH);
}

fn hash_blocking(password: &[u8]) -> Result<String, DomainError> {
    Argon2::default()
        .hash_password(password)
        .map(|hash| hash.to_string())
        .map_err(|error| DomainError::Internal(error.to_string().into()))
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, DomainError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| DomainError::Internal(Box::new(error)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let password = Password::parse("correct horse battery").unwrap();
        let stored = hash(&password).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(stored.clone())).await.unwrap());
        assert!(!verify("wrong horse battery", Some(stored)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!verify("anything at all", None).await.unwrap());
    }

    #[tokio::test]
    async fn two_hashes_of_one_password_differ_by_salt() {
        let password = Password::parse("correct horse battery").unwrap();
        assert_ne!(hash(&password).await.unwrap(), hash(&password).await.unwrap());
    }
}
