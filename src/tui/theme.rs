//! Colours and emphasis, per theme. Every style the panes use is named here, so a theme is
//! one function and `mono` proves the UI still reads without colour.

use ratatui::style::{Color, Modifier, Style};

use crate::config::ThemeName;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub text: Style,
    pub dim: Style,
    pub header: Style,
    pub border: Style,
    pub border_focused: Style,
    pub selected: Style,
    pub error_row: Style,
    pub write_row: Style,
    pub login_row: Style,
    pub chip: Style,
    pub chip_toggle: Style,
    pub bar: Style,
    pub bar_cursor: Style,
    pub json_key: Style,
    pub json_string: Style,
    pub json_number: Style,
    pub json_literal: Style,
    pub highlight: Style,
    pub status: Style,
    pub status_error: Style,
    pub label: Style,
}

impl Theme {
    pub fn of(name: ThemeName) -> Theme {
        let base = Style::default();
        let bold = Modifier::BOLD;
        match name {
            ThemeName::Dark | ThemeName::Light => {
                let (fg_dim, sel_bg, key, string) = if name == ThemeName::Dark {
                    (Color::DarkGray, Color::Rgb(45, 55, 75), Color::LightBlue, Color::LightGreen)
                } else {
                    (Color::Gray, Color::Rgb(200, 215, 240), Color::Blue, Color::Green)
                };
                Theme {
                    text: base,
                    dim: base.fg(fg_dim),
                    header: base.add_modifier(bold).add_modifier(Modifier::UNDERLINED),
                    border: base.fg(fg_dim),
                    border_focused: base.fg(Color::Cyan).add_modifier(bold),
                    selected: base.bg(sel_bg).add_modifier(bold),
                    error_row: base.fg(Color::Red),
                    write_row: base.fg(Color::Yellow),
                    login_row: base.fg(Color::Magenta),
                    chip: base.fg(Color::Black).bg(Color::Cyan),
                    chip_toggle: base.fg(Color::Black).bg(Color::Yellow),
                    bar: base.fg(Color::Cyan),
                    bar_cursor: base.fg(Color::Yellow).add_modifier(bold),
                    json_key: base.fg(key),
                    json_string: base.fg(string),
                    json_number: base.fg(Color::Cyan),
                    json_literal: base.fg(Color::Magenta),
                    highlight: base.fg(Color::Yellow).add_modifier(bold).add_modifier(Modifier::UNDERLINED),
                    status: base,
                    status_error: base.fg(Color::Red).add_modifier(bold),
                    label: base.fg(fg_dim),
                }
            }
            ThemeName::Mono => Theme {
                text: base,
                dim: base.add_modifier(Modifier::DIM),
                header: base.add_modifier(bold).add_modifier(Modifier::UNDERLINED),
                border: base,
                border_focused: base.add_modifier(bold),
                selected: base.add_modifier(Modifier::REVERSED),
                error_row: base.add_modifier(bold),
                write_row: base.add_modifier(Modifier::UNDERLINED),
                login_row: base.add_modifier(Modifier::ITALIC),
                chip: base.add_modifier(Modifier::REVERSED),
                chip_toggle: base.add_modifier(Modifier::REVERSED).add_modifier(bold),
                bar: base,
                bar_cursor: base.add_modifier(Modifier::REVERSED),
                json_key: base.add_modifier(bold),
                json_string: base,
                json_number: base,
                json_literal: base.add_modifier(Modifier::ITALIC),
                highlight: base.add_modifier(Modifier::UNDERLINED).add_modifier(bold),
                status: base,
                status_error: base.add_modifier(bold),
                label: base.add_modifier(Modifier::DIM),
            },
        }
    }
}
