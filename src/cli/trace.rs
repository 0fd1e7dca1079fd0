//! `trailscope trace`: the credential chain of an access key, an event or a principal — up
//! to the event that minted each key and its caller, and down to everything done with the
//! keys minted.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::analysis_json::{to_json, when};
use super::stats::finish;
use super::{exit_leaving_store, load, InputArgs};
use crate::analysis::chains::{resolve_target, trace, Chain, ChainEnd, KeyKind, KeyUse, Trace, TraceTarget};
use crate::ingest::report::group as thousands;
use crate::model::identity::short_label;
use crate::sanitize::{sanitize, terminal_safe_json};
use crate::store::Store;

#[derive(Args, Debug)]
pub struct TraceArgs {
    /// An access key id (AKIA…/ASIA…), an eventID, or an ARN (a user, a role, a role
    /// session).
    #[arg(value_name = "ACCESS_KEY|ARN|EVENT_ID")]
    pub target: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// Print one JSON object (docs/trace-json.md).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &TraceArgs) -> ExitCode {
    if args.input.filter.is_some() {
        // A chain crosses whatever a filter would keep (the minting call is rarely in the
        // same selection as the calls made with its key): refuse rather than mislead.
        eprintln!("trailscope: trace follows credentials through all loaded events; --filter is not supported (use --since/--until to load less)");
        return ExitCode::from(2);
    }
    let store = load(&args.input, false);
    let Some(target) = resolve_target(&store, &args.target) else {
        eprintln!(
            "trailscope: \"{}\" is not an access key, eventID or ARN seen in the loaded events",
            sanitize(args.target.trim())
        );
        let code = finish(&store);
        return exit_leaving_store(store, if code == ExitCode::SUCCESS { ExitCode::FAILURE } else { code });
    };
    let result = trace(&store, target);
    let out = io::stdout();
    let mut out = out.lock();
    let written = if args.json {
        terminal_safe_json(&trace_json(&store, &result))
            .map_err(io::Error::other)
            .and_then(|text| writeln!(out, "{text}"))
    } else {
        write_text(&mut out, &store, &result)
    };
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("trailscope: cannot write output: {e}");
            return exit_leaving_store(store, ExitCode::FAILURE);
        }
    }
    let code = finish(&store);
    exit_leaving_store(store, code)
}

fn trace_json(store: &Store, t: &Trace) -> serde_json::Value {
    let target = match &t.target {
        TraceTarget::AccessKey(k) => json!({"kind": "access-key", "value": k}),
        TraceTarget::Event(e) => json!({"kind": "event", "value": store.event_id(*e)}),
        TraceTarget::Principal(p) => json!({"kind": "principal", "value": p}),
    };
    json!({
        "target": target,
        "chains": to_json(store, &t.chains),
        "minted": to_json(store, &t.minted),
    })
}

fn write_text(out: &mut impl Write, store: &Store, t: &Trace) -> io::Result<()> {
    match &t.target {
        TraceTarget::AccessKey(k) => writeln!(out, "Trace of access key {}", sanitize(k))?,
        TraceTarget::Event(e) => writeln!(
            out,
            "Trace of event {} ({} at {})",
            sanitize(store.event_id(*e).unwrap_or("?")),
            sanitize(store.value(*e, crate::store::Facet::EventName).unwrap_or("?")),
            when(store.time(*e))
        )?,
        TraceTarget::Principal(p) => writeln!(out, "Trace of {}", sanitize(p))?,
    }
    if t.chains.is_empty() {
        writeln!(out, "\nNo access key was used: there is no chain to follow up.")?;
    }
    for chain in &t.chains {
        writeln!(out, "\nWhere {} came from:", sanitize(&chain.steps[0].key))?;
        write_chain(out, store, chain)?;
    }
    for k in &t.minted {
        writeln!(out, "\nWhat was done with {}:", sanitize(&k.key))?;
        write_use(out, k, "  ")?;
    }
    Ok(())
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

fn write_chain(out: &mut impl Write, store: &Store, chain: &Chain) -> io::Result<()> {
    for (i, step) in chain.steps.iter().enumerate() {
        let u = &step.usage;
        writeln!(
            out,
            "  {}. {} ({}), {}: {} events, {} … {}",
            i + 1,
            sanitize(&step.key),
            kind(step.key_kind),
            used_by(&u.principals),
            thousands(u.events.len() as u64),
            when(u.first_seen),
            when(u.last_seen)
        )?;
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
        writeln!(out, "{what}")?;
        if let Some(shared) = &m.linked_by {
            let accounts: Vec<String> = m
                .copies
                .iter()
                .map(|&e| store.value(e, crate::store::Facet::RecipientAccount).unwrap_or("?"))
                .map(|a| sanitize(a).into_owned())
                .collect();
            writeln!(out, "     recorded in accounts {} (sharedEventID {})", accounts.join(" and "), sanitize(shared))?;
        }
        let caller = m.caller.as_deref().map_or_else(|| "an unnamed caller".into(), |c| sanitize(c).into_owned());
        match &m.caller_key {
            Some(k) => writeln!(out, "     called by {caller} with {}", sanitize(k))?,
            None => writeln!(out, "     called by {caller} ({}) without an access key", m.caller_kind.name())?,
        }
    }
    match &chain.end {
        ChainEnd::MintNotLoaded { key, console_session } => {
            writeln!(out, "  The event that minted {} is not in the loaded data.", sanitize(key))?;
            if *console_session {
                writeln!(
                    out,
                    "  Its calls used console-session credentials, which a console sign-in issues without recording the key."
                )?;
            }
        }
        ChainEnd::Origin { principal, kind } => writeln!(
            out,
            "  The chain starts at {} ({}), which used no access key.",
            principal.as_deref().map_or_else(|| "an unnamed caller".into(), |p| sanitize(p).into_owned()),
            kind.name()
        )?,
        ChainEnd::CallerCopyNotLoaded { account, principal_id } => writeln!(
            out,
            "  The call came from account {} (principalId {}); that account's copy of it, which names the caller's key, is not in the loaded data.",
            account.as_deref().map_or_else(|| "?".into(), sanitize),
            principal_id.as_deref().map_or_else(|| "?".into(), sanitize)
        )?,
        ChainEnd::Cycle { key } => writeln!(out, "  The chain loops back to {}; stopped there.", sanitize(key))?,
        ChainEnd::TooLong => writeln!(out, "  The chain is too long; cut here.")?,
    }
    Ok(())
}

fn write_use(out: &mut impl Write, k: &KeyUse, indent: &str) -> io::Result<()> {
    let u = &k.usage;
    writeln!(
        out,
        "{indent}{} ({}), {}: {} events, {} … {}",
        sanitize(&k.key),
        kind(k.key_kind),
        used_by(&u.principals),
        thousands(u.events.len() as u64),
        when(u.first_seen),
        when(u.last_seen)
    )?;
    for child in &k.minted {
        write_use(out, child, &format!("{}  └ ", indent.replace('└', " ")))?;
    }
    Ok(())
}
