//! `trailscope trace`: the credential chain of an access key, an event or a principal — up
//! to the event that minted each key and its caller, and down to everything done with the
//! keys minted.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::analysis_json::to_json;
use super::stats::finish;
use super::{conclude, exit_leaving_store, load, InputArgs};
use crate::analysis::chains::{resolve_target, trace, Trace, TraceTarget};
use crate::sanitize::{sanitize, terminal_safe_json};
use crate::store::Store;
use crate::view::trace::trace_lines;

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
    conclude(store, written)
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
    for line in trace_lines(store, t) {
        writeln!(out, "{}", line.text)?;
    }
    Ok(())
}
