//! How `{org}` in a path names an organization: by id or by slug.

use crate::domain::slug;
use uuid::Uuid;

pub enum OrgKey<'a> {
    Id(Uuid),
    Slug(&'a str),
}

impl<'a> OrgKey<'a> {
    /// A UUID is an id (no slug can look like one); anything else a slug.
    pub fn parse(s: &'a str) -> OrgKey<'a> {
        match Uuid::parse_str(s) {
            Ok(id) => OrgKey::Id(id),
            Err(_) => OrgKey::Slug(s),
        }
    }

    /// [`OrgKey::parse`], or `None` for a slug that breaks the slug rule: no
    /// such organization can exist, so nobody need ask the database.
    pub fn possible(s: &'a str) -> Option<OrgKey<'a>> {
        match OrgKey::parse(s) {
            OrgKey::Slug(s) if !slug::is_valid(s) => None,
            key => Some(key),
        }
    }

    /// The `(id, slug)` pair the one-statement SQL functions take: exactly
    /// one of them is set.
    pub fn as_params(&self) -> (Option<Uuid>, Option<&'a str>) {
        match *self {
            OrgKey::Id(id) => (Some(id), None),
            OrgKey::Slug(s) => (None, Some(s)),
        }
    }
}
