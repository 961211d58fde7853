//! One module per page (route).

pub mod catalog;
pub mod join;
pub mod lesson;
pub mod lesson_challenge;
pub mod not_found;
pub mod sandbox;
pub mod workshop_instructor;
pub mod workshop_new;
