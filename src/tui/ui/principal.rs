//! The drill-down below the Identities pane: everything the selection says about the
//! highlighted principal — counts, first and last seen, source IPs, user agents, regions,
//! accounts, top calls, access keys, console logins with MFA, sessions.

use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::text::group;
use crate::analysis::identities::ValueStat;
use crate::sanitize::sanitize;
use crate::store::read_store;
use crate::tui::app::App;
use crate::tui::theme::Theme;

fn flag(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "not recorded",
    }
}

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let halves = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(45), Constraint::Percentage(55)])
        .split(area);
    let store = app.store.clone();
    let store = read_store(&store);
    let zone = app.zone;
    let when = |t: Option<i64>| zone.format(t);
    let Some(s) = app.identities.current_summary(&store) else {
        let block = Block::default().borders(Borders::ALL).border_style(theme.border).title(" Principal ");
        let hint = "move to a principal or a session for its summary; Enter on a role or account narrows to it";
        frame.render_widget(Paragraph::new(Span::styled(hint, theme.dim)).block(block), area);
        return;
    };
    let label = |t: &str| Span::styled(format!("{t:<16}"), theme.label);
    let mut left = vec![
        Line::from(vec![
            label("Principal"),
            Span::raw(sanitize(s.principal.as_deref().unwrap_or("(no identity)")).into_owned()),
        ]),
        Line::from(vec![label("Type"), Span::raw(s.kind.name())]),
    ];
    if let Some(a) = &s.account {
        left.push(Line::from(vec![label("Account"), Span::raw(sanitize(a).into_owned())]));
    }
    if let Some(i) = &s.issuer {
        left.push(Line::from(vec![label("Issuer"), Span::raw(sanitize(i).into_owned())]));
    }
    left.push(Line::from(vec![
        label("Events"),
        Span::raw(format!(
            "{} · {} errors · {} AccessDenied",
            group(s.events),
            group(s.errors),
            group(s.access_denied)
        )),
    ]));
    left.push(Line::from(vec![label("Seen"), Span::raw(format!("{} … {}", when(s.first_seen), when(s.last_seen)))]));
    let list = |lines: &mut Vec<Line>, title: &str, stats: &[ValueStat], max: usize| {
        if stats.is_empty() {
            return;
        }
        lines.push(Line::from(Span::styled(format!("{title} ({})", stats.len()), theme.header)));
        for v in stats.iter().take(max) {
            lines.push(Line::from(format!(
                "  {:>7}  {}  ({} … {})",
                group(v.count),
                sanitize(&v.value),
                when(v.first_seen),
                when(v.last_seen)
            )));
        }
        if stats.len() > max {
            lines.push(Line::from(Span::styled(format!("  … {} more", stats.len() - max), theme.dim)));
        }
    };
    list(&mut left, "Top calls", &s.event_names, 10);
    list(&mut left, "Regions", &s.regions, 5);
    list(&mut left, "Accounts called in", &s.accounts, 5);

    let mut right = Vec::new();
    list(&mut right, "Source IPs", &s.source_ips, 8);
    list(&mut right, "User agents", &s.user_agents, 5);
    list(&mut right, "Access keys", &s.access_keys, 8);
    if !s.console_logins.is_empty() {
        right.push(Line::from(Span::styled(format!("Console logins ({})", s.console_logins.len()), theme.header)));
        for l in s.console_logins.iter().take(8) {
            let style =
                if l.mfa_used == Some(false) || l.success == Some(false) { theme.error_row } else { theme.text };
            right.push(Line::from(Span::styled(
                format!(
                    "  {}  from {}  success: {}  MFA: {}",
                    when(l.time),
                    sanitize(l.source_ip.as_deref().unwrap_or("?")),
                    flag(l.success),
                    flag(l.mfa_used)
                ),
                style,
            )));
        }
    }
    if !s.sessions.is_empty() {
        right.push(Line::from(Span::styled(format!("Sessions ({})", s.sessions.len()), theme.header)));
        for x in s.sessions.iter().take(8) {
            let mut text = format!(
                "  {} {}  {} events  created {}  MFA {}",
                sanitize(&x.access_key),
                sanitize(x.session_name.as_deref().unwrap_or("")),
                group(x.events),
                sanitize(x.created.as_deref().unwrap_or("?")),
                flag(x.mfa_authenticated)
            );
            if let Some(si) = &x.source_identity {
                text.push_str(&format!("  source identity {}", sanitize(si)));
            }
            right.push(Line::from(text));
        }
    }
    let block = |t: &'static str| Block::default().borders(Borders::ALL).border_style(theme.border).title(t);
    frame.render_widget(Paragraph::new(left).block(block(" Principal ")), halves[0]);
    frame.render_widget(Paragraph::new(right).block(block(" Where from, with what ")), halves[1]);
}
