//! One module per page (route).

pub mod catalog;
pub mod lesson;
pub mod not_found;
pub mod sandbox;
