//! Reports held while the database is away, kept on the local disk so
//! that a stop in that time (a deploy, a crash) loses none: each is written
//! and fsynced before the reporter reads that it is held, removed once the
//! database has it, and replayed at start. One small JSON file a report.

use crate::domain::report::ReportDraft;
use crate::domain::UserId;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// One held report, as the interaction brought it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldReport {
    /// The interaction (`interaction:<id>`): storing is idempotent by it,
    /// so a replay after a commit that did land finds that incident.
    pub source: String,
    pub draft: ReportDraft,
    pub reporter: UserId,
    pub committee: bool,
    /// Where the reporter's reply can be edited: `(application id, token)`.
    pub reply: Option<(u64, String)>,
    /// When the interaction was received (its token lives 15 minutes);
    /// none in files held by earlier versions.
    #[serde(default)]
    pub asked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The folder of held reports.
#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
    /// Woken when a report is kept, so it is stored as soon as it can be
    /// rather than at the next minute's look.
    kept: std::sync::Arc<tokio::sync::Notify>,
}

impl Spool {
    pub fn new(dir: impl Into<PathBuf>) -> Spool {
        Spool { dir: dir.into(), kept: Default::default() }
    }

    /// Wakes when a report is kept.
    pub fn kept_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.kept.clone()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, source: &str) -> PathBuf {
        let name: String = source.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        self.dir.join(format!("{name}.json"))
    }

    /// Writes a held report durably: a temporary file, fsynced, renamed
    /// into place, and the folder fsynced, so after a crash it is either
    /// whole or absent.
    pub async fn keep(&self, r: &HeldReport) -> std::io::Result<()> {
        let (dir, path) = (self.dir.clone(), self.path(&r.source));
        let body = serde_json::to_vec(r).map_err(std::io::Error::other)?;
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            let tmp = path.with_extension("tmp");
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&body)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            std::fs::File::open(&dir)?.sync_all()
        })
        .await
        .map_err(std::io::Error::other)??;
        self.kept.notify_one();
        Ok(())
    }

    /// The database has it: the file goes.
    pub async fn forget(&self, source: &str) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.path(source)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Every held report, oldest file first; a file that cannot be read is
    /// named with the reason (it stays for an operator).
    pub async fn all(&self) -> Vec<Result<HeldReport, String>> {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                return vec![];
            };
            let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .map(|p| (std::fs::metadata(&p).and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH), p))
                .collect();
            files.sort();
            files
                .into_iter()
                .map(|(_, p)| {
                    let text = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                    serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", p.display()))
                })
                .collect()
        })
        .await
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_held_report_is_kept_whole_until_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        assert!(spool.all().await.is_empty());
        let r = HeldReport {
            source: "interaction:42".into(),
            draft: ReportDraft { title: "停電".into(), ..Default::default() },
            reporter: UserId(7),
            committee: false,
            reply: Some((1, "tok".into())),
            asked_at: chrono::DateTime::from_timestamp(1_800_000_000, 0),
        };
        spool.keep(&r).await.unwrap();
        spool.keep(&r).await.unwrap();
        assert_eq!(spool.all().await, vec![Ok(r.clone())]);
        spool.forget("interaction:42").await.unwrap();
        spool.forget("interaction:42").await.unwrap();
        assert!(spool.all().await.is_empty());
        // A file held by an earlier version (no `asked_at`) still reads.
        let mut old = serde_json::to_value(&r).unwrap();
        old.as_object_mut().unwrap().remove("asked_at");
        let back: HeldReport = serde_json::from_value(old).unwrap();
        assert_eq!(back.asked_at, None);
    }
}
