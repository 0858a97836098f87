//! Refuses to serve as a role that row-level security would not bind.
//!
//! RLS does not apply to superusers, to `BYPASSRLS` roles, or to the owner of
//! a table (nor to members who inherit the owner's rights). `FORCE ROW LEVEL
//! SECURITY` covers the owner, but an owner can also switch RLS off, so the
//! server must never run as one.

use sqlx::PgPool;

/// Tables whose rows are tenant data.
pub const TENANT_TABLES: &[&str] = &[
    "users",
    "organizations",
    "memberships",
    "projects",
    "idempotency_keys",
];

#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error("role {0} is a superuser; row-level security would not apply. Connect as backend_app")]
    Superuser(String),
    #[error("role {0} has BYPASSRLS; row-level security would not apply. Connect as backend_app")]
    BypassRls(String),
    #[error(
        "role {role} owns (or inherits ownership of) table {table}; connect as backend_app, not the owner"
    )]
    Owner { role: String, table: String },
    #[error(
        "role {role} can SET ROLE to {target} ({why}); row-level security could be left at will. Connect as backend_app"
    )]
    CanBecome {
        role: String,
        target: String,
        why: String,
    },
    #[error("cannot check the database role: {0}")]
    Database(#[from] sqlx::Error),
}

/// Checks the role the pool connects as.
pub async fn ensure_rls_applies(pool: &PgPool) -> Result<(), RoleError> {
    let (role, superuser, bypass): (String, bool, bool) = sqlx::query_as(
        "SELECT rolname::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(pool)
    .await?;
    if superuser {
        return Err(RoleError::Superuser(role));
    }
    if bypass {
        return Err(RoleError::BypassRls(role));
    }
    let owned: Option<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relname = ANY($1) \
           AND pg_has_role(current_user, c.relowner, 'USAGE') LIMIT 1",
    )
    .bind(TENANT_TABLES)
    .fetch_optional(pool)
    .await?;
    if let Some(table) = owned {
        return Err(RoleError::Owner { role, table });
    }
    // Any role this login is a member of (directly or through others, with or
    // without inheritance) that is a superuser, BYPASSRLS, or owns a tenant
    // table.
    let escalation: Option<(String, String)> = sqlx::query_as(
        "SELECT r.rolname::text, CASE WHEN r.rolsuper THEN 'superuser' \
                WHEN r.rolbypassrls THEN 'BYPASSRLS' ELSE 'owns tenant tables' END \
         FROM pg_roles r \
         WHERE r.rolname <> current_user \
           AND pg_has_role(current_user, r.oid, 'MEMBER') \
           AND (r.rolsuper OR r.rolbypassrls OR EXISTS ( \
                SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relname = ANY($1) \
                   AND c.relowner = r.oid)) \
         ORDER BY r.rolname LIMIT 1",
    )
    .bind(TENANT_TABLES)
    .fetch_optional(pool)
    .await?;
    match escalation {
        Some((target, why)) => Err(RoleError::CanBecome { role, target, why }),
        None => Ok(()),
    }
}
