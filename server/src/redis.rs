//! Redis clients (fred). Every command is bounded by a timeout so a Redis
//! outage turns into a quick 503, never a hung request.

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
        })
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2));
    Ok(builder)
}

/// A command client. Connection happens in the background; until it is up,
/// commands fail after their timeout and `/ready` reports Redis down.
pub fn client(settings: &Settings) -> Result<Client, Error> {
    let client = builder(settings)?.build()?;
    let _connection_task = client.connect();
    Ok(client)
}

/// A subscriber client for the config watcher.
pub fn subscriber(settings: &Settings) -> Result<fred::clients::SubscriberClient, Error> {
    builder(settings)?.build_subscriber_client()
}
