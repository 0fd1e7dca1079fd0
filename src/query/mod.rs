//! The filter language: parse text (`parse`, `fields`) into an expression, evaluate it
//! over the store's postings (`eval`, `bitset`) into a time-ordered selection; the
//! one-line summary of an event that bare words and fuzzy search look at (`summary`).

pub mod bitset;
pub mod eval;
pub mod fields;
pub mod parse;
pub mod search;
pub mod summary;

pub use eval::{matching, select, EvalError};
pub use parse::{parse, Expr, ParseError};
