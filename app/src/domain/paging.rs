//! Keyset (cursor) paging: a page starts after the last row of the page before it, found by
//! an index seek on `(sort value, id)`, so a deep page costs what the first one does.
//!
//! A cursor is opaque to clients: base64url of the list order it was made for, the sort value
//! and the id of the last row seen. It carries no authority (the list's own filters still
//! apply); a cursor that does not decode, or belongs to another order, is an invalid
//! `cursor` field, never a 500.

use serde::{Deserialize, Serialize};

use super::DomainError;

/// Where the next page starts: after the row with this sort value and id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Which order the cursor was made for (e.g. `created+`); a list in another order refuses it.
    pub order: String,
    pub value: String,
    pub id: String,
}

/// Longer than any sort value we store (names are capped well below this).
#[cfg(feature = "ssr")]
const MAX_CURSOR_CHARS: usize = 2048;

impl Cursor {
    pub fn new(order: impl Into<String>, value: impl Into<String>, id: impl Into<String>) -> Self {
        Self { order: order.into(), value: value.into(), id: id.into() }
    }

    /// The text a client sends back to get the next page.
    #[cfg(feature = "ssr")]
    pub fn encode(&self) -> String {
        use base64::Engine;
        let text = format!("{}\u{0}{}\u{0}{}", self.order, self.value, self.id);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    }

    /// Reads a cursor a client sent; anything that is not one of ours is `Invalid("cursor")`.
    #[cfg(feature = "ssr")]
    pub fn decode(text: &str) -> Result<Self, DomainError> {
        use base64::Engine;
        let invalid = || DomainError::invalid("cursor", "is not a cursor this list gave out");
        let text = text.trim();
        if text.is_empty() || text.len() > MAX_CURSOR_CHARS {
            return Err(invalid());
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = text.split('\u{0}');
        let (Some(order), Some(value), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        // Every list's ids are UUIDs: anything else was not made here.
        uuid::Uuid::parse_str(id).map_err(|_| invalid())?;
        Ok(Self::new(order, value, id))
    }

    /// This cursor, if it was made for `order`; otherwise `Invalid("cursor")`.
    pub fn for_order(&self, order: &str) -> Result<&Self, DomainError> {
        if self.order == order {
            Ok(self)
        } else {
            Err(DomainError::invalid("cursor", "belongs to a list in another order"))
        }
    }
}

/// How many matching rows a list counts at most for its total. Counting stops there (an
/// index-only scan of at most this many entries), so a page of a list of a million rows costs
/// what a page of a list of ten thousand does; past it, the total reads "at least".
pub const COUNT_CAP: i64 = 10_000;

/// How many rows match a list: exact up to [`COUNT_CAP`], a lower bound past it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Total {
    pub count: i64,
    /// False when counting stopped at the cap: there are at least `count` rows.
    pub exact: bool,
}

impl Total {
    /// From a count taken with `LIMIT COUNT_CAP + 1`.
    pub fn from_capped(counted: i64) -> Self {
        if counted > COUNT_CAP {
            Self { count: COUNT_CAP, exact: false }
        } else {
            Self { count: counted, exact: true }
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_it_was_written() {
        let cursor =
            Cursor::new("created+", "2026-01-01T00:00:00.000000Z", uuid::Uuid::nil().to_string());
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
    }

    #[test]
    fn forged_cursors_are_invalid_not_errors() {
        for forged in ["", "!!!", "bm90IGEgY3Vyc29y", &"A".repeat(5000)] {
            let error = Cursor::decode(forged).unwrap_err();
            assert!(matches!(error, DomainError::Invalid { ref field, .. } if field == "cursor"));
        }
        let wrong_id = Cursor::new("created+", "x", "not-a-uuid").encode();
        assert!(Cursor::decode(&wrong_id).is_err());
    }

    #[test]
    fn a_cursor_of_another_order_is_refused() {
        let cursor = Cursor::new("name+", "a", uuid::Uuid::nil().to_string());
        assert!(cursor.for_order("created+").is_err());
        assert!(cursor.for_order("name+").is_ok());
    }

    #[test]
    fn totals_past_the_cap_are_a_lower_bound() {
        assert_eq!(Total::from_capped(5), Total { count: 5, exact: true });
        assert_eq!(Total::from_capped(COUNT_CAP + 1), Total { count: COUNT_CAP, exact: false });
    }
}
