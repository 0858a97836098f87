//! Wire types: what crosses HTTP, one file per resource.

pub mod auth;
pub mod configs;
pub mod cursor;
pub mod docs;
pub mod health;
pub mod orgs;
pub mod page;
pub mod precondition;
pub mod projects;

pub use auth::*;
pub use configs::*;
pub use cursor::*;
pub use docs::*;
pub use health::*;
pub use orgs::*;
pub use page::*;
pub use precondition::*;
pub use projects::*;
