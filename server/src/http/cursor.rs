//! Signed cursors of the `/api/v2/` lists (`backend_api::types::cursor`).
//!
//! A cursor is `base64url(payload) "." base64url(HMAC-SHA256(payload))`; the
//! payload names the list, the caller and the last row of the page (its sort
//! key and id, and whatever else the list keeps across pages, such as a
//! config list's service). Opening checks the signature first, then that
//! list and caller are this request's: a cursor cannot be forged, moved to
//! another list, or replayed by another user. A JWT key rotation invalidates
//! open cursors (their key derives from it); the client starts its walk
//! again.

use crate::tenant::OrgKey;
use backend_api::ApiError;
use backend_api::types::{Cursor, CursorParams};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dropshot::{ResultsPage, WhichPage};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;

/// The most rows one page may ask for (dropshot's default page size too).
const MAX_LIMIT: u32 = 100;

#[derive(Serialize, Deserialize)]
struct Payload<P> {
    /// The list: `orgs`, `projects:<org id>`, `members:<org id>`, `configs`,
    /// `config-history:<key>`.
    l: String,
    /// The caller: a user id, or an admin token's subject.
    u: String,
    /// Where the page ended: the last row's sort key, with the list's state.
    p: P,
}

/// Where a requested page starts.
pub enum Start<'p, S, P> {
    /// The first page, with the query's parameters of the list.
    First(&'p S),
    /// After the position a cursor names.
    After(P),
}

/// Cursors of one list for one caller, and the page the request asked for.
pub struct Cursors<'a> {
    key: &'a aws_lc_rs::hmac::Key,
    list: String,
    caller: String,
    limit: u32,
}

fn invalid() -> ApiError {
    ApiError::validation(
        "page_token",
        "the page token is not one this server issued for this list and caller; start again without it",
    )
}

impl<'a> Cursors<'a> {
    fn new(key: &'a aws_lc_rs::hmac::Key, list: String, caller: String) -> Cursors<'a> {
        Cursors {
            key,
            list,
            caller,
            limit: MAX_LIMIT,
        }
    }

    fn sign<P: Serialize>(&self, position: P) -> Result<Cursor, ApiError> {
        let payload = serde_json::to_vec(&Payload {
            l: self.list.clone(),
            u: self.caller.clone(),
            p: position,
        })
        .map_err(ApiError::internal)?;
        let tag = aws_lc_rs::hmac::sign(self.key, &payload);
        Ok(Cursor {
            cursor: format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(&payload),
                URL_SAFE_NO_PAD.encode(tag.as_ref())
            ),
        })
    }

    /// The position `cursor` names, if it is one of this list's and caller's
    /// (the same checks as a request's, for the unit tests).
    #[cfg(test)]
    fn open<P: DeserializeOwned>(&self, cursor: &Cursor) -> Result<P, ApiError> {
        let p: Payload<P> = verified(self.key, cursor)?;
        let named = Some((p.l, p.u));
        Unconfirmed {
            key: self.key,
            limit: self.limit,
            named,
        }
        .confirm(self.list.clone(), &self.caller)?;
        Ok(p.p)
    }

    /// Reads a page request of `list` by `caller`: its cursors, and where the
    /// page starts. The key is the server's cursor key
    /// (`JwtKeys::cursor_key`).
    pub fn request<'p, S: DeserializeOwned + Send + Sync + 'static, P: DeserializeOwned>(
        rqctx: &'a dropshot::RequestContext<crate::context::AppState>,
        list: String,
        caller: &impl ToString,
        params: &'p CursorParams<S>,
    ) -> Result<(Cursors<'a>, Start<'p, S, P>), ApiError> {
        let (unconfirmed, after) = Unconfirmed::open(rqctx, params)?;
        let cursors = unconfirmed.confirm(list, caller)?;
        let start = match (&params.page, after) {
            (_, Some(position)) => Start::After(position),
            (WhichPage::First(scan), None) => Start::First(scan),
            (WhichPage::Next(_), None) => unreachable!("a next page opens a position"),
        };
        Ok((cursors, start))
    }

    /// How many rows to fetch: one more than the page shows, which only says
    /// whether there is a next page.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// The answer for the rows fetched; the next page's cursor is the
    /// position of the last row shown.
    pub fn page<T: Serialize, P: Serialize>(
        &self,
        mut rows: Vec<T>,
        position: impl Fn(&T) -> P,
    ) -> Result<ResultsPage<T>, ApiError> {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        match rows.last() {
            Some(last) if more => {
                let next = self.sign(position(last))?;
                // dropshot wraps the selector in its own page token.
                ResultsPage::new(rows, &dropshot::EmptyScanParams {}, |_, _| next.clone())
                    .map_err(|e| ApiError::internal(e.internal_message))
            }
            _ => Ok(ResultsPage {
                items: rows,
                next_page: None,
            }),
        }
    }
}

/// A page request whose cursor is signed by this server but not yet known
/// to be of this list and this caller: for a list whose name the read itself
/// finds (the organization a slug names). [`Unconfirmed::confirm`] checks
/// both before any row is shown, so a cursor still cannot move to another
/// list or caller; what the read saw meanwhile is dropped.
pub struct Unconfirmed<'a> {
    key: &'a aws_lc_rs::hmac::Key,
    limit: u32,
    /// The list and caller the cursor names; `None` on the first page.
    named: Option<(String, String)>,
}

impl<'a> Unconfirmed<'a> {
    /// Checks the cursor's signature and reads its position.
    pub fn open<S: DeserializeOwned + Send + Sync + 'static, P: DeserializeOwned>(
        rqctx: &'a dropshot::RequestContext<crate::context::AppState>,
        params: &CursorParams<S>,
    ) -> Result<(Unconfirmed<'a>, Option<P>), ApiError> {
        let key = rqctx.context().jwt.cursor_key();
        let limit = rqctx
            .page_limit(params)
            .map_err(backend_api::extract::untag)?
            .get()
            .min(MAX_LIMIT);
        let (named, after) = match &params.page {
            WhichPage::First(_) => (None, None),
            WhichPage::Next(cursor) => {
                let p: Payload<P> = verified(key, cursor)?;
                (Some((p.l, p.u)), Some(p.p))
            }
        };
        Ok((Unconfirmed { key, limit, named }, after))
    }

    /// How many rows to fetch (see [`Cursors::fetch`]).
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// The cursors of `list` for `caller`, if the request's cursor (if any)
    /// is one of theirs.
    pub fn confirm(self, list: String, caller: &impl ToString) -> Result<Cursors<'a>, ApiError> {
        let caller = caller.to_string();
        if let Some((l, u)) = &self.named
            && (*l != list || *u != caller)
        {
            return Err(invalid());
        }
        let mut cursors = Cursors::new(self.key, list, caller);
        cursors.limit = self.limit;
        Ok(cursors)
    }
}

/// A cursor page of a list inside the organization `org` names (the list
/// `{list}:{org id}`), read in one statement: `read` gets the caller, the
/// organization key, the position to continue after and how many rows to
/// fetch, and returns whether the user exists and, when the organization is
/// visible, its id and the rows. `position` is the sort key of a row.
pub async fn org_page<'a, T, P, Fut>(
    rqctx: &'a dropshot::RequestContext<crate::context::AppState>,
    org: &'a str,
    params: Result<CursorParams, ApiError>,
    list: &str,
    read: impl FnOnce(&'a crate::context::AppState, uuid::Uuid, OrgKey<'a>, Option<P>, i64) -> Fut,
    position: impl Fn(&T) -> P,
) -> Result<ResultsPage<T>, ApiError>
where
    T: Serialize,
    P: Serialize + DeserializeOwned,
    Fut: Future<Output = Result<(bool, Option<(uuid::Uuid, Vec<T>)>), sqlx::Error>>,
{
    let request = || params.and_then(|params| Unconfirmed::open(rqctx, &params));
    let (user, org, rows, unconfirmed) = super::session::org_read(
        rqctx,
        org,
        request,
        |state, user, key, (unconfirmed, after)| async move {
            let fetch = unconfirmed.fetch();
            let (user_exists, found) = read(state, user, key, after, fetch).await?;
            let page = found.map(|(org, rows)| (user, org, rows, unconfirmed));
            Ok((user_exists, page))
        },
    )
    .await?;
    unconfirmed
        .confirm(format!("{list}:{org}"), &user)?
        .page(rows, position)
}

/// The payload of a cursor whose signature `key` made.
fn verified<P: DeserializeOwned>(
    key: &aws_lc_rs::hmac::Key,
    cursor: &Cursor,
) -> Result<Payload<P>, ApiError> {
    let (payload, tag) = cursor.cursor.split_once('.').ok_or_else(invalid)?;
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
    aws_lc_rs::hmac::verify(key, &payload, &tag).map_err(|_| invalid())?;
    serde_json::from_slice(&payload).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    /// A tenant list's position: the last row's sort time and id.
    type Position = (DateTime<Utc>, uuid::Uuid);

    fn key(k: &[u8]) -> aws_lc_rs::hmac::Key {
        aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, k)
    }

    #[test]
    fn a_cursor_opens_only_for_its_list_its_caller_and_its_key() {
        let (k, other_key) = (key(b"one"), key(b"two"));
        let user = uuid::Uuid::new_v4().to_string();
        let at: Position = (Utc::now(), uuid::Uuid::new_v4());
        let cursors = Cursors::new(&k, "orgs".into(), user.clone());
        let c = cursors.sign(at).unwrap();
        assert_eq!(cursors.open::<Position>(&c).unwrap(), at);
        for (label, other) in [
            (
                "another list",
                Cursors::new(&k, "projects:x".into(), user.clone()),
            ),
            (
                "another caller",
                Cursors::new(&k, "orgs".into(), "admin:ops".into()),
            ),
            ("another key", Cursors::new(&other_key, "orgs".into(), user)),
        ] {
            assert!(other.open::<Position>(&c).is_err(), "{label}");
        }
        // A cursor of another list's shape does not open as this one's.
        assert!(cursors.open::<(String, i64)>(&c).is_err());
        // One changed character anywhere breaks it.
        let mut bytes = c.cursor.clone().into_bytes();
        for i in [0, bytes.len() / 2, bytes.len() - 1] {
            let original = bytes[i];
            bytes[i] = if original == b'A' { b'B' } else { b'A' };
            let forged = Cursor {
                cursor: String::from_utf8(bytes.clone()).unwrap(),
            };
            assert!(cursors.open::<Position>(&forged).is_err(), "byte {i}");
            bytes[i] = original;
        }
    }
}
