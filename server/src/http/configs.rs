//! Service configuration: admin tokens only, reads included. Values may be
//! secrets (an API key, a DSN) and the history shows who changed what, while
//! anyone can sign in as a guest, so a guest token reads nothing here
//! (docs/architecture/tenancy.md). Every write is announced to all replicas
//! after it commits.

use super::cursor::{Cursors, Start};
use super::{db_error, page, session};
use crate::auth::Identity;
use crate::configs::store::{self, Put, PutOutcome};
use crate::configs::{Source, rules, watcher};
use crate::context::AppState;
use backend_api::types::*;
use backend_api::{ApiError, ErrorCode, Tagged};
use dropshot::{HttpResponseOk, RequestContext, ResultsPage};

fn not_found(service: &str, key: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ConfigNotFound,
        format!("Config {key} of service {service} not found"),
    )
}

async fn admin(rqctx: &RequestContext<AppState>) -> Result<Identity, ApiError> {
    let identity = session::authenticate(rqctx)?;
    if identity.admin {
        Ok(identity)
    } else {
        Err(ApiError::forbidden(
            "configuration is readable and writable with an admin token only (`backend token --admin`)",
        ))
    }
}

pub async fn list(
    rqctx: &RequestContext<AppState>,
    query: ConfigListQuery,
) -> Result<HttpResponseOk<Page<ConfigEntry>>, ApiError> {
    admin(rqctx).await?;
    let service = rules::service(query.service.as_deref())?;
    let (limit, offset) = page::params(PageParams {
        limit: query.limit,
        offset: query.offset,
    })?;
    let (data, total) = store::list(&rqctx.context().pool, &service, limit, offset)
        .await
        .map_err(db_error)?;
    Ok(HttpResponseOk(page::page(data, limit, offset, total)))
}

pub async fn get(
    rqctx: &RequestContext<AppState>,
    path: ConfigPath,
    query: ServiceQuery,
) -> Result<Tagged<HttpResponseOk<ConfigEntry>>, ApiError> {
    admin(rqctx).await?;
    let service = rules::service(query.service.as_deref())?;
    rules::key(&path.key)?;
    store::get(&rqctx.context().pool, &service, &path.key)
        .await
        .map_err(db_error)?
        .map(|entry| super::precondition::tagged(entry.version, entry))
        .ok_or_else(|| not_found(&service, &path.key))
}

pub async fn history(
    rqctx: &RequestContext<AppState>,
    path: ConfigPath,
    query: ConfigListQuery,
) -> Result<HttpResponseOk<Page<ConfigChange>>, ApiError> {
    admin(rqctx).await?;
    let service = rules::service(query.service.as_deref())?;
    rules::key(&path.key)?;
    let (limit, offset) = page::params(PageParams {
        limit: query.limit,
        offset: query.offset,
    })?;
    let (data, total) = store::history(&rqctx.context().pool, &service, &path.key, limit, offset)
        .await
        .map_err(db_error)?
        .ok_or_else(|| not_found(&service, &path.key))?;
    Ok(HttpResponseOk(page::page(data, limit, offset, total)))
}

/// The service a config list page reads and the position it continues after:
/// the first page's query names the service (checked), a later page's cursor
/// carries it with the position.
fn service_and_position<P>(
    start: Start<'_, ConfigScan, (String, P)>,
) -> Result<(String, Option<P>), ApiError> {
    Ok(match start {
        Start::First(scan) => (rules::service(scan.service.as_deref())?, None),
        Start::After((service, position)) => (service, Some(position)),
    })
}

/// The cursor page of a service's entries, by key.
pub async fn list_v2(
    rqctx: &RequestContext<AppState>,
    params: Result<CursorParams<ConfigScan>, ApiError>,
) -> Result<HttpResponseOk<ResultsPage<ConfigEntry>>, ApiError> {
    let identity = admin(rqctx).await?;
    let params = params?;
    let (cursors, start) =
        Cursors::request(rqctx, "configs".to_owned(), &identity.subject, &params)?;
    let (service, after) = service_and_position::<String>(start)?;
    let rows = store::page_after(
        &rqctx.context().pool,
        &service,
        after.as_deref(),
        cursors.fetch(),
    )
    .await
    .map_err(db_error)?;
    cursors
        .page(rows, |e| (e.service.clone(), e.key.clone()))
        .map(HttpResponseOk)
}

/// The cursor page of a key's history, newest first.
pub async fn history_v2(
    rqctx: &RequestContext<AppState>,
    path: ConfigPath,
    params: Result<CursorParams<ConfigScan>, ApiError>,
) -> Result<HttpResponseOk<ResultsPage<ConfigChange>>, ApiError> {
    let identity = admin(rqctx).await?;
    let params = params?;
    rules::key(&path.key)?;
    let list = format!("config-history:{}", path.key);
    let (cursors, start) = Cursors::request(rqctx, list, &identity.subject, &params)?;
    let (service, before) = service_and_position::<i64>(start)?;
    let rows = store::history_before(
        &rqctx.context().pool,
        &service,
        &path.key,
        before,
        cursors.fetch(),
    )
    .await
    .map_err(db_error)?
    .ok_or_else(|| not_found(&service, &path.key))?;
    cursors
        .page(rows, |c| (service.clone(), c.version))
        .map(HttpResponseOk)
}

pub async fn put(
    rqctx: &RequestContext<AppState>,
    path: ConfigPath,
    query: ServiceQuery,
    if_match: IfMatchHeader,
    body: PutConfig,
) -> Result<Tagged<HttpResponseOk<ConfigEntry>>, ApiError> {
    let identity = admin(rqctx).await?;
    let service = rules::service(query.service.as_deref())?;
    rules::key(&path.key)?;
    rules::value(&service, &path.key, &body.value)?;
    let reason = rules::reason(body.reason.as_deref())?;
    let expected = rules::if_match(if_match.if_match.as_deref())?;
    let state = rqctx.context();
    let outcome = store::put(
        &state.pool,
        Put {
            service: &service,
            key: &path.key,
            value: &body.value,
            reason,
            changed_by: &identity.subject,
            expected_version: expected,
        },
    )
    .await
    .map_err(db_error)?;
    let entry = match outcome {
        PutOutcome::Written(entry) => entry,
        PutOutcome::VersionConflict(current) => {
            let err = ApiError::new(
                ErrorCode::VersionConflict,
                format!(
                    "If-Match names version {}, but the stored version differs",
                    expected.unwrap_or_default()
                ),
            );
            let mut err = err.with_detail("current_version", serde_json::json!(current));
            err.etag = current.map(etag);
            return Err(err);
        }
    };
    // This replica applies its own write at once; the others hear the event.
    state.configs.apply(entry.clone(), Source::Write);
    let event = watcher::ChangeEvent::for_entry(&entry);
    state
        .config_feed
        .publish(&state.redis, event, rqctx.log.clone());
    Ok(super::precondition::tagged(entry.version, entry))
}

pub async fn runtime(
    rqctx: &RequestContext<AppState>,
) -> Result<HttpResponseOk<RuntimeConfig>, ApiError> {
    admin(rqctx).await?;
    let state = rqctx.context();
    let configs = &state.configs;
    let times = configs.times();
    let (commit_to_applied, publish_to_applied) = configs.lag_summaries();
    let denylist = state.revocations.denylist();
    Ok(HttpResponseOk(RuntimeConfig {
        replica_id: configs.replica_id.clone(),
        entries: configs.entries(),
        warm_loaded_at: times.warm_loaded_at,
        last_event_at: times.last_event_at,
        last_reconcile_at: times.last_reconcile_at,
        subscriber_connected: state.feeds.subscriber_connected(),
        redis_connected: fred::prelude::ClientLike::is_connected(&state.redis),
        commit_to_applied,
        publish_to_applied,
        revocations: RevocationState {
            entries: denylist.len() as u64,
            last_seq: denylist.last_seq(),
            last_reconcile_at: denylist.last_reconcile_at(),
            commit_to_denied: state.revocations.lags().summary(),
            publish_to_denied: state.revocations.publish_lags().summary(),
        },
    }))
}
