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

/// Reads a client's RFC 3339 timestamp (`2026-11-30T09:00:01.619Z`, any offset; without an
/// offset it is taken as UTC) and returns it in the stored form.
pub fn parse_client_time(text: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let text = text.trim();
    if let Ok(moment) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(format(moment));
    }
    let without_offset = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(text, without_offset).ok().map(|moment| format(moment.assume_utc()))
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

    #[test]
    fn client_times_with_and_without_offsets_are_read_as_utc() {
        assert_eq!(
            parse_client_time("2026-11-30T09:00:01.619Z").as_deref(),
            Some("2026-11-30T09:00:01.619000Z")
        );
        assert_eq!(
            parse_client_time("2026-11-30T10:00:00+01:00").as_deref(),
            Some("2026-11-30T09:00:00.000000Z")
        );
        assert_eq!(
            parse_client_time("2026-11-30T09:00:00").as_deref(),
            Some("2026-11-30T09:00:00.000000Z")
        );
        assert_eq!(parse_client_time("next tuesday"), None);
    }
}
