//! A configuration problem, worded so an administrator can fix it without
//! reading code: which file, which key, what is wrong, what to do.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub key: String,
    pub what: String,
    pub fix: String,
}

impl Problem {
    pub fn new(file: &Path, key: impl Into<String>, what: impl Into<String>, fix: impl Into<String>) -> Self {
        Problem { file: file.to_path_buf(), key: key.into(), what: what.into(), fix: fix.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: `{}`: {} — fix: {}", self.file.display(), self.key, self.what, self.fix)
    }
}

/// Every problem found, so all of them are fixed in one pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError(pub Vec<Problem>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the configuration has {} problem(s):", self.0.len())?;
        for p in &self.0 {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

/// Turns a TOML/serde error into a problem: the key it concerns (from the
/// message or the position) and a fix.
pub fn from_toml(file: &Path, e: &toml::de::Error) -> Problem {
    let msg = e.message().to_string();
    let key = match (msg.find('`'), msg.rfind('`')) {
        (Some(a), Some(b)) if b > a => msg[a + 1..b].split('`').next().unwrap_or("").to_string(),
        _ => String::new(),
    };
    let position = e.span().map(|s| format!(" (byte {})", s.start)).unwrap_or_default();
    let fix = if msg.contains("unknown field") {
        "remove or rename the key (a typo?); the message lists the keys allowed here".to_string()
    } else if msg.contains("missing field") {
        "add the key; see config/hikeshi.toml for a documented example".to_string()
    } else {
        "correct the value; see config/hikeshi.toml for a documented example".to_string()
    };
    Problem::new(file, if key.is_empty() { "(file)".to_string() } else { key }, format!("{msg}{position}"), fix)
}
