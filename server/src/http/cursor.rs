//! Signed cursors of the `/api/v2/` lists (`backend_api::types::cursor`).
//!
//! A cursor is `base64url(payload) "." base64url(HMAC-SHA256(payload))`; the
//! payload names the list, the caller and the last row of the page (its sort
//! time and id). Opening checks the signature first, then that list and caller
//! are this request's: a cursor cannot be forged, moved to another list, or
//! replayed by another user. A JWT key rotation invalidates open cursors
//! (their key derives from it); the client starts its walk again.

use backend_api::ApiError;
use backend_api::types::{Cursor, CursorParams};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use dropshot::{ResultsPage, WhichPage};
use serde::{Deserialize, Serialize};

/// The most rows one page may ask for (dropshot's default page size too).
const MAX_LIMIT: u32 = 100;

#[derive(Serialize, Deserialize)]
struct Payload {
    /// The list: `orgs`, `projects:<org id>`, `members:<org id>`.
    l: String,
    /// The caller.
    u: String,
    /// Sort time and id of the last row returned.
    t: DateTime<Utc>,
    i: String,
}

/// The position a page continues after: the last row's sort time and id.
pub type Position = (DateTime<Utc>, uuid::Uuid);

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
    fn new(key: &'a aws_lc_rs::hmac::Key, list: String, caller: uuid::Uuid) -> Cursors<'a> {
        Cursors {
            key,
            list,
            caller: caller.to_string(),
            limit: MAX_LIMIT,
        }
    }

    fn sign(&self, (t, id): Position) -> Result<Cursor, ApiError> {
        let payload = serde_json::to_vec(&Payload {
            l: self.list.clone(),
            u: self.caller.clone(),
            t,
            i: id.to_string(),
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

    fn open(&self, cursor: &Cursor) -> Result<Position, ApiError> {
        let (payload, tag) = cursor.cursor.split_once('.').ok_or_else(invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        aws_lc_rs::hmac::verify(self.key, &payload, &tag).map_err(|_| invalid())?;
        let p: Payload = serde_json::from_slice(&payload).map_err(|_| invalid())?;
        if p.l != self.list || p.u != self.caller {
            return Err(invalid());
        }
        Ok((p.t, p.i.parse().map_err(|_| invalid())?))
    }

    /// Reads a page request of `list` by `caller`: its cursors, and where the
    /// page starts (`None`: the first page). The key is the server's cursor
    /// key (`JwtKeys::cursor_key`).
    pub fn request(
        rqctx: &'a dropshot::RequestContext<crate::context::AppState>,
        list: String,
        caller: uuid::Uuid,
        params: &CursorParams,
    ) -> Result<(Cursors<'a>, Option<Position>), ApiError> {
        let mut cursors = Cursors::new(rqctx.context().jwt.cursor_key(), list, caller);
        cursors.limit = rqctx
            .page_limit(params)
            .map_err(backend_api::extract::untag)?
            .get()
            .min(MAX_LIMIT);
        let after = match &params.page {
            WhichPage::First(_) => None,
            WhichPage::Next(cursor) => Some(cursors.open(cursor)?),
        };
        Ok((cursors, after))
    }

    /// How many rows to fetch: one more than the page shows, which only says
    /// whether there is a next page.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// The answer for the rows fetched; the next page's cursor is the
    /// position of the last row shown.
    pub fn page<T: Serialize>(
        &self,
        mut rows: Vec<T>,
        position: impl Fn(&T) -> Position,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &[u8]) -> aws_lc_rs::hmac::Key {
        aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, k)
    }

    #[test]
    fn a_cursor_opens_only_for_its_list_its_caller_and_its_key() {
        let (k, other_key) = (key(b"one"), key(b"two"));
        let user = uuid::Uuid::new_v4();
        let at: Position = (Utc::now(), uuid::Uuid::new_v4());
        let cursors = Cursors::new(&k, "orgs".into(), user);
        let c = cursors.sign(at).unwrap();
        assert_eq!(cursors.open(&c).unwrap(), at);
        for (label, other) in [
            ("another list", Cursors::new(&k, "projects:x".into(), user)),
            (
                "another caller",
                Cursors::new(&k, "orgs".into(), uuid::Uuid::new_v4()),
            ),
            ("another key", Cursors::new(&other_key, "orgs".into(), user)),
        ] {
            assert!(other.open(&c).is_err(), "{label}");
        }
        // One changed character anywhere breaks it.
        let mut bytes = c.cursor.clone().into_bytes();
        for i in [0, bytes.len() / 2, bytes.len() - 1] {
            let original = bytes[i];
            bytes[i] = if original == b'A' { b'B' } else { b'A' };
            let forged = Cursor {
                cursor: String::from_utf8(bytes.clone()).unwrap(),
            };
            assert!(cursors.open(&forged).is_err(), "byte {i}");
            bytes[i] = original;
        }
    }
}
