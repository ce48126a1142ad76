//! Short notices in an incident channel and the §4.3 records as posted,
//! in the organisation's language.

use crate::discord::render::{no_mentions, user_mention_only, when};
use crate::discord::text::{clip, inert};
use crate::domain::effect::Notice;
use crate::domain::log_entry::LogEntry;
use crate::domain::{Lang, Playbook};
use crate::tr;
use serenity::all::{CreateAllowedMentions, CreateEmbed};

/// §4.1(3): a big notification in one message — the counts, each name's
/// count, the first few alerts with their links (as addresses, never
/// behind text) — and where the rest is.
fn alert_summary(s: &crate::domain::alert::Summary, lang: Lang) -> String {
    let (source, total, firing, repeated, resolved) = (&s.source, s.total(), s.firing, s.repeated, s.resolved);
    let mut t = tr!(
        lang,
        "📡 {source} からの検知（§4.1(3)）: 1回の通知で{total}件（🚨 発報 {firing}・🔁 再通知 {repeated}・✅ 解消 {resolved}）",
        "📡 Detected by {source} (§4.1(3)): {total} alerts in one notification (🚨 firing {firing}, 🔁 repeated {repeated}, ✅ resolved {resolved})"
    );
    let mut names: Vec<String> = s.names.iter().map(|(n, c)| format!("{} ×{c}", inert(n))).collect();
    if s.other_names > 0 {
        let other = s.other_names;
        names.push(tr!(lang, "ほか {other} 件", "{other} others"));
    }
    let (names, shown) = (names.join(", "), s.first.len());
    t.push_str(&tr!(lang, "\n名前別: {names}", "\nBy name: {names}"));
    t.push_str(&tr!(lang, "\n最初の{shown}件:", "\nThe first {shown}:"));
    for (title, url) in &s.first {
        let link = url.as_ref().map(|u| format!(" <{}>", u.replace('>', "%3E"))).unwrap_or_default();
        t.push_str(&format!("\n• {}{link}", inert(title)));
    }
    t.push_str(&tr!(
        lang,
        "\nすべての通知は記録にあり、エクスポートに含まれます（§4.3）。",
        "\nEvery alert is in the record and in the export (§4.3)."
    ));
    t
}

/// A notice in the channel; `playbook` names the skipped checklist items.
/// Only who the notice is about is pinged.
pub fn notice_text(n: &Notice, lang: Lang, playbook: Option<&Playbook>) -> (String, CreateAllowedMentions) {
    let text = says(n, lang, playbook);
    let mentions = match n {
        Notice::ResponderAdded { user, .. } | Notice::DuplicateReporterJoined { user, .. } => user_mention_only(*user),
        Notice::RoleAssigned { member, .. } => user_mention_only(*member),
        // The new commander hears of it.
        Notice::CommandHandedOver { to, .. } => user_mention_only(*to),
        Notice::FollowUpAdded { owner: Some(owner), .. } => user_mention_only(*owner),
        _ => no_mentions(),
    };
    (clip(&text, 2000), mentions)
}

/// What a notice says, in `lang` (a table of texts).
fn says(n: &Notice, lang: Lang, playbook: Option<&Playbook>) -> String {
    match n {
        Notice::CommandTaken { commander } => {
            tr!(lang, "<@{commander}> が実行責任者になりました（§4.1(1)）。", "<@{commander}> has taken command (§4.1(1)).")
        }
        Notice::CommanderAppointed { commander, by } => {
            tr!(
                lang,
                "<@{by}> が <@{commander}> を実行責任者に任命しました（§4.2）。",
                "<@{by}> appointed <@{commander}> as incident commander (§4.2)."
            )
        }
        Notice::PhaseAdvanced { by, from, skipped } => {
            let mut t = tr!(lang, "<@{by}> がフェーズを進めました。", "<@{by}> advanced the phase.");
            if !skipped.is_empty() {
                let name = |n: &usize| {
                    playbook
                        .and_then(|p| p.checklist(*from).get(*n))
                        .map(|t| t.get(lang).to_string())
                        .unwrap_or_else(|| format!("#{}", n + 1))
                };
                let list = skipped.iter().map(|n| format!("- {}", name(n))).collect::<Vec<_>>().join("\n");
                t.push_str(&tr!(lang, "\n未完了のまま進めた項目:\n{list}", "\nItems skipped:\n{list}"));
            }
            t
        }
        Notice::ResponderAdded { user, by } => {
            tr!(lang, "<@{by}> が <@{user}> を対応者に加えました。", "<@{by}> added <@{user}> to the response.")
        }
        Notice::ResponderRemoved { user, by } => {
            tr!(lang, "<@{by}> が <@{user}> を対応者から外しました。", "<@{by}> removed <@{user}> from the response.")
        }
        Notice::Dismissed { by, reason } => {
            let reason = inert(reason);
            tr!(
                lang,
                "<@{by}> がインシデントではないとして終了しました。理由: {reason}",
                "<@{by}> closed this as not an incident. Reason: {reason}"
            )
        }
        Notice::MarkedDuplicate { by, original } => {
            tr!(lang, "<@{by}> が {original} の重複として終了しました。", "<@{by}> closed this as a duplicate of {original}.")
        }
        Notice::ConfidentialInfo { text } => {
            let text = inert(text);
            tr!(lang, "🔒 匿名の報告者から情報の追加:\n{text}", "🔒 The confidential reporter adds:\n{text}")
        }
        Notice::RecoveredWhileOffline { new, edited, deleted } => tr!(
            lang,
            "🗂 hikeshi が接続していなかった間のこのチャンネルの記録を補いました: 新しいメッセージ{new}件、編集{edited}件、削除{deleted}件（§4.2）。",
            "🗂 While hikeshi was away, this channel had {new} new message(s), {edited} edit(s) and {deleted} deletion(s); they are now in the record (§4.2)."
        ),
        Notice::ConfidentialReportMerged => tr!(
            lang,
            "🔒 匿名の報告が1件、このインシデントの重複として統合されました。報告者は委員会だけが把握しています。",
            "🔒 A confidential report of the same thing was merged here. Only the committee knows who reported it."
        ),
        Notice::CommandHandedOver { from, to, by } => {
            tr!(
                lang,
                "<@{by}> が実行責任者を <@{from}> から <@{to}> へ引き継ぎました（§4.1(1)）。",
                "<@{by}> handed command from <@{from}> to <@{to}> (§4.1(1))."
            )
        }
        Notice::DuplicateReporterJoined { user, duplicate } => {
            tr!(
                lang,
                "<@{user}> さんの報告 {duplicate} はこのインシデントの重複です。ここで一緒に対応します。",
                "<@{user}> reported the same thing ({duplicate}); they join this channel."
            )
        }
        Notice::Alert { source, title, url, resolved, repeated } => {
            let title = inert(title);
            // Shown as the address itself, never behind other text (and
            // without a preview).
            let link = url.as_ref().map(|u| format!("\n<{}>", u.replace('>', "%3E"))).unwrap_or_default();
            let state = match (resolved, repeated) {
                (true, _) => tr!(lang, "✅ 解消", "✅ resolved"),
                (false, true) => tr!(lang, "🔁 再通知", "🔁 repeated"),
                (false, false) => tr!(lang, "🚨 発報", "🚨 firing"),
            };
            let mut t = tr!(lang, "📡 {source} からの検知（§4.1(3)）{state}: {title}{link}", "📡 Detected by {source} (§4.1(3)) {state}: {title}{link}");
            if *resolved {
                t.push_str(&tr!(
                    lang,
                    "\n監視上は解消しました。インシデントの終了は実行責任者が判断します（§4.3）。",
                    "\nMonitoring says it cleared; closing the incident is the commander's decision (§4.3)."
                ));
            }
            t
        }
        Notice::Alerts(summary) => alert_summary(summary, lang),
        Notice::SplitOut { number } => tr!(
            lang,
            "↪ 委員会がこのインシデントにまとめた報告 {number} を、別のインシデントとして切り出しました。",
            "↪ The committee split report {number} out of this incident into one of its own."
        ),
        Notice::MadeConfidential { by } => tr!(
            lang,
            "🔒 <@{by}> がこの報告を匿名（報告者を秘匿）にしました。報告者はこのチャンネルから外れ、以後の連絡はDMで行います。報告者の名前を書かないでください。",
            "🔒 <@{by}> made this report confidential: the reporter leaves this channel and hears of it by DM. Please do not name them."
        ),
        Notice::RoleAssigned { role, member, by } => {
            let role = role.get(lang).to_string();
            tr!(
                lang,
                "🧑‍🚒 <@{by}> が <@{member}> を対応組織の役割「{role}」に指名しました（§4.1(1)）。役割の責任は /対応手順 表示 で確認できます。",
                "🧑‍🚒 <@{by}> named <@{member}> for the response organisation's role “{role}” (§4.1(1)). /playbook show has its responsibilities."
            )
        }
        Notice::PlaybookChosen { by, playbook: id, reason } => {
            let title = playbook.filter(|p| &p.id == id).map(|p| p.title.get(lang).to_string()).unwrap_or_else(|| id.0.clone());
            let reason = inert(reason);
            tr!(
                lang,
                "📘 <@{by}> が対応手順「{title}」を選びました（§4.2）。理由: {reason}\nカードの手順・連絡先・チェックリストを確認してください。",
                "📘 <@{by}> chose the playbook “{title}” (§4.2). Reason: {reason}\nSee its roles, contacts and checklist on the card."
            )
        }
        Notice::Reclassified { by, category, kind, new_playbook, reason } => {
            let what = crate::domain::category::classification_label(*category, *kind).get(lang).to_string();
            let reason = inert(reason);
            let mut t = tr!(
                lang,
                "🔁 <@{by}> が区分を「{what}」に変更しました（§4.3 原因に基づく対応）。理由: {reason}\n表1の復旧期限は発見時刻から計算し直しました（カード参照）。",
                "🔁 <@{by}> reclassified this as “{what}” (§4.3). Reason: {reason}\nThe Table 1 deadline is recomputed from the discovery time (see the card)."
            );
            if *new_playbook {
                t.push_str(&tr!(
                    lang,
                    "\n対応手順が変わりました。カードの手順・連絡先・チェックリストを確認してください。",
                    "\nThe playbook changed: see its roles, contacts and checklist on the card."
                ));
            }
            t
        }
        Notice::PlanAwaitsApproval { revision, signoff: true } => tr!(
            lang,
            "📝 再発防止計画（第{revision}版）を記録しました。情報システム部が内容を確認し、委員会が承認すると、すべての会員に周知されます（§4.4(1)）。情報システム部の方は、読んだうえで下のボタンを押してください。",
            "📝 The prevention plan (revision {revision}) is recorded. The IT department signs it off, then the committee approves it and all members are told (§4.4(1)). IT department: read it, then press the button below."
        ),
        Notice::PlanSignedOff { by, revision } => tr!(
            lang,
            "☑ 情報システム部の <@{by}> が再発防止計画（第{revision}版）を確認しました（§4.4(1)）。委員会の承認を待ちます。",
            "☑ <@{by}> signed off the prevention plan (revision {revision}) for the IT department (§4.4(1)). It awaits the committee's approval."
        ),
        Notice::PlanAwaitsApproval { revision, .. } => tr!(
            lang,
            "📝 再発防止計画（第{revision}版）を記録しました。委員会が承認するとすべての会員に周知されます（§4.4(1)）。",
            "📝 The prevention plan (revision {revision}) is recorded. Once the committee approves it, all members are told (§4.4(1))."
        ),
        Notice::PlanApproved { by, revision, revised: false } => tr!(
            lang,
            "✅ <@{by}> が再発防止計画（第{revision}版）を承認しました。すべての会員に周知します（§4.4(3)）。",
            "✅ <@{by}> approved the prevention plan (revision {revision}); all members are told (§4.4(3))."
        ),
        Notice::PlanApproved { by, revision, .. } => tr!(
            lang,
            "✅ <@{by}> が再発防止計画の改訂（第{revision}版）を承認しました。周知済みの内容を改訂版に差し替えます。",
            "✅ <@{by}> approved the revised prevention plan (revision {revision}); the announcement now shows the revision."
        ),
        Notice::FollowUpAdded { n, what, owner, due } => {
            let (what, due) = (inert(what), when(*due));
            let owner = owner.map(|u| format!("<@{u}>")).unwrap_or_else(|| tr!(lang, "委員会", "the committee"));
            tr!(
                lang,
                "📌 フォローアップ #{n}: {what}（担当: {owner}、期限: {due}）。完了するまで通知します。",
                "📌 Follow-up #{n}: {what} (owner: {owner}, due {due}). Reminded until done."
            )
        }
        Notice::FollowUpDone { n } => tr!(lang, "☑ フォローアップ #{n} が完了しました。", "☑ Follow-up #{n} is done."),
        Notice::ChannelReplaced { old } => tr!(
            lang,
            "⚠ このインシデントの対応チャンネル（{old}）が手作業で削除されたため、新しいチャンネルを開きました。これまでの会話記録と §4.3 の記録はすべて保存されています（`/incident export`）。",
            "⚠ This incident's channel ({old}) was deleted by hand, so hikeshi opened this one. The transcript so far and the §4.3 records are all kept (`/incident export`)."
        ),
        Notice::AccessGained { gained, undone } => crate::discord::access::drift_text(gained, *undone, lang),
    }
}

pub fn log_entry_embed(entry: &LogEntry, lang: Lang) -> CreateEmbed {
    let kind = entry.kind.label();
    CreateEmbed::new()
        .title(format!("§4.3 {}", kind.get(lang)))
        .description(clip(&inert(&entry.body), 4096))
        .field(tr!(lang, "記録者", "By"), format!("<@{}>", entry.author), true)
        .field(tr!(lang, "日時", "At"), when(entry.at), true)
        .colour(0xf1c40f)
}
