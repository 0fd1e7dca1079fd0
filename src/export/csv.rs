//! The CSV export: the console Event-history columns (so existing spreadsheets and scripts
//! keep working) plus the identity ARN and the error message. Values a spreadsheet would
//! run as a formula are prefixed with `'`.

use std::io::{self, Write};

use crate::model::identity::short_label;
use crate::model::time::format_utc;
use crate::store::{Facet, Store};

pub const COLUMNS: [&str; 18] = [
    "User name",
    "AWS access key",
    "Event time",
    "Event source",
    "Event name",
    "AWS region",
    "Source IP address",
    "User agent",
    "Error code",
    "Resources",
    "Request ID",
    "Event ID",
    "Read-only",
    "Event type",
    "Recipient Account Id",
    "Event category",
    "Identity ARN",
    "Error message",
];

/// Writes the header row.
pub fn write_csv_header(out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::WriterBuilder::new().from_writer(out);
    w.write_record(COLUMNS).map_err(io_error)?;
    w.flush()
}

/// Writes one row per event of `chunk`, in order.
pub fn write_csv_chunk(store: &Store, chunk: &[u32], written: &mut u64, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::WriterBuilder::new().from_writer(out);
    for &e in chunk {
        let v = |f: Facet| store.value(e, f).unwrap_or("").to_owned();
        let principal = store.value(e, Facet::Principal);
        let user = store.value(e, Facet::UserName).or(principal.map(short_label)).unwrap_or("").to_owned();
        let arn = v(Facet::IdentityArn);
        let resources = store.resources(e).collect::<Vec<_>>().join(", ");
        let row = [
            user,
            v(Facet::AccessKey),
            store.time(e).and_then(format_utc).unwrap_or_default(),
            v(Facet::EventSource),
            v(Facet::EventName),
            v(Facet::Region),
            v(Facet::SourceIp),
            v(Facet::UserAgent),
            v(Facet::ErrorCode),
            resources,
            store.request_id(e).unwrap_or("").to_owned(),
            store.event_id(e).unwrap_or("").to_owned(),
            v(Facet::ReadOnly),
            v(Facet::EventType),
            v(Facet::RecipientAccount),
            v(Facet::EventCategory),
            arn,
            v(Facet::ErrorMessage),
        ];
        w.write_record(row.iter().map(|c| neutralise_formula(c).into_owned())).map_err(io_error)?;
        *written += 1;
    }
    w.flush()
}

/// Keeps the kind of an I/O error (a closed pipe must stay recognisable as one).
fn io_error(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Prefixes `'` to a value a spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, CR).
pub fn neutralise_formula(value: &str) -> std::borrow::Cow<'_, str> {
    match value.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => std::borrow::Cow::Owned(format!("'{value}")),
        _ => std::borrow::Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise_formula;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise_formula("-1+2"), "'-1+2");
        assert_eq!(neutralise_formula("aws-cli/2"), "aws-cli/2");
    }
}
