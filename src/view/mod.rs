//! View models: what the explorer's panes show, computed from the store without any
//! terminal library (so they are tested like the rest of the core).

pub mod json_rows;
