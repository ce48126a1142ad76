//! `hikeshi key`: the deployment's public key, for whoever checks bundles
//! (`hikeshi verify --bundle DIR/`); the key is made if it is not there yet.

use crate::config::Env;
use std::process::ExitCode;

pub fn key(env: &Env) -> anyhow::Result<ExitCode> {
    let key = crate::signing::load_or_make(&env.key_file)?;
    println!("{}", crate::signing::public_hex(&key));
    Ok(ExitCode::SUCCESS)
}
