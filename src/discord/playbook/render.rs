//! §4.1(1) 周知: the playbook in the responders' hands — its roles, its
//! internal and external contacts and what starts and ends the response,
//! under the card whenever one is attached; the whole of it, checklists
//! too, from the card's button and `/playbook show`.

use crate::discord::reply::Reply;
use crate::discord::text::clip;
use crate::domain::{Incident, Lang, Phase, Playbook};
use crate::tr;
use serenity::all::{CreateEmbed, CreateInteractionResponseMessage};

/// Everything but the checklists (the card carries the current one):
/// small enough to sit beside the card in one message.
pub fn embed(p: &Playbook, lang: Lang) -> CreateEmbed {
    let title = p.title.get(lang);
    let roles = p.roles.iter().map(|r| format!("• {}: {}", r.name.get(lang), r.responsibilities.get(lang))).collect::<Vec<_>>().join("\n");
    let contacts = |external: bool| {
        p.contacts
            .iter()
            .filter(|c| c.external == external)
            .map(|c| format!("• {}: {}", c.name.get(lang), c.how))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut e = CreateEmbed::new()
        .title(clip(&tr!(lang, "📘 対応手順: {title}", "📘 Playbook: {title}"), 256))
        .field(tr!(lang, "始動の契機", "Activation"), clip(p.activation.get(lang), 300), false)
        .field(tr!(lang, "終了の契機", "Termination"), clip(p.termination.get(lang), 300), false)
        .colour(0x2e86c1);
    // §4.1 周知・徹底: which version the reader has in hand.
    let approved = match &p.approval {
        Some(a) => {
            let (v, d) = (&a.version, a.approved_on);
            tr!(lang, "第{v}版・{d} 情報セキュリティ委員会承認", "Version {v}, approved by the committee on {d}")
        }
        None => tr!(lang, "版・承認の記録なし", "no approved version recorded"),
    };
    e = e.footer(serenity::all::CreateEmbedFooter::new(approved));
    for (name, text) in [
        (tr!(lang, "役割", "Roles"), roles),
        (tr!(lang, "社内の連絡先", "Internal contacts"), contacts(false)),
        (tr!(lang, "社外の連絡先", "External contacts"), contacts(true)),
    ] {
        if !text.is_empty() {
            e = e.field(name, clip(&text, 400), false);
        }
    }
    e
}

/// The whole playbook, for one person (ephemeral), marking the phase the
/// incident is in.
pub fn reply(p: &Playbook, i: &Incident, lang: Lang) -> Reply {
    whole(p, Some(i.phase), lang)
}

/// The same outside an incident.
pub fn reply_alone(p: &Playbook, lang: Lang) -> Reply {
    whole(p, None, lang)
}

fn whole(p: &Playbook, now: Option<Phase>, lang: Lang) -> Reply {
    let id = &p.id;
    let mut steps = CreateEmbed::new().title(clip(&tr!(lang, "チェックリスト（{id}）", "Checklists ({id})"), 256)).colour(0x2e86c1);
    for phase in Phase::WORKING {
        let items = p.checklist(phase);
        if items.is_empty() {
            continue;
        }
        let list = items.iter().enumerate().map(|(n, t)| format!("{}. {}", n + 1, t.get(lang))).collect::<Vec<_>>().join("\n");
        let mut name = phase.label().get(lang).to_string();
        if Some(phase) == now {
            name.push_str(&tr!(lang, "（現在）", " (now)"));
        }
        steps = steps.field(name, clip(&list, 1024), false);
    }
    Reply::message(
        CreateInteractionResponseMessage::new()
            .embeds(vec![embed(p, lang), steps])
            .ephemeral(true)
            .allowed_mentions(crate::discord::render::no_mentions()),
    )
}
