//! Reading CloudTrail inputs of every shape into the store: enumerate files and open
//! containers (`files`), find records (`discover`, `fastscan`, `scan`, `text`, `salvage`),
//! append them (`input`), all on worker threads with progress (`pipeline`).

pub mod discover;
pub mod fastscan;
pub mod files;
pub mod input;
pub mod isolate;
pub(crate) mod libdeflate;
pub mod limits;
pub mod pipeline;
pub mod report;
pub mod salvage;
pub mod scan;
mod seen;
mod special;
pub mod text;

pub use limits::Limits;
pub use pipeline::{load_bytes, load_into, spawn_load, LoadEvent, LoadHandle, LoadOptions, TimeWindow};
pub use report::{Problem, ProblemKind};
