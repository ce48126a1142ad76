//! The glossary check, run with the unit tests: the Japanese a member
//! reads uses the regulation's own words (`glossary.md` of the
//! regulation), so a committee member can lay a message beside the clause
//! it cites. Read from the source and the shipped configuration, so a new
//! text with a word the glossary avoids fails here.

use std::path::{Path, PathBuf};

/// `(avoided, the regulation's word)`.
const AVOID: &[(&str, &str)] = &[
    ("指揮者", "実行責任者"),
    ("コマンダー", "実行責任者"),
    ("指揮を執る", "実行責任者になる"),
    ("構成員", "会員"),
    ("メンバー", "会員"),
    ("全員お読み", "すべての会員に周知"),
    ("社外への加害", "顧客や取引先等の社外に対して当法人が加害者となる場合"),
    ("外部からの侵害", "社外の第三者からのセキュリティ侵害により当法人が被害者となる場合"),
    ("封込", "封じ込め"),
    ("復旧時間", "業務復旧までの許容時間"),
    ("監査", "運用確認"),
    ("セキュリティインシデント対応規程", "セキュリティインシデント報告・対応規程"),
    ("改正", "改訂"),
    ("自然災害", "天災"),
    ("開始の条件", "始動の契機"),
    ("終了の条件", "終了の契機"),
    ("年次見直し", "定期的（年１回）な内容の適切性の審議"),
    ("教訓・再発防止", "インシデントからの学習"),
    ("あなたの報告", "ご報告いただいた"),
    ("を提出した", "提出済みにする"),
    ("当社", "当法人"),
];

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

#[test]
fn the_japanese_uses_the_regulations_words() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = vec![];
    files(&root.join("src"), "rs", &mut all);
    files(&root.join("config/playbooks"), "toml", &mut all);
    all.push(root.join("config/hikeshi.toml"));
    let mut found = vec![];
    for f in all.iter().filter(|f| !f.ends_with("glossary.rs")) {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") || code.starts_with('#') {
                continue;
            }
            for (avoid, word) in AVOID {
                if line.contains(avoid) {
                    found.push(format!("{}:{}: 「{avoid}」→「{word}」", f.strip_prefix(root).unwrap().display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "words the regulation does not use:\n{}", found.join("\n"));
}
