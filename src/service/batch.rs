//! Group commit: writes that arrive together share one transaction.
//!
//! A burst (200 reports in a second, a busy incident channel) would
//! otherwise queue for one writer's turn per item, and with SQLite every
//! statement is a round trip to the connection's thread. One loop per kind
//! of write takes what is waiting (up to [`MAX_BATCH`]), writes it in one
//! transaction, and answers each caller once it is committed — so an answer
//! still means "stored". When the shared transaction fails, each item is
//! written alone, so one bad item fails only itself.

use super::ServiceError;
use futures_util::future::BoxFuture;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// The most items one transaction takes (a bound on how long it holds the
/// writer's turn).
pub const MAX_BATCH: usize = 128;

type Reply<R> = oneshot::Sender<Result<R, ServiceError>>;
/// Writes a batch; returns one result per item, in order.
pub type WriteBatch<J, R> = Arc<dyn Fn(Vec<J>) -> BoxFuture<'static, Vec<Result<R, ServiceError>>> + Send + Sync>;

pub struct Batcher<J, R> {
    write: WriteBatch<J, R>,
    /// Started on first use, inside the runtime.
    queue: OnceLock<mpsc::UnboundedSender<(J, Reply<R>)>>,
}

impl<J: Clone + Send + 'static, R: Send + 'static> Batcher<J, R> {
    pub fn new(write: WriteBatch<J, R>) -> Self {
        Batcher { write, queue: OnceLock::new() }
    }

    /// Writes `job` with whatever else is waiting; returns once committed.
    pub async fn submit(&self, job: J) -> Result<R, ServiceError> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(run(rx, self.write.clone()));
            tx
        });
        let (reply, answer) = oneshot::channel();
        if queue.send((job.clone(), reply)).is_ok() {
            if let Ok(result) = answer.await {
                return result;
            }
        }
        // The loop is gone (its runtime is shutting down): write alone.
        (self.write)(vec![job]).await.pop().unwrap_or(Err(ServiceError::Internal("no write result")))
    }
}

/// Writes `jobs` with `write` in one transaction; if that fails, each job
/// alone, so only the jobs that fail by themselves get an error.
pub async fn together_or_alone<'a, J, R, F, Fut>(jobs: &'a [J], write: F) -> Vec<Result<R, ServiceError>>
where
    F: Fn(&'a [J]) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<R>, ServiceError>>,
{
    let n = jobs.len();
    match write(jobs).await {
        Ok(all) => all.into_iter().map(Ok).collect(),
        Err(e) if n == 1 => vec![Err(e)],
        Err(e) => {
            tracing::warn!(error = %e, n, "a shared transaction failed; writing each item alone");
            let mut out = Vec::with_capacity(n);
            for job in jobs {
                out.push(
                    write(std::slice::from_ref(job)).await.and_then(|mut one| one.pop().ok_or(ServiceError::Internal("no write result"))),
                );
            }
            out
        }
    }
}

async fn run<J, R>(mut rx: mpsc::UnboundedReceiver<(J, Reply<R>)>, write: WriteBatch<J, R>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (jobs, replies): (Vec<J>, Vec<Reply<R>>) = batch.into_iter().unzip();
        let results = write(jobs).await;
        for (reply, result) in replies.into_iter().zip(results) {
            let _ = reply.send(result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn items_waiting_together_are_written_together_and_each_caller_gets_its_own_result() {
        let sizes = Arc::new(Mutex::new(vec![]));
        let seen = sizes.clone();
        let write: WriteBatch<u32, u32> = Arc::new(move |jobs: Vec<u32>| {
            seen.lock().unwrap().push(jobs.len());
            Box::pin(async move {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                jobs.into_iter().map(|j| if j == 7 { Err(ServiceError::Internal("seven")) } else { Ok(j * 10) }).collect()
            })
        });
        let batcher = Arc::new(Batcher::new(write));
        let calls: Vec<_> = (0..20u32)
            .map(|j| {
                tokio::spawn({
                    let b = batcher.clone();
                    async move { b.submit(j).await }
                })
            })
            .collect();
        for (j, call) in calls.into_iter().enumerate() {
            match call.await.unwrap() {
                Ok(v) => assert_eq!(v, j as u32 * 10),
                Err(_) => assert_eq!(j, 7),
            }
        }
        let sizes = sizes.lock().unwrap().clone();
        assert_eq!(sizes.iter().sum::<usize>(), 20);
        assert!(sizes.len() < 20, "some were written together: {sizes:?}");
    }
}
