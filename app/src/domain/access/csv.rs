//! Grants as CSV (RFC 4180) for an access review in a spreadsheet.
//!
//! Written by hand rather than with a crate: one writer of a few lines, tested here. Every
//! cell is safe to open in a spreadsheet: a cell that would start a formula (`=`, `+`, `-`,
//! `@`, or a tab or carriage return that some programs skip before one) is prefixed with `'`
//! (OWASP's advice against CSV injection), and a cell holding a comma, a quote or a line
//! break is quoted, its quotes doubled.

use super::Grant;

/// The header row, in column order.
pub const HEADER: [&str; 18] = [
    "kind",
    "direction",
    "item_kind",
    "item",
    "item_id",
    "resources",
    "grantee_kind",
    "grantee",
    "grantee_org",
    "grantor_org",
    "granted_by",
    "face",
    "granted_at",
    "how",
    "access",
    "expires_at",
    "status",
    "grant_id",
];

/// One cell, neutralised and quoted as needed.
pub fn cell(value: &str) -> String {
    let neutral = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

/// One record, its line ending included.
pub fn record<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut line = cells.into_iter().map(cell).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// The whole document: the header row, then one row per grant.
pub fn document(grants: &[Grant]) -> String {
    let mut out = record(HEADER);
    for grant in grants {
        let resources = grant.resources.join("; ");
        let row = [
            grant.kind.as_str(),
            grant.direction.as_str(),
            &grant.item_kind,
            &grant.item_name,
            &grant.item_id,
            &resources,
            &grant.grantee_kind,
            &grant.grantee_name,
            grant.grantee_org_name.as_deref().unwrap_or_default(),
            &grant.grantor_org_name,
            grant.granted_by.as_deref().unwrap_or_default(),
            grant.face.as_deref().unwrap_or_default(),
            &grant.granted_at,
            &grant.how,
            grant.access.as_deref().unwrap_or_default(),
            grant.expires_at.as_deref().unwrap_or_default(),
            &grant.status,
            &grant.id,
        ];
        out.push_str(&record(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_cells_are_left_alone() {
        assert_eq!(cell("alice"), "alice");
        assert_eq!(cell(""), "");
        assert_eq!(cell("2026-11-30T10:00:00Z"), "2026-11-30T10:00:00Z");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(cell("Acme, Inc."), "\"Acme, Inc.\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("cr\rhere"), "\"cr\rhere\"");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\t=1"), "'\t=1");
        assert_eq!(cell("a=1"), "a=1", "only a leading sign starts a formula");
    }

    #[test]
    fn records_end_with_crlf() {
        assert_eq!(record(["a", "b,c"]), "a,\"b,c\"\r\n");
        assert_eq!(document(&[]), format!("{}\r\n", HEADER.join(",")));
    }
}
