//! The loop that ticks: every `every`, ask the service what is due (the
//! rules themselves are in `schedule`, plain functions of state and time).
//! Committing what it queued wakes the outbox worker.

use crate::service::Hikeshi;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::Instrument as _;

pub struct Scheduler {
    app: Hikeshi,
    /// Counts completed ticks, for tests that move the clock and wait.
    ticks: Arc<std::sync::atomic::AtomicU64>,
    every: Duration,
}

impl Scheduler {
    pub fn new(app: Hikeshi, every: Duration) -> Self {
        Scheduler { app, every, ticks: Arc::default() }
    }

    /// Counts completed ticks (successful or not) on `ticks`.
    pub fn counting(mut self, ticks: Arc<std::sync::atomic::AtomicU64>) -> Self {
        self.ticks = ticks;
        self
    }

    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut loaded = false;
        loop {
            if *stop.borrow() {
                return;
            }
            if !loaded {
                match self.app.reminders().configuration_loaded().await {
                    Ok(()) => loaded = true,
                    Err(e) => tracing::warn!(error = %e, "acting on the loaded configuration failed; will try again"),
                }
            }
            let tick = self.ticks.load(std::sync::atomic::Ordering::SeqCst) + 1;
            match self.app.reminders().tick().instrument(tracing::info_span!("tick", n = tick)).await {
                Ok(t) if t.total() > 0 => {
                    tracing::info!(fired = t.fired, escalated = t.escalated, reminded = t.reminded, "reminders queued");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "scheduler tick failed; will try again"),
            }
            self.ticks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::select! {
                _ = tokio::time::sleep(self.every) => {}
                _ = stop.changed() => {}
            }
        }
    }
}
