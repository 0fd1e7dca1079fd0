//! The filter language: parse text (`parse`, `fields`) into an expression, evaluate it
//! over the store's postings (`eval`, `bitset`) into a time-ordered selection.

pub mod bitset;
pub mod eval;
pub mod fields;
pub mod parse;

pub use eval::{matching, select, EvalError};
pub use parse::{parse, Expr, ParseError};
