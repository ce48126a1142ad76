//! `/report status`: a member's own reports, their phase, and what they
//! were to be told by DM and could not be (DMs closed) — ephemeral, and
//! only ever the caller's own.

use crate::discord::reply::{ephemeral, Reply};
use crate::discord::text::{clip, inert};
use crate::discord::Ctx;
use crate::domain::Lang;
use crate::service::{Caller, ServiceError};
use crate::tr;

pub async fn show(ctx: &Ctx, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let mine = ctx.app.reports().my_reports(caller.user).await?;
    let tz = ctx.app.settings.organisation.tz;
    let mut out = if mine.reports.is_empty() {
        tr!(
            lang,
            "ご報告いただいたものはまだありません。報告は `/report new` から。",
            "You have made no report yet. To report: `/report new`."
        )
    } else {
        tr!(lang, "ご報告いただいたもの:", "Your reports:")
    };
    for i in &mine.reports {
        let (number, phase, title) = (i.number, i.phase.label().get(lang).to_string(), inert(&clip(&i.title, 80)));
        out.push_str(&format!("\n• {number} 「{title}」 — {phase}"));
    }
    if !mine.letters.is_empty() {
        out.push_str(&tr!(
            lang,
            "\n\nDM が届かなかったため、ここに保管しているお知らせ:",
            "\n\nMessages for you kept here, as your DMs are closed:"
        ));
    }
    for l in &mine.letters {
        let at = l.at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
        out.push_str(&format!("\n— {at}\n{}", inert(&clip(&l.text, 400))));
    }
    Ok(ephemeral(clip(&out, 2000)))
}
