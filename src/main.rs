//! The `hikeshi` command line: parses, and hands over to `hikeshi::cli`.

use clap::{CommandFactory, FromArgMatches};
use hikeshi::cli::{dispatch, init_logs, Cli};
use hikeshi::config::Env;
use std::process::ExitCode;

fn main() -> ExitCode {
    let matches = Cli::command().after_help(hikeshi::config::env::help()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // A value the process cannot use stops it before anything starts.
    let env = match Env::from_process() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logs(&env);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli, env)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
