//! Stores the reports held on disk while the database was away: at start
//! (a stop in that time), then whenever one waits.

use crate::service::Hikeshi;
use std::time::Duration;
use tokio::sync::watch;

/// Looks every few seconds while reports wait, every minute otherwise (a
/// look is one directory read), and at once when one is held.
pub async fn replay_held(app: Hikeshi, mut stop: watch::Receiver<bool>) {
    let held = app.reports().held_signal().unwrap_or_default();
    loop {
        if *stop.borrow() {
            return;
        }
        let left = app.reports().replay_held().await;
        let wait = if left > 0 { Duration::from_secs(3) } else { Duration::from_secs(60) };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = held.notified() => {}
            _ = stop.changed() => return,
        }
    }
}
