use crate::tenant::TenantTx;
use backend_api::types::User;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: r.id,
            username: r.username,
            created_at: r.created_at,
        }
    }
}

pub async fn insert(tx: &mut TenantTx, id: Uuid, username: &str) -> Result<User, sqlx::Error> {
    sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (id, username, guest_id) VALUES ($1, $2, $3) \
         RETURNING id, username, created_at",
    )
    .bind(id)
    .bind(username)
    .bind(Uuid::new_v4())
    .fetch_one(tx.conn())
    .await
    .map(User::from)
}

pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as::<_, UserRow>("SELECT id, username, created_at FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await
        .map(|r| r.map(User::from))
}
