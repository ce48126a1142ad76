//! Issue 28: a real browser for the console's stories — Debian's Chromium,
//! headless, driven through chromedriver (W3C WebDriver) — and axe-core,
//! vendored in `tests/fixtures/axe/`, run in the same page. Where Chromium
//! is not installed the stories say SKIPPED, unless `CI=true` (`.ci/run`
//! installs it).

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Chrome {
    pub client: Client,
    driver: Child,
    /// Where downloads land.
    pub downloads: tempfile::TempDir,
}

fn installed(path: &str) -> bool {
    Path::new(path).exists()
}

impl Chrome {
    /// A fresh headless Chromium with its own profile, asking for pages in
    /// `lang`; `None` (said loudly) where it is not installed.
    pub async fn start(test: &str, lang: &str) -> Option<Chrome> {
        if !installed("/usr/bin/chromedriver") || !installed("/usr/bin/chromium") {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "CI installs chromium and chromium-driver (.ci/run)");
            eprintln!("SKIPPED {test}: chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let downloads = tempfile::tempdir().unwrap();
        let caps = json!({"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000", format!("--lang={lang}")],
            "prefs": {"intl.accept_languages": lang, "download.default_directory": downloads.path().display().to_string(), "download.prompt_for_download": false}
        }});
        let caps: serde_json::Map<String, Value> = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::new(connector.clone()).capabilities(caps.clone()).connect(&url).await {
                Ok(client) => return Some(Chrome { client, driver, downloads }),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start a session: {last:?}")
    }

    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
    }

    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub async fn click(&self, css: &str) {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
    }

    /// Signs in through the fake Discord's page: the member presses
    /// Authorize; returns once the browser is back on the console.
    pub async fn sign_in(&self, fake: &super::fake::FakeDiscord, start: &str, user: u64) {
        fake.sign_in_as(user);
        self.open(start).await;
        self.authorize().await;
    }

    /// Presses Authorize on Discord's page and waits until the browser
    /// left it (the redirects through the console's callback are done).
    pub async fn authorize(&self) {
        self.click("#authorize").await;
        self.wait("back from Discord", |url, _| !url.contains("/oauth2/authorize")).await;
    }

    /// The page's text once `words` are in it (a click's navigation may
    /// still be under way when the click returns).
    pub async fn wait_text(&self, words: &str) -> String {
        self.wait(&format!("“{words}” on the page"), |_, text| text.contains(words)).await
    }

    async fn wait(&self, what: &str, done: impl Fn(&str, &str) -> bool) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let ready = self.client.execute("return document.readyState", vec![]).await.ok();
            let (url, text) = (self.url().await, self.text().await);
            if ready.as_ref().and_then(|r| r.as_str()) == Some("complete") && done(&url, &text) {
                return text;
            }
            assert!(std::time::Instant::now() < deadline, "waited 30 s for {what}: at {url}\n{text}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// axe-core's serious and critical violations on the page open now.
    pub async fn accessibility_problems(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/axe/axe.min.js")).unwrap();
        self.client.execute(&axe, vec![]).await.expect("load axe-core");
        let run =
            "const done = arguments[arguments.length - 1]; axe.run(document).then(r => done(r.violations)).catch(e => done(String(e)));";
        let violations = self.client.execute_async(run, vec![]).await.expect("run axe-core");
        let Some(list) = violations.as_array() else { panic!("axe-core failed: {violations}") };
        list.iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| format!("{} ({}): {}", v["id"], v["impact"], v["nodes"].as_array().map(|n| n.len()).unwrap_or(0)))
            .collect()
    }

    /// A PNG of the page open now.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.client.screenshot().await.unwrap()
    }

    /// The file whose name ends with `suffix` once it is whole in the
    /// downloads folder (waits for it).
    pub async fn downloaded(&self, suffix: &str) -> Vec<u8> {
        for _ in 0..200 {
            let found = std::fs::read_dir(self.downloads.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.to_string_lossy().ends_with(suffix));
            if let Some(bytes) = found.and_then(|p| std::fs::read(p).ok()) {
                return bytes;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let seen: Vec<_> = std::fs::read_dir(self.downloads.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        panic!("no …{suffix} was downloaded; the folder holds {seen:?}")
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
