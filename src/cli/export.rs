//! `hikeshi export`: one incident's whole record, as a document and, to a
//! folder, the files kept as evidence.

use crate::app::open_service;
use crate::config::Env;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub async fn export(config: &Path, env: &Env, number: &str, format: &str, output: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let Some(format) = crate::records::export::Format::parse(format) else {
        eprintln!("error: --format {format}: use md, json or html");
        return Ok(ExitCode::FAILURE);
    };
    let number: crate::domain::IncidentNumber = number.parse()?;
    let app = open_service(config, env).await?;
    let record = app.records().record(number).await?;
    // Written as read, through a buffer: any size in flat memory.
    let (app, record) = (&app, &record);
    let write = |path: PathBuf| async move {
        let file = std::fs::File::create(&path).with_context(|| format!("could not create {}", path.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        app.records().write(record, format, &mut out).await.with_context(|| format!("could not write {}", path.display()))
    };
    match output {
        Some(dir) if dir.is_dir() || dir.to_string_lossy().ends_with('/') => {
            let page = dir.join(format!("{number}.{}", format.extension()));
            std::fs::create_dir_all(dir.join("files")).with_context(|| format!("could not create {}", dir.display()))?;
            write(page.clone()).await?;
            let files = crate::records::export::files(record);
            for (name, bytes) in &files {
                let path = dir.join(name);
                std::fs::write(&path, bytes).with_context(|| format!("could not write {}", path.display()))?;
            }
            println!("wrote {} and {} file(s) kept as evidence under {}", page.display(), files.len(), dir.join("files").display());
        }
        Some(path) => write(path).await?,
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
            app.records().write(record, format, &mut out).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
