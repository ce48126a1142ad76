//! `hikeshi setup`: a new server made ready, its ids written into the
//! configuration.

use crate::config::{Env, Settings, MISSING_TOKEN};
use anyhow::Context as _;
use std::path::Path;
use std::process::ExitCode;

pub async fn setup(config: &Path, env: &Env, guild: Option<u64>, print: bool) -> anyhow::Result<ExitCode> {
    for line in lines(config, env, guild, print).await? {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `hikeshi setup`: finds or makes the server's places, then writes their
/// ids into the configuration's `[discord]` table (comments kept), or with
/// `print` only prints the table. Returns what it says.
async fn lines(config: &Path, env: &Env, guild: Option<u64>, print: bool) -> anyhow::Result<Vec<String>> {
    let settings = Settings::load(config)?;
    let token = env.token.clone().context(MISSING_TOKEN)?;
    let mut said = vec![];
    let places = crate::discord::setup::setup(&token, &env.discord_api, &settings, guild, &mut said).await?;
    if print {
        said.push(crate::discord::setup::table(&places));
        return Ok(said);
    }
    let text = std::fs::read_to_string(config).with_context(|| format!("could not read {}", config.display()))?;
    let new = crate::discord::setup::write_ids(&text, &places).with_context(|| format!("could not edit {}", config.display()))?;
    if new == text {
        said.push(format!("✔ {} already holds these ids: nothing changed", config.display()));
    } else {
        std::fs::write(config, new).with_context(|| format!("could not write {}", config.display()))?;
        said.push(format!("✔ wrote the ids into [discord] of {}", config.display()));
    }
    said.push("next: `hikeshi doctor`, then `hikeshi run`".into());
    Ok(said)
}
