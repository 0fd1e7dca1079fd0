//! trailscope: explore AWS CloudTrail logs offline.
//!
//! The core runs in one direction — `ingest` → `store` → (`query`, `view`, `export`,
//! `analysis`; and `integrity` beside them) — and never imports a terminal library; the CLI
//! in `cli` is one consumer of it.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod export;
pub mod hash_keys;
pub mod ingest;
pub mod integrity;
pub mod model;
pub mod query;
pub mod sanitize;
pub mod store;
pub mod tui;
pub mod view;
