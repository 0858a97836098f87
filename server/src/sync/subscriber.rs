//! The one Redis subscriber of a replica: subscribes to every feed's channel,
//! hands each message to its feed, and after every (re)connect catches every
//! feed up, since whatever was published while it was away is lost.

use super::Feeds;
use fred::clients::SubscriberClient;
use fred::prelude::*;
use slog::{Logger, info, warn};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

pub(super) async fn run(feeds: Arc<Feeds>, subscriber: SubscriberClient, log: Logger) {
    let mut messages = subscriber.message_rx();
    // fred announces every connection here, the first one included, so this
    // one path subscribes and reconciles at start and after each reconnect.
    let mut reconnects = subscriber.reconnect_rx();
    // A connection error means the subscriptions are gone with the socket:
    // nothing flows until the reconnect has subscribed again.
    let mut errors = subscriber.error_rx();
    let _ = feeds.subscriber.set(subscriber.clone());
    let _connection = subscriber.connect();
    loop {
        tokio::select! {
            message = messages.recv() => match message {
                Ok(m) => {
                    let channel = m.channel.to_string();
                    let feed = feeds.feeds.iter().find(|f| f.channel() == channel);
                    match (feed, m.value.as_string()) {
                        (Some(feed), Some(payload)) => feed.on_event(&payload, &log).await,
                        _ => warn!(log, "ignoring a message on an unexpected channel or without text";
                            "channel" => channel),
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    warn!(log, "events dropped by a slow consumer; reconciling"; "dropped" => n);
                    for feed in &feeds.feeds {
                        feeds.reconcile_logged(feed.as_ref(), &log).await;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            error = errors.recv() => match error {
                Ok((e, _)) => {
                    // Reconnect attempts fail the same way every few hundred
                    // ms during an outage: say it once.
                    if feeds.live.load(std::sync::atomic::Ordering::Acquire) {
                        warn!(log, "subscriber lost its connection; polling PostgreSQL until it resubscribes";
                            "error" => %e);
                    }
                    feeds.set_live(false);
                }
                Err(RecvError::Lagged(_)) => feeds.set_live(false),
                Err(RecvError::Closed) => return,
            },
            reconnected = reconnects.recv() => match reconnected {
                Ok(_) => resubscribe(&feeds, &subscriber, &log).await,
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
        }
    }
}

async fn resubscribe(feeds: &Feeds, subscriber: &SubscriberClient, log: &Logger) {
    feeds.set_live(false);
    let channels: Vec<String> = feeds.feeds.iter().map(|f| f.channel().to_owned()).collect();
    if let Err(e) = subscriber.subscribe(channels).await {
        warn!(log, "subscription failed"; "error" => %e);
        return;
    }
    // Commands on one connection are answered in order: once PING returns,
    // the subscriptions are live and no later PUBLISH can slip past them.
    if let Err(e) = subscriber.ping::<Value>(None).await {
        warn!(log, "subscription not confirmed"; "error" => %e);
        return;
    }
    feeds.set_live(true);
    for feed in &feeds.feeds {
        if let Some(n) = feeds.reconcile_logged(feed.as_ref(), log).await {
            info!(log, "subscriber (re)connected; reconciled"; "feed" => feed.name(), "changed" => n);
        }
    }
}
