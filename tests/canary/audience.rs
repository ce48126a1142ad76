//! Who read each thing the bot sent to Discord: a channel's readers as
//! Discord computes them now, with everyone the bot ever let in; a DM's
//! recipient; an ephemeral answer's one member. A request the audience of
//! which is not known is read by every member (the strict default).

use crate::support::fake::{perms, FakeDiscord, Recorded};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::io::Read;

/// One request the bot made, its text (body and files) and who reads it.
pub struct Sent {
    pub what: String,
    pub text: String,
    pub readers: BTreeSet<u64>,
    /// Its place among the requests (what came after a redaction).
    pub at: usize,
}

pub struct Audience<'a> {
    fake: &'a FakeDiscord,
    members: Vec<u64>,
    /// Members the bot gave an overwrite of their own that lets them see.
    granted: HashMap<u64, BTreeSet<u64>>,
    /// Channels deleted by hand: their readers when they went.
    gone: &'a HashMap<u64, BTreeSet<u64>>,
}

fn number(s: &str) -> u64 {
    s.parse().unwrap_or(0)
}

/// Every file's text, unpacked when compressed.
fn text_of(r: &Recorded) -> String {
    let mut text = r.body.to_string();
    for (name, bytes) in &r.raw_files {
        let mut out = String::new();
        if name.ends_with(".gz") {
            let _ = flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_string(&mut out);
        } else {
            out = String::from_utf8_lossy(bytes).into_owned();
        }
        text.push('\n');
        text.push_str(&out);
    }
    text
}

impl<'a> Audience<'a> {
    pub fn new(fake: &'a FakeDiscord, gone: &'a HashMap<u64, BTreeSet<u64>>) -> Self {
        let mut granted: HashMap<u64, BTreeSet<u64>> = HashMap::new();
        for r in fake.calls("PUT", "/channels/*/permissions/*") {
            let allow = number(r.body["allow"].as_str().unwrap_or("0"));
            if r.body["type"] == 1 && allow & perms::VIEW_CHANNEL != 0 {
                let seg: Vec<&str> = r.path.trim_matches('/').split('/').collect();
                granted.entry(number(seg[1])).or_default().insert(number(seg[3]));
            }
        }
        Audience { fake, members: fake.members(), granted, gone }
    }

    /// Who reads `channel`: its recipient for a DM; else every member who
    /// can view it now, and everyone the bot ever let in.
    pub fn channel(&self, channel: u64) -> BTreeSet<u64> {
        let Some(c) = self.fake.channel(channel) else {
            let mut readers = self.gone.get(&channel).cloned().unwrap_or_else(|| self.members.iter().copied().collect());
            readers.extend(self.granted.get(&channel).into_iter().flatten());
            return readers;
        };
        if c["type"] == 1 {
            return c["recipients"].as_array().into_iter().flatten().map(|u| number(u["id"].as_str().unwrap_or("0"))).collect();
        }
        let parent = c["parent_id"].as_str().map(number).filter(|_| matches!(c["type"].as_u64(), Some(10..=12)));
        let mut readers: BTreeSet<u64> =
            self.members.iter().copied().filter(|m| self.fake.member_can(*m, channel, perms::VIEW_CHANNEL)).collect();
        for c in [Some(channel), parent].into_iter().flatten() {
            readers.extend(self.granted.get(&c).into_iter().flatten());
        }
        readers
    }

    /// An interaction's answer: the member alone when ephemeral (a form,
    /// a DM, flag 64, an update of an ephemeral message), else its channel.
    fn answer(&self, interaction: &Value, ephemeral: bool) -> BTreeSet<u64> {
        let user = interaction["member"]["user"]["id"].as_str().or(interaction["user"]["id"].as_str()).map(number).unwrap_or(0);
        if ephemeral || interaction.get("guild_id").is_none() {
            return BTreeSet::from([user]);
        }
        self.channel(number(interaction["channel_id"].as_str().unwrap_or("0")))
    }

    fn ephemeral(body: &Value) -> bool {
        let flags = body["data"]["flags"].as_u64().or(body["flags"].as_u64()).unwrap_or(0);
        flags & 64 != 0 || body["type"] == 9
    }

    fn readers(&self, r: &Recorded) -> BTreeSet<u64> {
        let seg: Vec<&str> = r.path.trim_matches('/').split('/').collect();
        match (r.method.as_str(), &seg[..]) {
            (_, ["channels", c, ..]) => self.channel(number(c)),
            (_, ["interactions", id, _, "callback"]) => {
                let Some(i) = self.fake.interaction(id) else { return self.members.iter().copied().collect() };
                let updates_ephemeral = r.body["type"] == 7 && i["message"]["flags"].as_u64().unwrap_or(0) & 64 != 0;
                self.answer(&i, Self::ephemeral(&r.body) || updates_ephemeral)
            }
            (_, ["webhooks", _, token, ..]) => {
                let Some(i) = self.fake.interaction(token) else { return self.members.iter().copied().collect() };
                let first = self.fake.calls("POST", &format!("/interactions/{}/*/callback", i["id"].as_str().unwrap_or("")));
                let ephemeral = first.iter().any(|c| Self::ephemeral(&c.body)) || Self::ephemeral(&r.body);
                self.answer(&i, ephemeral)
            }
            ("POST", ["guilds", _, "channels"]) => {
                let made = self.fake.channels().into_iter().find(|c| c["name"] == r.body["name"] && c["topic"] == r.body["topic"]);
                made.map(|c| self.channel(number(c["id"].as_str().unwrap_or("0"))))
                    .unwrap_or_else(|| self.members.iter().copied().collect())
            }
            // Opening a DM: Discord's business and the recipient's.
            ("POST", ["users", "@me", "channels"]) => BTreeSet::from([number(r.body["recipient_id"].as_str().unwrap_or("0"))]),
            _ => self.members.iter().copied().collect(),
        }
    }

    /// Everything the bot sent, with its readers.
    pub fn everything(&self) -> Vec<Sent> {
        self.fake
            .requests()
            .iter()
            .enumerate()
            .map(|(at, r)| Sent { what: format!("{} {}", r.method, r.path), text: text_of(r), readers: self.readers(r), at })
            .collect()
    }
}
