//! The data model shared by ingest, store and every consumer: event fields, principals
//! and time.

pub mod event;
pub mod identity;
pub mod time;
