//! Issue 28: a browser as the console's stories need one, over plain HTTP:
//! it keeps cookies (by host, as browsers do, whatever the port), sends a
//! language, and follows redirects when asked to — or shows each answer,
//! for the stories that look at headers. The real browser's stories drive
//! Chromium instead.

use super::fake::FakeDiscord;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;
use std::sync::Mutex;

pub struct Browser {
    client: reqwest::Client,
    /// name → (value, the whole Set-Cookie line as given).
    pub jar: Mutex<BTreeMap<String, (String, String)>>,
    pub lang: String,
}

/// One answer: its status, headers, where it came from and its body.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub url: String,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }

    /// The hidden CSRF field of the page's sign-out form.
    pub fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + "name=\"csrf\" value=\"".len();
        self.body[at..].split('"').next().unwrap().to_string()
    }
}

impl Browser {
    pub fn new(lang: &str) -> Browser {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, jar: Mutex::default(), lang: lang.into() }
    }

    fn cookies(&self) -> String {
        self.jar.lock().unwrap().iter().map(|(k, (v, _))| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep(&self, headers: &HeaderMap) {
        for line in headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let (pair, _) = line.split_once(';').unwrap_or((line, ""));
            let (k, v) = pair.split_once('=').unwrap();
            let expired = line.contains("Max-Age=0");
            let mut jar = self.jar.lock().unwrap();
            if expired {
                jar.remove(k);
            } else {
                jar.insert(k.to_string(), (v.to_string(), line.to_string()));
            }
        }
    }

    /// One request, no redirect followed.
    pub async fn send(&self, method: &str, url: &str, form: Option<&[(&str, &str)]>) -> Page {
        let mut req = self.client.request(method.parse().unwrap(), url).header("accept-language", &self.lang);
        let cookies = self.cookies();
        if !cookies.is_empty() {
            req = req.header("cookie", cookies);
        }
        if let Some(form) = form {
            req = req.form(form);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
        self.keep(&headers);
        let bytes = resp.bytes().await.unwrap().to_vec();
        Page { status, headers, url: url.to_string(), body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }

    pub async fn get_once(&self, url: &str) -> Page {
        self.send("GET", url, None).await
    }

    /// GET, following redirects (at most ten) as a browser does.
    pub async fn get(&self, url: &str) -> Page {
        self.follow(self.get_once(url).await).await
    }

    pub async fn follow(&self, mut page: Page) -> Page {
        for _ in 0..10 {
            if !(300..400).contains(&page.status) {
                return page;
            }
            let to = page.headers.get(LOCATION).unwrap().to_str().unwrap();
            let to = reqwest::Url::parse(&page.url).unwrap().join(to).unwrap().to_string();
            page = self.get_once(&to).await;
        }
        panic!("too many redirects from {}", page.url)
    }

    /// Signs in to the console at `start` as `user` through the fake's
    /// authorisation page (the member presses Authorize).
    pub async fn sign_in(&self, fake: &FakeDiscord, start: &str, user: u64) -> Page {
        fake.sign_in_as(user);
        let authorize = self.get(start).await;
        assert_eq!(authorize.status, 200, "Discord's page: {}", authorize.body);
        assert!(authorize.url.contains("/oauth2/authorize?"), "{}", authorize.url);
        let query: Vec<(String, String)> = reqwest::Url::parse(&authorize.url).unwrap().query_pairs().into_owned().collect();
        let form: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let said_yes = self.send("POST", &format!("{}/oauth2/authorize", fake.base_url()), Some(&form)).await;
        self.follow(said_yes).await
    }
}
