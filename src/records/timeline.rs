//! The incident's timeline in words, in the organisation's language: what
//! happened, one sentence an event, for a reader of the record (a board
//! member, an auditor). Transcript messages belong to the transcript, and
//! the bookkeeping of delivery (channel made, card posted) to the raw
//! events the appendix and the JSON export keep with their hashes.

use crate::domain::event::{EventPayload, EventRecord};
use crate::domain::lessons::BoardQuestion;
use crate::domain::playbook::Playbooks;
use crate::domain::{Lang, UserId};
use crate::tr;
use chrono_tz::Tz;

/// Names a member as seen at a moment: `name (id)`, or the id alone.
pub type Names<'a> = &'a dyn Fn(UserId, chrono::DateTime<chrono::Utc>) -> String;

/// `(local time, sentence)` for each event worth a sentence, in order.
pub fn sentences(events: &[EventRecord], lang: Lang, tz: Tz, names: Names<'_>, playbooks: &Playbooks) -> Vec<(String, String)> {
    let title = |id: &str| playbook_title(playbooks, id, lang);
    events
        .iter()
        .filter_map(|e| {
            let payload = e.payload().ok()?;
            let at = crate::clock::from_ms(e.at_ms);
            let name = |u: UserId| names(u, at);
            let who = actor(&e.actor, lang, &name);
            let text = sentence(&payload, &who, (lang, tz), &name, &title)?;
            let at = minute(crate::clock::from_ms(e.at_ms), tz);
            Some((at, text))
        })
        .collect()
}

/// A time where the organisation is, to the minute.
fn minute(at: chrono::DateTime<chrono::Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A trigger in `lang`: the English words where the record has them.
fn in_lang<'a>(ja: &'a str, en: &'a str, lang: Lang) -> &'a str {
    if lang == Lang::En && !en.is_empty() {
        en
    } else {
        ja
    }
}

/// A playbook by its title in `lang`; its id when it is no longer
/// configured (a record outlives its playbooks).
pub fn playbook_title(playbooks: &Playbooks, id: &str, lang: Lang) -> String {
    match playbooks.get(&crate::domain::PlaybookId(id.to_string())) {
        Some(p) => p.title.get(lang).to_string(),
        None => id.to_string(),
    }
}

/// `user:123` as the member's name, the confidential reporter (redacted to
/// 0) as such, the system as hikeshi.
fn actor(actor: &str, lang: Lang, name: &dyn Fn(UserId) -> String) -> String {
    match actor.strip_prefix("user:").map(|id| id.parse::<u64>()) {
        Some(Ok(0)) => tr!(lang, "（匿名の報告者）", "(the confidential reporter)"),
        Some(Ok(id)) => name(UserId(id)),
        _ => "hikeshi".to_string(),
    }
}

/// Issue 25: who the state does not allow reads the channel now.
fn access_changed(after: &[crate::domain::access::Reader], undone: bool, lang: Lang, name: &dyn Fn(UserId) -> String) -> String {
    let role = |r: crate::domain::RoleId| tr!(lang, "ロール {r}", "role {r}");
    let list: Vec<String> = after.iter().map(|r| r.says(lang, name, &role)).collect();
    let list = list.join(", ");
    match (after.is_empty(), undone) {
        (true, _) => tr!(lang, "閲覧できる人が状態どおりに戻る", "who can read is back to what the state allows"),
        (false, true) => tr!(
            lang,
            "状態にない閲覧者: {list}。hikeshi が権限設定を元に戻す",
            "readers the state does not allow: {list}; hikeshi put its overwrites back"
        ),
        (false, false) => tr!(lang, "状態にない閲覧者: {list}", "readers the state does not allow: {list}"),
    }
}

/// A reminder as the scheduler keyed it (`deadline:50`, `followup:2:due`,
/// …), in words.
fn reminded(key: &str, lang: Lang) -> String {
    let mut parts = key.split(':');
    match (parts.next().unwrap_or(""), parts.next().unwrap_or("")) {
        ("deadline", percent) => {
            tr!(lang, "表1の復旧期限まで {percent}% の時間が経過したことを通知", "reminded that {percent}% of the Table 1 time had passed")
        }
        ("nodowntime", _) => {
            tr!(lang, "復旧優先度3のシステムの復旧を督促", "reminded that a priority-3 system may not stop")
        }
        ("status", _) => tr!(lang, "状況の記録（§4.3）を依頼", "asked for a status record (§4.3)"),
        ("stale", _) => tr!(lang, "しばらく動きがないことを通知", "reminded that nothing had happened for a while"),
        ("followup", n) => tr!(lang, "フォローアップ #{n} の期限を通知", "reminded of follow-up #{n}'s due date"),
        ("appi", "preliminary") | ("appi", "final") => {
            let stage =
                if key.contains("preliminary") { crate::domain::appi::Stage::Preliminary } else { crate::domain::appi::Stage::Final };
            let stage = stage.label().get(lang).to_string();
            tr!(lang, "個人情報保護委員会への{stage}の期限を通知", "reminded of the {stage} to the PPC")
        }
        ("ack", _) => tr!(lang, "委員会の確認を督促（§4.2）", "escalated: nobody had acknowledged (§4.2)"),
        _ => tr!(lang, "リマインドを送信", "sent a reminder"),
    }
}

fn yes_no(yes: bool, lang: Lang) -> String {
    if yes {
        tr!(lang, "該当", "yes")
    } else {
        tr!(lang, "非該当", "no")
    }
}

fn sentence(
    p: &EventPayload,
    who: &str,
    (lang, tz): (Lang, Tz),
    name: &dyn Fn(UserId) -> String,
    title: &dyn Fn(&str) -> String,
) -> Option<String> {
    use EventPayload::*;
    let phase = |p: &crate::domain::Phase| p.label().get(lang).to_string();
    Some(match p {
        Reported { number, title } => tr!(lang, "{who} が {number}「{title}」を報告", "{who} reported {number} “{title}”"),
        HeldForTriage => {
            tr!(lang, "報告が多すぎるため委員会の確認待ちとして保留", "held for the committee's triage (too many reports at once)")
        }
        Released => tr!(lang, "{who} が保留中の報告の対応チャンネルを開く", "{who} opened the held report's channel"),
        CommandTaken { commander } => {
            let commander = name(*commander);
            tr!(lang, "{commander} が実行責任者になる", "{commander} took command")
        }
        Escalated { step } => {
            let step = step.label().get(lang).to_string();
            tr!(lang, "委員会の確認がないため、エスカレーション: {step}", "not acknowledged yet, escalated: {step}")
        }
        Acknowledged { by } => {
            let by = name(*by);
            tr!(lang, "委員会の {by} が報告を確認", "{by} of the committee acknowledged the report")
        }
        CommanderAppointed { commander } => {
            let commander = name(*commander);
            tr!(lang, "{who} が {commander} を実行責任者に任命", "{who} appointed {commander} as commander")
        }
        CommandHandedOver { from, to } => {
            let (from, to) = (name(*from), name(*to));
            tr!(lang, "実行責任者を {from} から {to} へ引き継ぎ", "command handed from {from} to {to}")
        }
        PhaseAdvanced { from, to, skipped } => {
            let (from, to, n) = (phase(from), phase(to), skipped.len());
            if n == 0 {
                tr!(lang, "{from} → {to}", "{from} → {to}")
            } else {
                tr!(lang, "{from} → {to}（未実施 {n} 件）", "{from} → {to} ({n} item(s) skipped)")
            }
        }
        LogEntryAdded { kind, .. } => {
            let kind = kind.label().get(lang).to_string();
            tr!(lang, "{who} が §4.3 の記録「{kind}」を追加", "{who} logged a §4.3 entry: {kind}")
        }
        Redacted { message, reason, .. } => {
            tr!(
                lang,
                "{who} がメッセージ {message} を個人情報のため削除（理由: {reason}）",
                "{who} redacted message {message} (personal data; why: {reason})"
            )
        }
        ChannelLost { channel } => tr!(
            lang,
            "対応チャンネル {channel} が手作業で削除され、新しいチャンネルを開く（記録はそのまま）",
            "the incident channel {channel} was deleted by hand; a new one opened (the record intact)"
        ),
        AccessChanged { after, undone, .. } => access_changed(after, *undone, lang, name),
        ResponderAdded { user } => {
            let user = name(*user);
            tr!(lang, "{who} が {user} を対応者に追加", "{who} added {user} to the response")
        }
        ResponderRemoved { user } => {
            let user = name(*user);
            tr!(lang, "{who} が {user} を対応者から外す", "{who} removed {user} from the response")
        }
        MarkedDuplicate { .. } => tr!(lang, "{who} が重複として終了", "{who} closed it as a duplicate"),
        ReportMerged { confidential: true, .. } => tr!(lang, "匿名の報告 1 件を統合", "a confidential report was merged in"),
        ReportMerged { .. } => tr!(lang, "同じ事象の報告 1 件を統合", "a report of the same thing was merged in"),
        Dismissed { reason } => {
            tr!(lang, "{who} がインシデントではないとして終了（理由: {reason}）", "{who} closed it as not an incident (reason: {reason})")
        }
        Archived { .. } => tr!(lang, "チャンネルをアーカイブ（閲覧のみ）", "the channel was archived (read-only)"),
        ChecklistTicked { phase: ph, item, done } => {
            let (ph, n) = (phase(ph), item + 1);
            if *done {
                tr!(lang, "{who} が {ph} のチェック項目 {n} を完了", "{who} ticked {ph} item {n}")
            } else {
                tr!(lang, "{who} が {ph} のチェック項目 {n} を戻す", "{who} unticked {ph} item {n}")
            }
        }
        PlanRecorded => tr!(lang, "{who} が再発防止計画を記録", "{who} recorded the prevention plan"),
        AlertReceived { source, title, resolved, .. } => {
            if *resolved {
                tr!(lang, "{source} の検知「{title}」が解消", "{source}: “{title}” resolved")
            } else {
                tr!(lang, "{source} が「{title}」を検知", "{source} detected “{title}”")
            }
        }
        SplitOut { .. } => {
            tr!(lang, "{who} がまとめた報告を別のインシデントとして切り出す", "{who} split a gathered report out into its own incident")
        }
        MadeConfidential => tr!(lang, "{who} が報告を匿名（報告者を秘匿）にする", "{who} made the report confidential"),
        Reclassified { category, kind, reason, .. } => {
            let what = crate::domain::category::classification_label(*category, *kind).get(lang).to_string();
            tr!(lang, "{who} が区分を「{what}」に変更（理由: {reason}）", "{who} reclassified it as “{what}” (reason: {reason})")
        }
        ReportTaken { by, via, outsider } => {
            let (by, via) = (name(*by), via.label().get(lang).to_string());
            let from = outsider.clone().map_or_else(|| who.to_string(), |o| tr!(lang, "{o}（会員外）", "{o} (not a member)"));
            tr!(lang, "{by} が{via}で受けた報告を代理で登録（報告者: {from}）", "{by} filed the report taken by {via} (reporter: {from})")
        }
        ResponseStarted { trigger, trigger_en } => {
            let t = in_lang(trigger, trigger_en, lang);
            tr!(lang, "対応組織が始動（始動の契機: {t}）", "the response organisation started (activation: {t})")
        }
        EndTriggerAnswered { met, trigger, trigger_en } => {
            let t = in_lang(trigger, trigger_en, lang);
            if *met {
                tr!(lang, "{who} が終了の契機を満たしたとして終了（{t}）", "{who} closed it, the end trigger met ({t})")
            } else {
                tr!(lang, "{who} が終了の契機を満たさないまま終了（{t}）", "{who} closed it without the end trigger met ({t})")
            }
        }
        OutageStarted { system, at } => {
            let at = minute(*at, tz);
            tr!(lang, "{who} が「{system}」の停止を記録（{at} から）", "{who} recorded “{system}” down (from {at})")
        }
        SystemRestored { system, at } => {
            let at = minute(*at, tz);
            tr!(lang, "{who} が「{system}」の復旧を記録（{at}）", "{who} recorded “{system}” restored ({at})")
        }
        PriorityAssigned { system, priority } => {
            tr!(
                lang,
                "{who} が登録外のシステム「{system}」の復旧優先度を{priority}に決定（表1）",
                "{who} gave the unregistered system “{system}” recovery priority {priority} (Table 1)"
            )
        }
        RoleAssigned { role, member } => {
            let member = name(*member);
            tr!(lang, "{who} が {member} を対応組織の役割「{role}」に指名", "{who} named {member} for the role “{role}”")
        }
        FindingsRecorded { damage, cause } => {
            tr!(
                lang,
                "{who} が調査結果を記録（被害: {damage}／原因: {cause}）",
                "{who} recorded the findings (damage: {damage}; cause: {cause})"
            )
        }
        FindingsWaived { reason } => {
            tr!(lang, "{who} が調査結果の記録を免除（理由: {reason}）", "{who} waived the findings (reason: {reason})")
        }
        PlaybookChosen { playbook, reason } => {
            let playbook = title(playbook);
            tr!(lang, "{who} が対応手順「{playbook}」を選択（理由: {reason}）", "{who} chose the playbook “{playbook}” (reason: {reason})")
        }
        RecordWaived { kind, reason } => {
            let kind = kind.label().get(lang).to_string();
            tr!(lang, "{who} が §4.3 の記録「{kind}」を免除（理由: {reason}）", "{who} waived the §4.3 record {kind} (reason: {reason})")
        }
        PlanApproved { revision } => {
            tr!(lang, "{who} が再発防止計画（第{revision}版）を承認", "{who} approved the prevention plan (revision {revision})")
        }
        PlanSignedOff { revision } => tr!(
            lang,
            "{who} が情報システム部として再発防止計画（第{revision}版）を確認",
            "{who} signed off the prevention plan (revision {revision}) for the IT department"
        ),
        BoardTold { met_on: Some(day), decided } => tr!(
            lang,
            "{who} が取締役会への報告を記録（開催日 {day}、決定・指示: {decided}）",
            "{who} recorded that the board was told (met on {day}; decided or instructed: {decided})"
        ),
        BoardTold { met_on: None, .. } => tr!(lang, "{who} が取締役会への報告を記録", "{who} recorded that the board was told"),
        FollowUpAdded { n, what, owner, .. } => {
            let owner = owner.map(name).unwrap_or_else(|| tr!(lang, "委員会", "the committee"));
            tr!(lang, "フォローアップ #{n}「{what}」（担当 {owner}）", "follow-up #{n} “{what}” (owner {owner})")
        }
        FollowUpDone { n } => tr!(lang, "{who} がフォローアップ #{n} を完了", "{who} completed follow-up #{n}"),
        BoardAnswered { question, yes } => {
            let q = match question {
                BoardQuestion::VictimOfOutsideBreach => {
                    tr!(lang, "社外の第三者からのセキュリティ侵害により当法人が被害者となる場合", "a victim of an outside breach")
                }
                BoardQuestion::HarmedOutsiders => tr!(lang, "顧客や取引先等の社外に対して当法人が加害者となる場合", "harm to outsiders"),
            };
            let a = yes_no(*yes, lang);
            tr!(lang, "取締役会報告: {q} = {a}", "board report: {q} = {a}")
        }
        Waived { item, reason } => {
            let item = crate::domain::refusal::lesson_item(*item, lang);
            tr!(lang, "{who} が「{item}」を免除（理由: {reason}）", "{who} waived {item} (reason: {reason})")
        }
        NoteAdded { .. } => tr!(lang, "{who} が改善メモを記録", "{who} added an improvement note"),
        InfoAdded => tr!(lang, "匿名の報告者が情報を追加", "the confidential reporter added information"),
        AppiAnswered { question, yes } => {
            let (q, a) = (question.label().get(lang).to_string(), yes_no(*yes, lang));
            tr!(lang, "個人情報保護法第26条の確認: {q} = {a}", "APPI Art. 26 question: {q} = {a}")
        }
        AppiFiled { stage } => {
            let stage = stage.label().get(lang).to_string();
            tr!(lang, "{who} が個人情報保護委員会への{stage}を提出済みにする", "{who} marked the {stage} to the PPC as filed")
        }
        Reminded { key } => reminded(key, lang),
        DrillStarted { playbook } => {
            let playbook = title(playbook);
            tr!(lang, "{who} が訓練を開始（{playbook}）", "{who} started a drill ({playbook})")
        }
        PublicTitleSet { title } => tr!(lang, "{who} が周知用の名前を「{title}」に", "{who} named it “{title}” for all members"),
        ThreadOpened { name, .. } => tr!(lang, "スレッド「{name}」が始まる", "thread “{name}” started"),
        ThreadRenamed { name, .. } => tr!(lang, "スレッドの名前を「{name}」に変更", "a thread was renamed “{name}”"),
        ThreadDeleted { .. } => {
            tr!(lang, "スレッドが削除される（発言は記録に残っています）", "a thread was deleted (its messages stay in the record)")
        }
        AttachmentKept { name, size, .. } => tr!(lang, "証拠ファイル {name}（{size} B）を保存", "evidence file {name} ({size} B) kept"),
        AttachmentNotKept { name, reason, .. } => tr!(lang, "ファイル {name} は保存されず（{reason}）", "file {name} not kept ({reason})"),
        // Delivery's bookkeeping, the transcript's own lines, reads and the
        // committee's schedule: in the transcript, the appendix and the JSON.
        ChannelCreated { .. }
        | CardPosted { .. }
        | TranscriptRecorded { .. }
        | TranscriptDeleted { .. }
        | AnnouncementRead { .. }
        | ReminderFired { .. }
        | ReminderAcknowledged { .. }
        | ReminderEscalated { .. }
        | EscalationDelivered { .. }
        | DutyChanged { .. }
        | RequestMade { .. }
        | RequestDecided { .. }
        | ReviewConcluded { .. }
        | RegulationRevised { .. }
        | PlaybookRevised { .. }
        | RegistryRevised { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{chain_hash, GENESIS_HASH};
    use crate::domain::{MessageId, Phase};

    fn record(seq: i64, actor: &str, p: &EventPayload) -> EventRecord {
        let payload = serde_json::to_string(p).unwrap();
        let hash = chain_hash(GENESIS_HASH, seq, Some(1), actor, 0, p.kind(), &payload);
        EventRecord {
            seq,
            incident: Some(1),
            actor: actor.into(),
            at_ms: 1_790_000_000_000,
            kind: p.kind().into(),
            payload,
            prev_hash: GENESIS_HASH.into(),
            hash,
        }
    }

    #[test]
    fn the_timeline_reads_as_sentences_and_leaves_bookkeeping_out() {
        let events = [
            record(1, "user:7", &EventPayload::PhaseAdvanced { from: Phase::Analysis, to: Phase::Containment, skipped: vec![0, 1, 2] }),
            record(2, "system", &EventPayload::TranscriptRecorded { message: MessageId(1), version: 1, digest: "x".into() }),
            record(3, "user:7", &EventPayload::BoardAnswered { question: BoardQuestion::VictimOfOutsideBreach, yes: true }),
            record(4, "user:7", &EventPayload::CommanderAppointed { commander: UserId(9) }),
            record(5, "user:0", &EventPayload::InfoAdded),
        ];
        let names = |u: UserId, _| if u == UserId(9) { "花子 (9)".to_string() } else { u.to_string() };
        let ja: Vec<String> =
            sentences(&events, Lang::Ja, chrono_tz::Asia::Tokyo, &names, &Playbooks::default()).into_iter().map(|(_, s)| s).collect();
        assert_eq!(ja.len(), 4, "the transcript line is not in the timeline: {ja:?}");
        assert_eq!(ja[0], "分析 → 封じ込め（未実施 3 件）");
        assert_eq!(ja[1], "取締役会報告: 社外の第三者からのセキュリティ侵害により当法人が被害者となる場合 = 該当");
        assert_eq!(ja[2], "7 が 花子 (9) を実行責任者に任命");
        assert_eq!(ja[3], "匿名の報告者が情報を追加");
        let en = sentences(&events, Lang::En, chrono_tz::Asia::Tokyo, &names, &Playbooks::default());
        assert_eq!(en[1].1, "board report: a victim of an outside breach = yes");
        assert!(en[0].0.starts_with("2026-"), "{}", en[0].0);
    }

    /// Every reminder the scheduler keys reads as words in Japanese (no
    /// `deadline:50` in a record), and each kind says something different.
    #[test]
    fn reminders_read_as_words() {
        let keys = [
            "deadline:50",
            "nodowntime:1",
            "status:1700000000000:2",
            "stale:1700000000000",
            "followup:2:due",
            "appi:preliminary:due",
            "appi:final:soon",
            "ack:outside",
        ];
        let ja: Vec<String> = keys.iter().map(|k| reminded(k, Lang::Ja)).collect();
        for (k, t) in keys.iter().zip(&ja) {
            assert_eq!(crate::domain::refusal::tests::has_english(t), None, "{k}: {t}");
            assert!(!t.contains(':') || t.contains("§"), "{k}: {t}");
        }
        assert!(ja[0].contains("50%") && ja[4].contains("#2") && ja[5].contains("速報") && ja[6].contains("確報"), "{ja:?}");
        let distinct: std::collections::HashSet<_> = ja.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "{ja:?}");
        assert_eq!(reminded("something-new", Lang::Ja), "リマインドを送信");
    }
}
