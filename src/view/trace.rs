//! A credential trace as lines of text: the CLI's `trace` prints them, the explorer's
//! chain view shows them with the events they name selectable. Every string is sanitised.

use crate::analysis::chains::{Chain, ChainEnd, KeyKind, KeyUsage, KeyUse, Trace, TraceTarget};
use crate::ingest::report::group as thousands;
use crate::model::identity::short_label;
use crate::model::time::format_utc;
use crate::sanitize::sanitize;
use crate::store::{Facet, Store};

/// One line; `event` is the event it is about, when there is one to jump to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    pub text: String,
    pub event: Option<u32>,
}

fn when(ms: Option<i64>) -> String {
    ms.and_then(format_utc).unwrap_or_else(|| "-".into())
}

struct Lines(Vec<TraceLine>);

impl Lines {
    fn push(&mut self, text: String) {
        self.0.push(TraceLine { text, event: None });
    }

    fn push_event(&mut self, text: String, event: u32) {
        self.0.push(TraceLine { text, event: Some(event) });
    }

    /// `<prefix>KEY (kind), used by …: N events, first … last`, selecting the key's first use.
    fn push_usage(&mut self, prefix: &str, key: &str, key_kind: KeyKind, u: &KeyUsage) {
        let text = format!(
            "{prefix}{} ({}), {}: {} event{}, {} … {}",
            sanitize(key),
            kind(key_kind),
            used_by(&u.principals),
            thousands(u.events.len() as u64),
            if u.events.len() == 1 { "" } else { "s" },
            when(u.first_seen),
            when(u.last_seen)
        );
        match u.events.first() {
            Some(&first) => self.push_event(text, first),
            None => self.push(text),
        }
    }
}

/// The lines of a trace: the target, each chain up, each key's use down.
pub fn trace_lines(store: &Store, t: &Trace) -> Vec<TraceLine> {
    let mut out = Lines(Vec::new());
    match &t.target {
        TraceTarget::AccessKey(k) => out.push(format!("Trace of access key {}", sanitize(k))),
        TraceTarget::Event(e) => out.push_event(
            format!(
                "Trace of event {} ({} at {})",
                sanitize(store.event_id(*e).unwrap_or("?")),
                sanitize(store.value(*e, Facet::EventName).unwrap_or("?")),
                when(store.time(*e))
            ),
            *e,
        ),
        TraceTarget::Principal(p) => out.push(format!("Trace of {}", sanitize(p))),
    }
    if t.chains.is_empty() {
        out.push(String::new());
        out.push("No access key was used: there is no chain to follow up.".into());
    }
    for chain in &t.chains {
        out.push(String::new());
        out.push(format!("Where {} came from:", sanitize(&chain.steps[0].key)));
        chain_lines(&mut out, store, chain);
    }
    for k in &t.minted {
        out.push(String::new());
        out.push(format!("What was done with {}:", sanitize(&k.key)));
        use_lines(&mut out, k, "  ");
    }
    out.0
}

fn kind(k: KeyKind) -> &'static str {
    match k {
        KeyKind::LongTerm => "long-term key",
        KeyKind::Temporary => "temporary key",
        KeyKind::Other => "key",
    }
}

fn used_by(principals: &[String]) -> String {
    if principals.is_empty() {
        return "never used in the loaded events".into();
    }
    let names: Vec<String> = principals.iter().map(|p| sanitize(short_label(p)).into_owned()).collect();
    format!("used by {}", names.join(", "))
}

fn chain_lines(out: &mut Lines, store: &Store, chain: &Chain) {
    for (i, step) in chain.steps.iter().enumerate() {
        out.push_usage(&format!("  {}. ", i + 1), &step.key, step.key_kind, &step.usage);
        let Some(m) = &step.minted_by else { continue };
        let mint = &m.mint;
        let mut what = format!(
            "     minted by {} at {}, eventID {}",
            sanitize(&mint.event_name),
            when(store.time(mint.event)),
            sanitize(store.event_id(mint.event).unwrap_or("?"))
        );
        if let Some(target) = &mint.target {
            what.push_str(&format!(", for {}", sanitize(target)));
        }
        out.push_event(what, mint.event);
        if let Some(shared) = &m.linked_by {
            let accounts: Vec<String> = m
                .copies
                .iter()
                .map(|&e| store.value(e, Facet::RecipientAccount).unwrap_or("?"))
                .map(|a| sanitize(a).into_owned())
                .collect();
            out.push(format!(
                "     recorded in accounts {} (sharedEventID {})",
                accounts.join(" and "),
                sanitize(shared)
            ));
        }
        let caller = m.caller.as_deref().map_or_else(|| "an unnamed caller".into(), |c| sanitize(c).into_owned());
        let text = match &m.caller_key {
            Some(k) => format!("     called by {caller} with {}", sanitize(k)),
            None => format!("     called by {caller} ({}) without an access key", m.caller_kind.name()),
        };
        out.push_event(text, m.caller_event);
    }
    match &chain.end {
        ChainEnd::MintNotLoaded { key, console_session } => {
            out.push(format!("  The event that minted {} is not in the loaded data.", sanitize(key)));
            if *console_session {
                out.push(
                    "  Its calls used console-session credentials, which a console sign-in issues without recording the key."
                        .into(),
                );
            }
        }
        ChainEnd::Origin { principal, kind } => out.push(format!(
            "  The chain starts at {} ({}), which used no access key.",
            principal.as_deref().map_or_else(|| "an unnamed caller".into(), |p| sanitize(p).into_owned()),
            kind.name()
        )),
        ChainEnd::CallerCopyNotLoaded { account, principal_id } => out.push(format!(
            "  The call came from account {} (principalId {}); that account's copy of it, which names the caller's key, is not in the loaded data.",
            account.as_deref().map_or_else(|| "?".into(), sanitize),
            principal_id.as_deref().map_or_else(|| "?".into(), sanitize)
        )),
        ChainEnd::Cycle { key } => out.push(format!("  The chain loops back to {}; stopped there.", sanitize(key))),
        ChainEnd::TooLong => out.push("  The chain is too long; cut here.".into()),
    }
}

fn use_lines(out: &mut Lines, k: &KeyUse, indent: &str) {
    out.push_usage(indent, &k.key, k.key_kind, &k.usage);
    for child in &k.minted {
        use_lines(out, child, &format!("{}  └ ", indent.replace('└', " ")));
    }
}
