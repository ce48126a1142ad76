//! Answers first: while interactions are being answered, the worker waits
//! (briefly) before claiming more. The reporter's answer is the promise that
//! must come within Discord's 3 s; channels and cards follow at Discord's 50
//! requests a second anyway, and a burst of deliveries competing for the
//! database and the CPU would only delay the answers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Answering {
    in_flight: AtomicUsize,
}

/// Counts one interaction until dropped.
pub struct Answer(Arc<Answering>);

impl Drop for Answer {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Answering {
    pub fn start(self: &Arc<Self>) -> Answer {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Answer(self.clone())
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Waits until no interaction is being answered, or `limit` passed (a
    /// stream of interactions must not starve deliveries).
    pub async fn quiet(&self, limit: Duration) {
        let until = tokio::time::Instant::now() + limit;
        while self.in_flight() > 0 && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn quiet_waits_for_answers_but_not_forever() {
        let a = Arc::new(Answering::default());
        let answer = a.start();
        let started = std::time::Instant::now();
        a.quiet(Duration::from_millis(30)).await;
        assert!(started.elapsed() >= Duration::from_millis(30), "waited for the answer up to the limit");
        drop(answer);
        assert_eq!(a.in_flight(), 0);
        let started = std::time::Instant::now();
        a.quiet(Duration::from_secs(5)).await;
        assert!(started.elapsed() < Duration::from_millis(100), "no answer in flight: no wait");
    }
}
