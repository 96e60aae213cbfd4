//! Timestamps as stored and sent: RFC 3339 in UTC with a fixed six-digit fraction, so that
//! text order is time order in every backend.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

const STORED: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// The current time in the stored form.
pub fn now() -> String {
    format(OffsetDateTime::now_utc())
}

/// `now` moved by `offset`, in the stored form (for cut-offs and expiries).
pub fn now_plus(offset: Duration) -> String {
    format(OffsetDateTime::now_utc() + offset)
}

pub fn format(moment: OffsetDateTime) -> String {
    // Formatting a UTC moment with a fully numeric description cannot fail.
    moment.to_offset(time::UtcOffset::UTC).format(STORED).unwrap_or_default()
}

/// Parses the stored form back; anything else is `None`.
pub fn parse(stored: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(stored, STORED).ok().map(PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_round_trip_and_sort_as_text() {
        let earlier = now();
        let later = now_plus(Duration::milliseconds(5));
        assert!(earlier < later);
        assert_eq!(format(parse(&earlier).unwrap()), earlier);
        assert_eq!(earlier.len(), "2026-01-01T00:00:00.000000Z".len());
    }
}
