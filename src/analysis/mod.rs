//! Answers to "who is behind every action": per-principal summaries, credential
//! provenance chains and notable events, computed from the store (no terminal imports).
//!
//! Every entry point is a pure function over `&Store` and, where it makes sense, a
//! selection of event ids (the time-ordered `Vec<u32>` a filter produces), returning plain
//! structs that the TUI and the CLI render as they like. Bulk work reads the store's
//! columns and postings. The facts CloudTrail keeps deep in an event's JSON are either
//! indexed at ingest (a session's creation date and MFA, `inScopeOf`, the key a call
//! minted, whether a request-dependent notable rule holds: see [`at_ingest`]) or read
//! from the original bytes of the handful of events a view shows (a chain's minting
//! events, a principal's console sign-ins).
//!
//! - [`principals`]: the kind of principal behind an event, and the identity details read
//!   from its JSON (source identity, MFA, console session, `inScopeOf`).
//! - [`identities`]: per-principal summaries, grouped by account and type, sortable.
//! - [`chains`]: which event minted an access key, up the chain, and what a minted key did.
//! - [`notable`]: the built-in list of security-sensitive events and AccessDenied bursts.

pub mod at_ingest;
pub mod chains;
pub mod identities;
pub mod notable;
pub mod principals;
mod rawjson;
