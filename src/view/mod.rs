//! View models: what the explorer's panes show, computed from the store without any
//! terminal library (so they are tested like the rest of the core). Every string they
//! hand out for display is already neutralised by [`crate::sanitize`].

pub mod clock;
pub mod detail;
pub mod histogram;
pub mod json_rows;
pub mod timeline;
pub mod trace;
