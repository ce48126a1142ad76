//! The layering check, run with the unit tests (and so in CI): each layer
//! imports only what sits below it. Read from the source files' text, so a
//! new import that breaks the picture fails here before review.
//!
//! From the bottom: `domain` (the regulation as plain Rust) and `clock`;
//! `config`; `reminders` (pure rules), `store` (SQL) and `held` (reports
//! kept on disk while the database is away); `records`
//! (documents) and `service` (the only door to the store); `runner` and
//! `metrics`; the adapters side by side, `discord` (the only place that
//! knows serenity), `http` (the operators' endpoints, the alert intake) and
//! `outside` (the organisation's webhook and mail);
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
    ("http", &["serenity::", "sqlx::", "crate::store", "crate::discord", "crate::app", "crate::runner", "crate::outside"]),
    ("discord", &["sqlx::", "crate::store", "crate::app", "crate::reminders", "crate::http", "crate::outside"]),
    ("outside", &["serenity::", "sqlx::", "crate::store", "crate::discord", "crate::app", "crate::http", "crate::reminders"]),
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
            if name.ends_with("tests.rs") || name == "testing.rs" {
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

/// A function longer than this is split (a reader must not scroll),
/// unless it is a table of texts: a flat `match` whose arms only say
/// things, in both languages, which reads best whole.
const MAX_FUNCTION_LINES: usize = 60;

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The name of the function a line declares, if it does.
fn declares(line: &str) -> Option<&str> {
    let mut rest = line.trim_start();
    for prefix in ["pub(crate) ", "pub(super) ", "pub ", "const ", "async ", "unsafe "] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("fn ")?;
    rest.split(['(', '<']).next().filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

/// Each function with a body: its name, and its lines from the signature
/// to the closing brace.
fn functions(code: &str) -> Vec<(String, Vec<&str>)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < lines.len() {
        let Some(name) = declares(lines[i]) else {
            i += 1;
            continue;
        };
        let at = indent(lines[i]);
        // The signature ends at `{` (a body), `;` or `}` (none, or one line).
        let Some(open) = (i..lines.len()).find(|&j| ['{', ';', '}'].iter().any(|c| lines[j].trim_end().ends_with(*c))) else {
            break;
        };
        if !lines[open].trim_end().ends_with('{') {
            i = open + 1;
            continue;
        }
        let close =
            (open + 1..lines.len()).find(|&k| indent(lines[k]) == at && lines[k].trim_start().starts_with('}')).unwrap_or(lines.len() - 1);
        out.push((name.to_string(), lines[i..=close].to_vec()));
        i = close + 1;
    }
    out
}

/// A flat `match` of texts: one `match` at the top of the body (with at
/// most a few lines beside it), nearly every arm a text and none waiting
/// on anything, the arms most of the function.
fn is_text_table(f: &[&str]) -> bool {
    let at = indent(f[0]);
    let body = &f[1..f.len() - 1];
    let top: Vec<usize> = (0..body.len()).filter(|&i| !body[i].trim().is_empty() && indent(body[i]) == at + 4).collect();
    let is_match = |l: &str| {
        let l = l.trim_end();
        l.ends_with('{') && l.rsplit_once("match ").is_some_and(|(_, after)| after.matches('{').count() == 1)
    };
    let matches: Vec<usize> = top.iter().copied().filter(|&i| is_match(body[i])).collect();
    let others = top.iter().filter(|&&i| !is_match(body[i]) && !body[i].trim_start().starts_with(['}', ')'])).count();
    let [m] = matches[..] else { return false };
    if others > 8 {
        return false;
    }
    let mut arms: Vec<Vec<&str>> = vec![];
    for line in body[m + 1..].iter().take_while(|l| l.trim().is_empty() || indent(l) > at + 4) {
        match arms.last_mut() {
            _ if indent(line) == at + 8 && line.contains("=>") => arms.push(vec![line.split_once("=>").map_or("", |(_, a)| a)]),
            Some(arm) => arm.push(line),
            None => {}
        }
    }
    let says = |arm: &Vec<&str>| arm.iter().any(|l| l.contains('"')) && !arm.iter().any(|l| l.contains(".await"));
    let in_arms: usize = arms.iter().map(Vec::len).sum();
    !arms.is_empty() && arms.iter().filter(|a| says(a)).count() * 5 >= arms.len() * 4 && in_arms * 10 >= body.len() * 7
}

/// Every function over the limit that is no table of texts: `file: name`.
fn long_functions(src: &Path) -> Vec<String> {
    let mut files = vec![];
    rust_files(src, &mut files);
    let mut out = vec![];
    for file in files.iter().filter(|f| !f.file_name().unwrap().to_string_lossy().contains("tests")) {
        let code = code(&std::fs::read_to_string(file).unwrap());
        for (name, lines) in functions(&code) {
            if lines.len() > MAX_FUNCTION_LINES && !is_text_table(&lines) {
                out.push(format!("{}: {name}", file.strip_prefix(src).unwrap().display()));
            }
        }
    }
    out
}

#[test]
fn no_function_grows_past_sixty_lines_unless_a_table_of_texts() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let long = long_functions(&src);
    assert!(long.is_empty(), "functions over {MAX_FUNCTION_LINES} lines: split them\n{long:#?}");
}

/// The check itself: a long function is caught, a long table of texts and
/// a short function are not, whatever their shapes.
#[test]
fn a_long_function_is_caught_and_a_table_of_texts_is_not() {
    let arm = |n: usize| format!("        Kind::K{n} => tr!(lang, \"ja {n}\", \"en {n}\"),\n");
    let table =
        format!("pub fn text(k: Kind, lang: Lang) -> String {{\n    match k {{\n{}    }}\n}}\n", (0..70).map(arm).collect::<String>());
    let long = format!("async fn work() {{\n{}}}\n", "    step().await;\n".repeat(70));
    let waits = table.replace("tr!(lang", "say(lang).await; tr!(lang");
    let code = format!("fn short() -> u8 {{ 1 }}\nfn decl();\n{table}{long}\nfn more() {{\n    one();\n}}\n");
    let found: Vec<(String, usize, bool)> = functions(&code).into_iter().map(|(n, l)| (n, l.len(), is_text_table(&l))).collect();
    assert_eq!(found, vec![("text".into(), 74, true), ("work".into(), 72, false), ("more".into(), 3, false)]);
    let (_, waiting) = functions(&waits).pop().unwrap();
    assert!(!is_text_table(&waiting), "arms that wait on something are work, not texts");
}

/// The service root only hands services out: each public method of
/// `Hikeshi` but its constructors returns one feature's service.
#[test]
fn the_service_root_only_hands_out_services() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/service/mod.rs");
    // Read whole: its test module is declared above the root.
    let text = std::fs::read_to_string(src).unwrap();
    let root = text.split("impl Hikeshi {").nth(1).expect("impl Hikeshi in service/mod.rs");
    let methods: Vec<&str> = root.lines().map(str::trim).filter(|l| l.starts_with("pub fn") || l.starts_with("pub async fn")).collect();
    assert!(methods.len() > 2, "{methods:?}");
    for m in methods {
        let constructor = m.starts_with("pub fn new(") || m.starts_with("pub fn with_spool(") || m.starts_with("pub fn with_members(");
        assert!(constructor || m.ends_with("(&self) -> &") || m.contains("(&self) -> &"), "the service root does work: {m}");
    }
}
