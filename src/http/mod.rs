//! hikeshi's HTTP side, beside the Discord adapter: the operators'
//! endpoints (`ops`), the alert intake (`alerts`) and the web console
//! (`console`). Each listener is bound
//! when the app is built, so a port taken is said before anything runs,
//! and the address bound (port 0 allowed) is known to whoever built it.

pub mod alerts;
pub mod console;
pub mod ops;

use axum::Router;
use std::net::SocketAddr;
use tokio::sync::watch;

/// Equal bytes, in a time that does not depend on where they differ
/// (tokens: the intake's bearer, the console's CSRF and sign-in state).
fn same(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        diff |= usize::from(a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

/// A listener bound, with what it serves (for the log).
pub struct Bound {
    listener: tokio::net::TcpListener,
    pub addr: SocketAddr,
    what: &'static str,
}

/// Binds `addr`, named by the environment variable `var` in the error.
pub async fn bind(var: &str, addr: SocketAddr, what: &'static str) -> anyhow::Result<Bound> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("{var}={addr}: cannot listen there: {e}"))?;
    let addr = listener.local_addr()?;
    Ok(Bound { listener, addr, what })
}

/// Serves `router` on `listener` until `stop` says so.
pub async fn serve(listener: Bound, router: Router, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    tracing::info!(addr = %listener.addr, "serving {}", listener.what);
    let listener = listener.listener;
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await?;
    Ok(())
}
