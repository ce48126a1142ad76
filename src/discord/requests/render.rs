//! §6 exceptions and §9 amendments on Discord: the committee's card with
//! decision buttons, the answers, the announcements.

use crate::config::Settings;
use crate::discord::custom_id::CustomId;
use crate::discord::text::{clip, inert};
use crate::domain::request::{Request, RequestKind, RequestStatus};
use crate::domain::Lang;
use crate::tr;
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton, CreateEmbed};

fn day(r: &Request, settings: &Settings) -> String {
    r.until.map(|u| u.with_timezone(&settings.organisation.tz).format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".into())
}

fn what(kind: RequestKind, lang: Lang) -> String {
    match kind {
        RequestKind::Exception => tr!(lang, "例外申請（§6）", "exception request (§6)"),
        RequestKind::Amendment => tr!(lang, "変更の申請（§9）", "amendment request (§9)"),
    }
}

/// The request, for the committee, with Approve / Deny.
pub fn committee_card(r: &Request, settings: &Settings) -> (String, CreateEmbed, Vec<CreateActionRow>) {
    let lang = settings.organisation.lang;
    let role = settings.discord.committee_role;
    let (kind, who, id) = (what(r.kind, lang), r.requester, r.id);
    let text = tr!(lang, "<@&{role}> 📨 <@{who}> から{kind} #{id} が届きました。", "<@&{role}> 📨 A new {kind} #{id} from <@{who}>.");
    let (subject, body) = match r.kind {
        RequestKind::Exception => (tr!(lang, "対象の規定", "Rule"), tr!(lang, "理由", "Why")),
        RequestKind::Amendment => (tr!(lang, "条項", "Section"), tr!(lang, "変更案", "Proposed change")),
    };
    let mut e = CreateEmbed::new()
        .title(clip(&format!("#{id} {kind}"), 256))
        .field(subject, clip(&inert(&r.body.subject), 1024), false)
        .field(body, clip(&inert(&r.body.text), 1024), false)
        .colour(0x8e44ad);
    if r.kind == RequestKind::Exception {
        e = e.field(tr!(lang, "期限", "Until"), day(r, settings), true);
    }
    if !r.body.reason.trim().is_empty() {
        e = e.field(tr!(lang, "理由", "Why"), clip(&inert(&r.body.reason), 1024), false);
    }
    let rows = vec![CreateActionRow::Buttons(vec![
        CreateButton::new(CustomId::Decide(r.id, true).encode()).label(tr!(lang, "承認", "Approve")).style(ButtonStyle::Success),
        CreateButton::new(CustomId::Decide(r.id, false).encode()).label(tr!(lang, "却下", "Deny")).style(ButtonStyle::Danger),
    ])];
    (text, e, rows)
}

/// The answer, to the requester.
pub fn decision_dm(r: &Request, settings: &Settings) -> String {
    let lang = settings.organisation.lang;
    let (kind, id) = (what(r.kind, lang), r.id);
    let by = r.decided_by.map(|u| format!("<@{u}>")).unwrap_or_default();
    let reason = inert(r.decision_reason.as_deref().unwrap_or(""));
    let until = day(r, settings);
    match (r.status, r.kind) {
        (RequestStatus::Approved, RequestKind::Exception) => {
            tr!(
                lang,
                "✅ {kind} #{id} は {by} により承認されました（{until} まで）。理由: {reason}",
                "✅ Your {kind} #{id} was approved by {by} (until {until}). Reason: {reason}"
            )
        }
        (RequestStatus::Approved, RequestKind::Amendment) => tr!(
            lang,
            "✅ {kind} #{id} は {by} により変更が認められました。理由: {reason}",
            "✅ Your {kind} #{id} was accepted by {by}. Reason: {reason}"
        ),
        _ => tr!(
            lang,
            "❌ {kind} #{id} は {by} により却下されました。理由: {reason}",
            "❌ Your {kind} #{id} was denied by {by}. Reason: {reason}"
        ),
    }
}

/// §9: an accepted amendment, to all members.
pub fn amendment_notice(r: &Request, settings: &Settings) -> String {
    let lang = settings.organisation.lang;
    let (section, change, reason) = (inert(&r.body.subject), inert(&r.body.text), inert(r.decision_reason.as_deref().unwrap_or("")));
    clip(
        &tr!(
            lang,
            "📜 規程の変更の申請が認められました（§9）。改訂した規程の本文は、改訂が済みしだいあらためて通知します。\n**条項**: {section}\n**変更内容**: {change}\n**委員会の判断**: {reason}",
            "📜 A change to the regulation was approved (§9). The revised text follows once the regulation is revised.\n**Section**: {section}\n**Change**: {change}\n**Committee's decision**: {reason}"
        ),
        2000,
    )
}

/// §9 変更内容の通知: the regulation's text was revised, to all members:
/// which revision, its 承認日 and 施行日, the sections that changed, and
/// the change requests it carried out.
pub fn regulation_revised(settings: &Settings, revised: Option<&crate::domain::EventPayload>) -> String {
    let lang = settings.organisation.lang;
    let mut text = tr!(
        lang,
        "📜 セキュリティインシデント報告・対応規程が改訂されました（§9）。すべての会員の方は /規程 で新しい版をお読みください。",
        "📜 The Security Incident Reporting and Response Regulation has been revised (§9). Everyone, please read the new version with /regulation."
    );
    let Some(crate::domain::EventPayload::RegulationRevised { revision, approved_on, effective_on, enacted, changed, .. }) = revised else {
        return text;
    };
    let unset = || tr!(lang, "規程本文のとおり", "as the text says");
    let (approved, effective) = (approved_on.map_or_else(unset, |d| d.to_string()), effective_on.map_or_else(unset, |d| d.to_string()));
    text.push_str(&tr!(
        lang,
        "\n**第{revision}版** 承認日: {approved}／施行日: {effective}",
        "\n**Revision {revision}** approved {approved}; in effect from {effective}"
    ));
    if !changed.is_empty() {
        text.push_str(&tr!(lang, "\n**変更された条項**", "\n**Sections changed**"));
        for c in changed {
            let (what, heading) = c.split_once(':').unwrap_or(("changed", c.as_str()));
            let what = match what {
                "added" => tr!(lang, "追加", "added"),
                "removed" => tr!(lang, "削除", "removed"),
                _ => tr!(lang, "変更", "changed"),
            };
            text.push_str(&format!("\n- {what}: {}", inert(heading)));
        }
    }
    if !enacted.is_empty() {
        let ids = enacted.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ");
        text.push_str(&tr!(lang, "\nこの改訂で反映された変更の申請: {ids}", "\nChange requests this revision carried out: {ids}"));
    }
    clip(&text, 2000)
}

/// §6: an exception has ended, to its requester and the committee.
pub fn expiry_notice(r: &Request, settings: &Settings) -> String {
    let lang = settings.organisation.lang;
    let (id, who, rule, until) = (r.id, r.requester, inert(&r.body.subject), day(r, settings));
    tr!(
        lang,
        "⏰ <@{who}> の例外 #{id}（{rule}）は {until} で期限を迎えました。規程に従ってください（§6）。",
        "⏰ Exception #{id} for <@{who}> ({rule}) ended on {until}; the regulation applies again (§6)."
    )
}

/// §9: the yearly review's outcome, to all members.
pub fn review_notice(outcome: &str, settings: &Settings) -> String {
    let lang = settings.organisation.lang;
    let outcome = inert(outcome);
    clip(
        &tr!(
            lang,
            "📜 規程の内容の適切性の審議（年１回）（§9）の結果です。\n{outcome}",
            "📜 The outcome of the yearly review of the regulation (§9):\n{outcome}"
        ),
        2000,
    )
}
