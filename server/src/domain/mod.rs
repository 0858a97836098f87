//! Input rules that hold regardless of storage.

pub mod names;
pub mod slug;
