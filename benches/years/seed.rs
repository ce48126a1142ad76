//! Years of a busy organisation's history, stored through hikeshi's own
//! service on a clock that walks through them: reports, command, phases,
//! the §4.3 records, lessons (some waived, some dismissed as not
//! incidents), follow-ups, monthly scheduler ticks, and transcripts (a
//! few incidents of hundreds of thousands of messages). A fixed seed: the
//! same size gives the same history.

use chrono::{DateTime, Duration, TimeZone, Utc};
use hikeshi::clock::{Clock, ManualClock};
use hikeshi::domain::effect::OutboxItem;
use hikeshi::domain::incident::IncidentError;
use hikeshi::domain::lessons::{BoardQuestion, LessonItem, PreventionPlan};
use hikeshi::domain::report::ReportDraft;
use hikeshi::domain::transcript::TranscriptMessage;
use hikeshi::domain::{Category, ChannelId, Effect, IncidentId, LogKind, MessageId, UserId};
use hikeshi::service::{Caller, Delivered, Hikeshi, NoticePost, ServiceError};

/// The size of the history: `scale` 1.0 is ten years of the issue's
/// organisation (5,040 incidents, about two million transcript rows).
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub years: u32,
    pub incidents_per_year: u32,
    /// The three long incidents' messages (the rest average ~285).
    pub long: [u32; 3],
}

impl Size {
    pub fn scaled(scale: f64) -> Size {
        let s = |n: f64| (n * scale).round().max(1.0) as u32;
        Size { years: 10, incidents_per_year: s(504.0), long: [s(300_000.0), s(150_000.0), s(100_000.0)] }
    }
}

/// A small deterministic generator (xorshift64*): no dependency, the same
/// history for the same seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

pub const START: fn() -> DateTime<Utc> = || Utc.with_ymd_and_hms(2016, 12, 31, 15, 0, 0).unwrap();

const COMMITTEE: Caller = Caller { user: UserId(101), committee: true, it_department: false };

/// What the seeding made, for the figures.
#[derive(Debug, Default)]
pub struct Seeded {
    pub incidents: u32,
    pub messages: u64,
    pub edits: u64,
    /// The incident with the most messages, and its number.
    pub longest: Option<(IncidentId, String, ChannelId)>,
    pub longest_messages: u32,
    /// The longest incident's first message (its messages' ids follow).
    pub longest_first: u64,
    pub open: u32,
}

pub struct Seeder {
    pub app: Hikeshi,
    pub clock: ManualClock,
    rng: Rng,
    next_id: u64,
    pub seeded: Seeded,
}

impl Seeder {
    pub fn new(app: Hikeshi, clock: ManualClock) -> Seeder {
        Seeder { app, clock, rng: Rng::new(0x5EED_2017), next_id: 1 << 40, seeded: Seeded::default() }
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The whole history; the last `open` incidents stay open.
    pub async fn run(&mut self, size: Size, open: u32) -> Result<(), ServiceError> {
        let total = size.years * size.incidents_per_year;
        let span = Duration::days(365 * i64::from(size.years) - 7);
        let long_at = [total / 7, total / 2, total - open - 40];
        let mut month = -1;
        for k in 0..total {
            let at = START() + span * k as i32 / total as i32;
            self.clock.set(at);
            let m = (at - START()).num_days() / 30;
            if m != month {
                month = m;
                self.app.reminders().tick().await?;
                self.drain().await?;
            }
            let messages = match long_at.iter().position(|l| *l == k) {
                Some(n) => size.long[n],
                None => 50 + self.rng.below(470) as u32,
            };
            self.incident(k, messages, k + open >= total).await?;
            if k % 500 == 0 {
                eprintln!("  seeded {k}/{total} incidents, {} messages", self.seeded.messages);
            }
        }
        Ok(())
    }

    async fn incident(&mut self, k: u32, messages: u32, stays_open: bool) -> Result<(), ServiceError> {
        let reporter = Caller::member(UserId(10_000 + self.rng.below(300)), false);
        let category = [Category::Breach, Category::Failure, Category::Threat, Category::Unsure][self.rng.below(4) as usize];
        let draft = ReportDraft {
            category: Some(category),
            title: format!("seed incident {k}: mail server behaves oddly"),
            description: "Several members saw unexpected sign-in prompts this morning.".into(),
            systems: "mail".into(),
            ..Default::default()
        };
        let id = self.app.reports().report(&draft, reporter, &format!("seed:{k}"), None).await?.incident.id;
        self.drain().await?;
        let incident = self.app.incidents().get(id).await?;
        let channel = incident.channel.expect("the seeder delivered the channel");
        if k % 20 == 7 {
            self.app.incidents().dismiss(id, COMMITTEE, "a phishing test by the IT team").await?;
            self.drain().await?;
            self.seeded.incidents += 1;
            return Ok(());
        }
        let commander = Caller::member(UserId(200 + self.rng.below(12)), false);
        self.app.incidents().appoint(id, COMMITTEE, commander.user).await?;
        let first = self.next_id + 1;
        self.transcript(channel, messages).await?;
        let goal = if stays_open { 1 + self.rng.below(4) as usize } else { 6 };
        self.walk(id, k, commander, goal).await?;
        // Follow-ups are done (a playbook's when its file changes), but for
        // one incident in 33, whose stay owed: the audit and the tick see them.
        if !stays_open && k % 33 != 3 {
            let open: Vec<u32> = self.app.incidents().get(id).await?.lessons.open_followups().map(|f| f.n).collect();
            for n in open {
                self.app.lessons().complete_followup(id, COMMITTEE, n).await?;
            }
        }
        self.drain().await?;
        if stays_open {
            self.seeded.open += 1;
        }
        self.seeded.incidents += 1;
        if messages > self.seeded.longest_messages {
            self.seeded.longest_messages = messages;
            self.seeded.longest_first = first;
            self.seeded.longest = Some((id, incident.number.to_string(), channel));
        }
        Ok(())
    }

    /// Advances `id` through `goal` phases, doing what each step asks.
    async fn walk(&mut self, id: IncidentId, k: u32, commander: Caller, goal: usize) -> Result<(), ServiceError> {
        let mut steps = 0;
        while steps < goal {
            self.clock.advance(Duration::minutes(20 + self.rng.below(600) as i64));
            match self.app.incidents().advance(id, commander, true).await {
                Ok(_) => steps += 1,
                Err(ServiceError::Refused(IncidentError::RecordsMissing(kinds))) => {
                    for kind in kinds {
                        self.log(id, commander, kind).await?;
                    }
                }
                Err(ServiceError::Refused(IncidentError::LessonsIncomplete(items))) => self.lessons(id, k, commander, &items).await?,
                // §4.1(1) (issue 27): the close answers the playbook's end trigger.
                Err(ServiceError::Refused(IncidentError::EndTriggerUnanswered)) => {
                    match self.app.incidents().close(id, commander, true).await {
                        Ok(_) => steps += 1,
                        Err(ServiceError::Refused(IncidentError::LessonsIncomplete(items))) => {
                            self.lessons(id, k, commander, &items).await?
                        }
                        Err(e) => return Err(e),
                    }
                }
                // §4.2 (issue 27): what the analysis found, before containment.
                Err(ServiceError::Refused(IncidentError::FindingsMissing)) => {
                    let (damage, cause) = ("Three mailboxes read by an outsider for a day.", "A phished password without a second factor.");
                    self.app.incidents().record_findings(id, commander, damage, cause).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn log(&mut self, id: IncidentId, commander: Caller, kind: LogKind) -> Result<(), ServiceError> {
        let body = match kind {
            LogKind::Status => "Mail relay isolated; credentials of three members reset.",
            LogKind::BusinessResumption => "Mail back at 14:00; members told in #general.",
            LogKind::StakeholderImpact => "No customer data left the organisation.",
        };
        self.app.incidents().log(id, commander, kind, body).await?;
        Ok(())
    }

    async fn lessons(&mut self, id: IncidentId, k: u32, commander: Caller, items: &[LessonItem]) -> Result<(), ServiceError> {
        let lessons = self.app.lessons();
        for item in items {
            // One in nine incidents has its lessons waived: the audit lists it.
            if k % 9 == 4 && *item != LessonItem::PlanApproval {
                lessons.waive(id, COMMITTEE, *item, "covered by the plan of an earlier incident").await?;
                continue;
            }
            match item {
                // The seed's organisation names no IT department role.
                LessonItem::ItSignOff => {}
                LessonItem::Plan | LessonItem::PlanApproval => {
                    let plan = PreventionPlan::new("Turn on MFA for the mail relay.", "Remind members how to report phishing.")?;
                    lessons.set_plan(id, COMMITTEE, plan).await?;
                }
                LessonItem::BoardQuestions => {
                    lessons.answer_board(id, COMMITTEE, BoardQuestion::VictimOfOutsideBreach, false).await?;
                    lessons.answer_board(id, COMMITTEE, BoardQuestion::HarmedOutsiders, false).await?;
                }
                LessonItem::ImprovementNotes => {
                    self.app.incidents().add_note(id, commander, "the playbook's first steps", "a contact list for the mail host").await?;
                }
            }
        }
        if k % 11 == 3 {
            let due = (self.clock.now() + Duration::days(30)).format("%Y-%m-%d").to_string();
            lessons.add_followup(id, COMMITTEE, "Review the relay's logs monthly", Some(commander.user), &due).await?;
        }
        Ok(())
    }

    /// `n` messages, several authors, a few edited; submitted 256 at a
    /// time as a busy channel delivers them (group commit).
    async fn transcript(&mut self, channel: ChannelId, n: u32) -> Result<(), ServiceError> {
        let start = self.clock.now();
        let authors: Vec<u64> = (0..(3 + self.rng.below(20))).map(|_| 10_000 + self.rng.below(300)).collect();
        let mut sent = 0;
        let mut edits = vec![];
        while sent < n {
            let chunk = (n - sent).min(256);
            let mut batch = Vec::with_capacity(chunk as usize);
            for j in sent..sent + chunk {
                let author = authors[self.rng.below(authors.len() as u64) as usize];
                let message = MessageId(self.id());
                if self.rng.below(40) == 0 && edits.len() < 20 {
                    edits.push(message);
                }
                batch.push(TranscriptMessage {
                    message,
                    channel,
                    author: UserId(author),
                    author_name: format!("member-{author}"),
                    author_bot: false,
                    at: start + Duration::seconds(i64::from(j) * 3),
                    content: format!("{j}: checked the relay's log for the window 09:00–10:00; nothing from outside yet ({author})."),
                    attachments: vec![],
                    reply_to: None,
                });
            }
            let t = self.app.transcript();
            let results = futures::future::join_all(batch.iter().map(|m| t.record_message(m))).await;
            for r in results {
                r?;
            }
            sent += chunk;
        }
        self.seeded.messages += u64::from(n);
        let at = start + Duration::seconds(i64::from(n) * 3);
        self.clock.set(at);
        for m in edits {
            self.app.transcript().record_edit(channel, m, "(edited) the relay's log is clean".into(), None, at, None).await?;
            self.seeded.edits += 1;
        }
        Ok(())
    }

    /// Delivers every due side effect as Discord would have answered.
    pub async fn drain(&mut self) -> Result<(), ServiceError> {
        loop {
            let now = self.clock.now();
            let items = self.app.delivery().claim_outbox("seed", now, Duration::minutes(5), 500).await?;
            if items.is_empty() {
                return Ok(());
            }
            for item in items {
                let result = self.result_of(&item).await?;
                self.app.delivery().delivered(&item, result).await?;
            }
        }
    }

    async fn result_of(&mut self, item: &OutboxItem) -> Result<Delivered, ServiceError> {
        Ok(match &item.effect {
            Effect::CreateChannel { .. } => Delivered::ChannelCreated(ChannelId(self.id())),
            Effect::PostCard { .. } => Delivered::CardPosted(MessageId(self.id())),
            Effect::Archive { .. } => Delivered::Archived(ChannelId(self.id())),
            Effect::CommitteeNotices => {
                let told: Vec<IncidentId> = self.app.delivery().notices_owed().await?.iter().map(|i| i.id).collect();
                let latest = NoticePost { message: MessageId(self.id()), started: self.clock.now(), incidents: told.clone() };
                Delivered::CommitteeTold { told, latest }
            }
            _ => Delivered::Done,
        })
    }
}
