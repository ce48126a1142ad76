//! The organisation's mail server, as the tests run it: Debian's
//! `python3-aiosmtpd` (an RFC 5321 server) on 127.0.0.1 with STARTTLS
//! required (the certificate in `tests/fixtures/smtp`), delivering into a
//! Maildir that the story reads and parses as MIME.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

pub struct MailServer {
    pub addr: SocketAddr,
    pub maildir: PathBuf,
    _child: tokio::process::Child,
    _dir: tempfile::TempDir,
}

/// One message as the recipient's mail program reads it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub subject: String,
    pub from: String,
    pub to: Vec<String>,
    pub message_id: String,
    pub body: String,
}

const PYTHON: &str = "/usr/bin/python3";

/// Whether Debian's aiosmtpd is here (`.ci/run` installs it).
pub fn available() -> bool {
    std::process::Command::new(PYTHON).args(["-c", "import aiosmtpd"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// The CA the server's certificate is signed by (hikeshi's `smtp_ca_file`).
pub fn certificate() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp/ca.pem")
}

impl MailServer {
    /// Listening at `addr` once it answers.
    pub async fn start_at(addr: SocketAddr) -> MailServer {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("Maildir");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp");
        let child = tokio::process::Command::new(PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l", &addr.to_string(), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .arg("--tlscert")
            .arg(fixtures.join("cert.pem"))
            .arg("--tlskey")
            .arg(fixtures.join("key.pem"))
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start aiosmtpd");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return MailServer { addr, maildir, _child: child, _dir: dir };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not listen on {addr}");
    }

    /// The messages delivered so far.
    pub fn mails(&self) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else { return vec![] };
        entries
            .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
            .map(|raw| {
                let m = mail_parser::MessageParser::default().parse(&raw).expect("a MIME message");
                let addresses = |a: Option<&mail_parser::Address>| {
                    a.map(|a| a.iter().filter_map(|x| x.address().map(str::to_string)).collect::<Vec<_>>()).unwrap_or_default()
                };
                Mail {
                    subject: m.subject().unwrap_or("").to_string(),
                    from: addresses(m.from()).join(","),
                    to: addresses(m.to()),
                    message_id: m.message_id().unwrap_or("").to_string(),
                    body: m.body_text(0).map(|b| b.to_string()).unwrap_or_default(),
                }
            })
            .collect()
    }
}
