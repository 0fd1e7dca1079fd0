//! `trailscope identities`: who is behind the selected events — every principal with its
//! counts, errors, first and last seen, IPs, user agents, keys, sessions and console
//! sign-ins, grouped by account and kind (roles with their sessions under them).

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::analysis_json::{to_json, when};
use super::{conclude, load_selected, InputArgs};
use crate::analysis::identities::{fill_details, group, summarize, Entry, PrincipalSummary, SortKey, ValueStat};
use crate::ingest::report::group as thousands;
use crate::sanitize::{sanitize, terminal_safe_json};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    /// most events first
    Count,
    /// most errors first
    Errors,
    /// earliest first seen first
    First,
    /// most recently seen first
    Last,
}

#[derive(Args, Debug)]
pub struct IdentitiesArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Order of accounts, principals, roles and sessions.
    #[arg(long, value_enum, default_value = "count")]
    pub sort: SortArg,
    /// Print one JSON object (docs/identities-json.md).
    #[arg(long)]
    pub json: bool,
}

/// How many values of each list the text output shows per principal (JSON has them all).
const SHOWN: usize = 3;

pub fn run(args: &IdentitiesArgs) -> ExitCode {
    let (store, selection) = match load_selected(&args.input) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let key = match args.sort {
        SortArg::Count => SortKey::Count,
        SortArg::Errors => SortKey::Errors,
        SortArg::First => SortKey::FirstSeen,
        SortArg::Last => SortKey::LastSeen,
    };
    let mut summaries = summarize(&store, &selection);
    fill_details(&store, &mut summaries);
    let out = io::stdout();
    let mut out = out.lock();
    let written = if args.json {
        let groups = group(&summaries, key);
        let value = json!({
            "events": selection.len(),
            "principals": summaries.len(),
            "sort": key.name(),
            "groups": to_json(&store, &groups),
            "summaries": to_json(&store, &summaries),
        });
        terminal_safe_json(&value).map_err(io::Error::other).and_then(|text| writeln!(out, "{text}"))
    } else {
        write_text(&mut out, &summaries, key, selection.len())
    };
    conclude(store, written)
}

fn write_text(out: &mut impl Write, summaries: &[PrincipalSummary], key: SortKey, events: usize) -> io::Result<()> {
    writeln!(
        out,
        "{} principals in {} events (sorted by {})",
        thousands(summaries.len() as u64),
        thousands(events as u64),
        key.name()
    )?;
    for account in group(summaries, key) {
        let name = account.account.as_deref().map_or_else(|| "(no account)".into(), sanitize);
        writeln!(out, "\naccount {name}  {}", figures(account.totals.events, account.totals.errors))?;
        for kind in &account.kinds {
            writeln!(out, "  {}", kind.kind.heading())?;
            for entry in &kind.entries {
                match entry {
                    Entry::Principal { index } => principal(out, &summaries[*index], "    ")?,
                    Entry::Role { role, label, totals, sessions } => {
                        writeln!(
                            out,
                            "    role {}  {}  last {}",
                            sanitize(label),
                            figures(totals.events, totals.errors),
                            when(totals.last_seen)
                        )?;
                        writeln!(out, "      {}", sanitize(role))?;
                        for &i in sessions {
                            principal(out, &summaries[i], "      ")?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn figures(events: u64, errors: u64) -> String {
    format!("{} events, {} errors", thousands(events), thousands(errors))
}

fn principal(out: &mut impl Write, s: &PrincipalSummary, indent: &str) -> io::Result<()> {
    let denied = if s.access_denied > 0 { format!(" ({} denied)", thousands(s.access_denied)) } else { String::new() };
    writeln!(
        out,
        "{indent}{}  {}{denied}  {} … {}",
        sanitize(&s.label),
        figures(s.events, s.errors),
        when(s.first_seen),
        when(s.last_seen)
    )?;
    let more = format!("{indent}    ");
    if let Some(p) = s.principal.as_deref().filter(|p| *p != s.label) {
        writeln!(out, "{more}{}", sanitize(p))?;
    }
    list(out, &more, "IPs", &s.source_ips)?;
    list(out, &more, "user agents", &s.user_agents)?;
    list(out, &more, "keys", &s.access_keys)?;
    list(out, &more, "regions", &s.regions)?;
    list(out, &more, "top calls", &s.event_names)?;
    for login in &s.console_logins {
        let outcome = match login.success {
            Some(true) => "success",
            Some(false) => "FAILED",
            None => "outcome not recorded",
        };
        let mfa = match login.mfa_used {
            Some(true) => "MFA",
            Some(false) => "NO MFA",
            None => "MFA not recorded",
        };
        let ip = login.source_ip.as_deref().map(sanitize).unwrap_or_default();
        writeln!(out, "{more}console sign-in {}  {outcome}, {mfa}  from {ip}", when(login.time))?;
    }
    for session in &s.sessions {
        let mut facts = Vec::new();
        if let Some(c) = &session.created {
            facts.push(format!("created {}", sanitize(c)));
        }
        if let Some(si) = &session.source_identity {
            facts.push(format!("source identity {}", sanitize(si)));
        }
        if let Some(m) = session.mfa_authenticated {
            facts.push(if m { "MFA".into() } else { "no MFA".into() });
        }
        if session.from_console == Some(true) {
            facts.push("console".into());
        }
        if let Some(to) = &session.credentials_issued_to {
            facts.push(format!("issued to {}", sanitize(to)));
        }
        let name = session.session_name.as_deref().map(|n| format!(" {}", sanitize(n))).unwrap_or_default();
        writeln!(
            out,
            "{more}session {}{name}  {} events  {} … {}{}",
            sanitize(&session.access_key),
            thousands(session.events),
            when(session.first_seen),
            when(session.last_seen),
            if facts.is_empty() { String::new() } else { format!("  ({})", facts.join(", ")) }
        )?;
    }
    Ok(())
}

fn list(out: &mut impl Write, indent: &str, heading: &str, values: &[ValueStat]) -> io::Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> =
        values.iter().take(SHOWN).map(|v| format!("{} ({})", sanitize(&v.value), thousands(v.count))).collect();
    let rest = values.len().saturating_sub(SHOWN);
    let tail = if rest > 0 { format!(", +{rest} more") } else { String::new() };
    writeln!(out, "{indent}{heading}: {}{tail}", shown.join(", "))
}
