//! The layering check, run with the unit tests (and so in CI): each layer
//! imports only what sits below it. Read from the source files' text, so a
//! new import that breaks the picture fails here before review.
//!
//! From the bottom: `domain` (the regulation as plain Rust) and `clock`;
//! `config`; `reminders` (pure rules), `store` (SQL) and `held` (reports
//! kept on disk while the database is away); `records`
//! (documents) and `service` (the only door to the store); `runner` and
//! `metrics`; the adapters side by side, `discord` (the only place that
//! knows serenity) and `http` (the operators' endpoints, the alert intake);
//! `app` wires them; `cli` and `main` are the command line.

use std::path::{Path, PathBuf};

/// What a folder (or file) of `src/` may not name.
const RULES: &[(&str, &[&str])] = &[
    (
        "domain",
        &[
            "serenity::",
            "sqlx::",
            "tokio::",
            "crate::store",
            "crate::service",
            "crate::discord",
            "crate::records",
            "crate::runner",
            "crate::reminders",
            "crate::config",
            "crate::app",
            "crate::metrics",
            "crate::http",
        ],
    ),
    (
        "config",
        &[
            "serenity::",
            "sqlx::",
            "crate::store",
            "crate::service",
            "crate::discord",
            "crate::records",
            "crate::runner",
            "crate::app",
            "crate::http",
        ],
    ),
    (
        "reminders",
        &["serenity::", "sqlx::", "tokio::", "crate::store", "crate::service", "crate::discord", "crate::records", "crate::runner"],
    ),
    (
        "store",
        &[
            "serenity::",
            "crate::http",
            "crate::service",
            "crate::records",
            "crate::discord",
            "crate::runner",
            "crate::reminders",
            "crate::app",
        ],
    ),
    (
        "records",
        &[
            "serenity::",
            "sqlx::",
            "tokio::",
            "crate::http",
            "crate::store",
            "crate::service",
            "crate::discord",
            "crate::runner",
            "crate::app",
        ],
    ),
    // Held reports on the local disk, below the service that holds them.
    (
        "held.rs",
        &["serenity::", "sqlx::", "crate::store", "crate::service", "crate::discord", "crate::runner", "crate::app", "crate::http"],
    ),
    ("service", &["serenity::", "sqlx::", "crate::discord", "crate::runner", "crate::app", "crate::metrics", "crate::http"]),
    ("runner", &["serenity::", "sqlx::", "crate::store", "crate::discord", "crate::app", "crate::http"]),
    ("metrics.rs", &["serenity::", "sqlx::", "crate::store", "crate::discord", "crate::app", "crate::http"]),
    // The two adapters stand side by side: neither reaches into the other.
    ("http", &["serenity::", "sqlx::", "crate::store", "crate::discord", "crate::app", "crate::runner"]),
    ("discord", &["sqlx::", "crate::store", "crate::app", "crate::reminders", "crate::http"]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its `#[cfg(test)]`
/// modules' bodies (tests may build what they check with anything).
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut skipping_tests = false;
    for line in text.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            // Everything after a test module's start is test code (tests
            // sit at the end of a file in this codebase).
            skipping_tests = true;
        }
        if skipping_tests {
            continue;
        }
        let line = line.split("//").next().unwrap_or("");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every import that runs the wrong way: `file: name`.
fn faults(src: &Path) -> Vec<String> {
    let mut found = vec![];
    for (place, banned) in RULES {
        let mut files = vec![];
        rust_files(&src.join(place), &mut files);
        for file in files {
            // Whole test files and the store's test helpers are tests.
            let name = file.file_name().unwrap().to_string_lossy();
            if name == "tests.rs" || name == "testing.rs" || name == "compat.rs" {
                continue;
            }
            let text = code(&std::fs::read_to_string(&file).unwrap());
            for b in *banned {
                if text.contains(b) {
                    found.push(format!("{}: {b}", file.strip_prefix(src).unwrap().display()));
                }
            }
        }
    }
    found
}

#[test]
fn every_layer_imports_only_what_is_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let faults = faults(&src);
    assert!(faults.is_empty(), "imports that run the wrong way:\n{}", faults.join("\n"));
}

/// The check itself: a file that imports upwards is caught.
#[test]
fn an_upward_import_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("domain")).unwrap();
    std::fs::create_dir_all(dir.path().join("discord")).unwrap();
    std::fs::write(dir.path().join("domain/x.rs"), "use tokio::sync::Mutex;\n// crate::store in a comment is fine\n").unwrap();
    std::fs::write(dir.path().join("discord/y.rs"), "fn f(s: &crate::store::Store) {}\n#[cfg(test)]\nmod tests { use sqlx::Row; }\n")
        .unwrap();
    for (place, _) in RULES {
        let p = dir.path().join(place);
        if !p.exists() && !place.ends_with(".rs") {
            std::fs::create_dir_all(p).unwrap();
        } else if !p.exists() {
            std::fs::write(p, "").unwrap();
        }
    }
    assert_eq!(faults(dir.path()), vec!["domain/x.rs: tokio::".to_string(), "discord/y.rs: crate::store".to_string()]);
}

/// No file of `src/` is longer than about 400 lines, tests apart: a file
/// that grows past it holds more than one thing.
#[test]
fn no_source_file_grows_past_about_four_hundred_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter(|f| !f.file_name().unwrap().to_string_lossy().contains("tests"))
        .filter_map(|f| {
            let n = code(&std::fs::read_to_string(f).unwrap()).lines().count();
            (n > 430).then(|| format!("{}: {n} lines", f.strip_prefix(&src).unwrap().display()))
        })
        .collect();
    assert!(long.is_empty(), "files over ~400 lines (tests apart):\n{}", long.join("\n"));
}
