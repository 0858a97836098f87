//! Redis clients (fred). Redis is a cache and a message bus here: nothing
//! the request path needs for correctness waits on it. Commands that can run
//! during an outage (rate-limit counts, publishes, the readiness ping) are
//! sent `fail_fast` with a short timeout and fall back; everything else is
//! bounded by the default timeout. Reconnects retry every 50 ms doubling to
//! at most 500 ms, so events flow again within a second of Redis returning.

use crate::settings::Settings;
use fred::prelude::*;
use secrecy::ExposeSecret;
use std::time::Duration;

fn builder(settings: &Settings) -> Result<Builder, Error> {
    let mut config = Config::from_url(settings.redis_url.expose_secret())?;
    if let Some(password) = &settings.redis_password {
        config.password = Some(password.expose_secret().to_owned());
    }
    let mut builder = Builder::from_config(config);
    builder
        .with_performance_config(|p| {
            p.default_command_timeout = Duration::from_millis(1500);
            p.broadcast_channel_capacity = 1024;
        })
        .with_connection_config(|c| {
            c.connection_timeout = Duration::from_secs(2);
            c.internal_command_timeout = Duration::from_secs(2);
            c.max_command_attempts = 2;
            // Small writes (a PUBLISH, an INCR) go out at once, not after
            // Nagle's wait for the previous write's ACK.
            c.tcp = fred::types::config::TcpConfig {
                nodelay: Some(true),
                ..Default::default()
            };
        })
        .set_policy(ReconnectPolicy::new_exponential(0, 50, 500, 2));
    Ok(builder)
}

/// A command client. Connection happens in the background; until it is up,
/// `/ready` reports Redis as degraded (not as a reason to stop serving).
pub fn client(settings: &Settings) -> Result<Client, Error> {
    let client = builder(settings)?.build()?;
    let _connection_task = client.connect();
    Ok(client)
}

/// The subscriber client every [`crate::sync`] feed shares.
pub fn subscriber(settings: &Settings) -> Result<fred::clients::SubscriberClient, Error> {
    builder(settings)?.build_subscriber_client()
}
