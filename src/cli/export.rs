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
    let text = crate::records::export::render(&record, format, &app.settings);
    match output {
        Some(dir) if dir.is_dir() || dir.to_string_lossy().ends_with('/') => {
            let page = dir.join(format!("{number}.{}", format.extension()));
            std::fs::create_dir_all(dir.join("files")).with_context(|| format!("could not create {}", dir.display()))?;
            std::fs::write(&page, text).with_context(|| format!("could not write {}", page.display()))?;
            let files = crate::records::export::files(&record);
            for (name, bytes) in &files {
                let path = dir.join(name);
                std::fs::write(&path, bytes).with_context(|| format!("could not write {}", path.display()))?;
            }
            println!("wrote {} and {} file(s) kept as evidence under {}", page.display(), files.len(), dir.join("files").display());
        }
        Some(path) => std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))?,
        None => println!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
