//! Components shared between pages.

pub mod event_log;
pub mod flow;
pub mod quiz;
pub mod status;
pub mod terminal;
