//! `backend token --revoke <TOKEN|JTI>`: an operator's revocation, through
//! the same table and events as a logout.

use crate::auth::jwt::JwtKeys;
use crate::auth::revocation::{Reason, Revocations};
use crate::metrics::Metrics;
use crate::settings::RevokeSettings;
use secrecy::ExposeSecret;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// What to revoke: the token's id and when it expires (Unix seconds).
fn target(arg: &str, settings: &RevokeSettings) -> Result<(Uuid, i64), String> {
    let now = chrono::Utc::now().timestamp();
    if let Ok(jti) = Uuid::parse_str(arg.trim()) {
        // Any token with this id was minted before now, so it expires before
        // now plus the longest lifetime a token can have.
        let longest = settings.ttl.max(Duration::from_secs(86_400));
        return Ok((jti, now + longest.as_secs() as i64));
    }
    let jwt = settings.jwt.as_ref().ok_or(
        "JWT_SECRET is not set: cannot check this token; pass its id (jti) instead".to_owned(),
    )?;
    let claims = JwtKeys::new(jwt)
        .verify(arg.trim())
        .map_err(|e| format!("not a token of this deployment: {e}"))?;
    let identity = crate::auth::identity(claims).map_err(|e| e.to_string())?;
    Ok((identity.jti, identity.expires_at))
}

pub async fn run(arg: &str) -> ExitCode {
    let settings = match RevokeSettings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("backend: {e}");
            return ExitCode::from(2);
        }
    };
    let (jti, exp) = match target(arg, &settings) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("backend: {e}");
            return ExitCode::from(2);
        }
    };
    let timeouts = crate::settings::DatabaseTimeouts {
        statement: Duration::from_secs(5),
        lock: Duration::from_secs(5),
        idle_in_transaction: Duration::from_secs(10),
    };
    let options = match crate::db::connect_options(
        &settings.database_url,
        settings.database_password.as_ref(),
        &timeouts,
    ) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("backend: invalid DATABASE_URL: {e}");
            return ExitCode::from(2);
        }
    };
    let pool = crate::db::pool(options, 1);
    let revocations = Revocations::new(
        pool.clone(),
        "",
        Duration::from_secs(1),
        settings.ttl,
        Arc::new(Metrics::new()),
    );
    let log = slog::Logger::root(slog::Discard, slog::o!());
    let seq = match revocations
        .revoke(None, jti, exp, Reason::Admin, &log)
        .await
    {
        Ok(seq) => seq,
        Err(e) => {
            eprintln!("backend: cannot store the revocation: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "revoked {jti} (sequence {seq}); every replica denies it within its reconcile interval"
    );
    if let Some(url) = &settings.redis_url {
        let announced = async {
            let mut config = fred::prelude::Config::from_url(url.expose_secret())?;
            if let Some(p) = &settings.redis_password {
                config.password = Some(p.expose_secret().to_owned());
            }
            let redis = fred::prelude::Builder::from_config(config).build()?;
            fred::prelude::ClientLike::init(&redis).await?;
            revocations.announce(&redis, jti, seq).await?;
            let _ = fred::prelude::ClientLike::quit(&redis).await;
            Ok::<(), fred::error::Error>(())
        };
        match tokio::time::timeout(Duration::from_secs(3), announced).await {
            Ok(Ok(())) => println!("announced on Redis: replicas deny it within milliseconds"),
            _ => eprintln!("backend: not announced on Redis (replicas still catch up by polling)"),
        }
    }
    pool.close().await;
    ExitCode::SUCCESS
}
