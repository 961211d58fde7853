//! Components shared between pages.

pub mod chart;
pub mod charts_panel;
pub mod diagram;
pub mod event_log;
pub mod explain;
pub mod flow;
pub mod form;
pub mod quiz;
pub mod status;
pub mod terminal;
pub mod timeline;
