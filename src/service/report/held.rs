//! Reports held on the local disk while the database is away (§4.2
//! nothing lost): kept before the reporter is told, stored once when the
//! database is back, then forgotten.

use super::{ReplyHandle, Reports};
use crate::domain::report::ReportDraft;

impl Reports {
    /// The database is away: the report is written to the local spool
    /// (fsynced) before the reporter reads that it is held. `false` when
    /// there is no spool or the disk refused (the reporter then gets their
    /// text back instead of a promise).
    pub async fn hold_report(&self, draft: &ReportDraft, caller: super::Caller, source: &str, reply: Option<ReplyHandle>) -> bool {
        let Some(spool) = &self.spool else {
            return false;
        };
        let held = crate::held::HeldReport {
            source: source.to_string(),
            draft: draft.clone(),
            reporter: caller.user,
            committee: caller.committee,
            asked_at: reply.as_ref().and_then(|r| r.asked_at),
            reply: reply.map(|r| (r.application_id, r.token)),
        };
        match spool.keep(&held).await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, dir = %spool.dir().display(), "could not keep a held report on disk");
                false
            }
        }
    }

    /// The database has the report: its spooled copy goes.
    pub async fn forget_held(&self, source: &str) {
        if let Some(spool) = &self.spool {
            if let Err(e) = spool.forget(source).await {
                tracing::warn!(error = %e, source, "could not remove a stored report from the spool");
            }
        }
    }

    /// Stores the reports kept on disk (at start, and while any wait):
    /// once each, whatever happened before — storing is idempotent by the
    /// interaction. Returns how many are still held.
    pub async fn replay_held(&self) -> usize {
        let Some(spool) = &self.spool else {
            return 0;
        };
        let mut left = 0;
        for held in spool.all().await {
            let held = match held {
                Ok(h) => h,
                Err(e) => {
                    tracing::error!(error = %e, "a held report on disk cannot be read; it stays for an operator");
                    left += 1;
                    continue;
                }
            };
            let caller = super::Caller::member(held.reporter, held.committee);
            let reply = held.reply.clone().map(|(application_id, token)| ReplyHandle { application_id, token, asked_at: held.asked_at });
            match self.report(&held.draft, caller, &held.source, reply).await {
                Ok(r) => {
                    tracing::info!(incident = %r.incident.number, "a report held on disk is stored");
                    self.forget_held(&held.source).await;
                }
                Err(e) if e.is_transient() => left += 1,
                Err(e) => {
                    // Checked before it was held: this cannot pass later either.
                    tracing::error!(error = %e, source = held.source, "a held report was refused; it stays on disk for an operator");
                    left += 1;
                }
            }
        }
        left
    }
}
