//! `LabelSelector` as written in manifests (`matchLabels`, `matchExpressions`). The type
//! and its matching rules live in [`crate::kube::label_selector`]; the API model uses
//! that one type.

pub use crate::kube::label_selector::{LabelSelector, LabelSelectorRequirement};
