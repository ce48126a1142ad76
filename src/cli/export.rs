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

/// `--bundle DIR`: a record that proves itself (issue 25), signed with the
/// deployment's key.
pub async fn bundle(config: &Path, env: &Env, number: &str, dir: &Path) -> anyhow::Result<ExitCode> {
    let number: crate::domain::IncidentNumber = number.parse()?;
    let key = crate::signing::load_or_make(&env.key_file)?;
    let app = open_service(config, env).await?;
    let record = app.records().record(number).await?;
    let mut out =
        crate::records::bundle::BundleWriter::create(dir).with_context(|| format!("could not write a bundle into {}", dir.display()))?;
    let head = app.records().bundle(&record, &mut out).await.with_context(|| format!("could not write {}", dir.display()))?;
    let seal = out.finish_record(&record, head, &key).with_context(|| format!("could not write {}", dir.display()))?;
    println!(
        "wrote the bundle of {number} into {}: {} events, sealed at event {}, key {}",
        dir.display(),
        seal.events,
        seal.head_seq,
        seal.public_key
    );
    Ok(ExitCode::SUCCESS)
}
