//! API token secrets: 256 random bits behind a recognisable prefix, stored only as SHA-256.
//!
//! A fast hash is right here (unlike passwords): the secret has full entropy, so there is
//! nothing to brute-force, and every API request looks a token up by its hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::domain::DomainError;

/// Every Sharewell token starts with this, so that secret scanners and people recognise it.
pub const PREFIX: &str = "sw_";

/// A fresh secret: `sw_` followed by 43 URL-safe characters (256 bits).
pub fn generate() -> Result<String, DomainError> {
    Ok(format!("{PREFIX}{}", random_url_safe()?))
}

/// 256 random bits as 43 URL-safe characters: for secrets and capability links.
pub fn random_url_safe() -> Result<String, DomainError> {
    let mut random = [0u8; 32];
    getrandom::fill(&mut random)
        .map_err(|error| DomainError::Internal(error.to_string().into()))?;
    Ok(URL_SAFE_NO_PAD.encode(random))
}

/// What is stored and looked up: the hex SHA-256 of the whole secret.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_long_and_unique() {
        let first = generate().unwrap();
        let second = generate().unwrap();
        assert!(first.starts_with(PREFIX));
        assert_eq!(first.len(), PREFIX.len() + 43);
        assert_ne!(first, second);
    }

    #[test]
    fn the_digest_is_stable_and_hides_the_secret() {
        let secret = generate().unwrap();
        assert_eq!(digest(&secret), digest(&secret));
        assert_eq!(digest(&secret).len(), 64);
        assert!(!digest(&secret).contains(&secret[PREFIX.len()..]));
    }
}
