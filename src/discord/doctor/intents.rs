//! `doctor`'s checks of the privileged intents hikeshi uses, from the
//! application's flags: Message Content (transcripts) and Server Members
//! (who can read each incident, by member; issue 25).

use super::{get, Check};
use crate::discord::channels::num;
use crate::discord::rest::Rest;
use crate::domain::Lang;
use crate::tr;
use serenity::all::Route;

/// Discord's application flags for the Message Content intent (enabled, or
/// enabled while the bot is in fewer than 100 servers).
const MESSAGE_CONTENT: u64 = (1 << 18) | (1 << 19);

/// One privileged intent, by the application's flags: its name, its bits,
/// and what is lost without it.
struct Intent {
    name: &'static str,
    flags: u64,
    without: (&'static str, &'static str),
}

const INTENTS: [Intent; 2] = [
    Intent {
        name: "Message Content", flags: MESSAGE_CONTENT, without: ("会話記録が空になります", "transcripts would stay empty")
    },
    // Issue 25: who can read each incident, by member.
    Intent {
        name: "Server Members",
        flags: crate::discord::MEMBERS_FLAGS,
        without: ("インシデントを閲覧できる人をロールごとにしか示せません", "who can read an incident is known by role only"),
    },
];

/// The privileged intents hikeshi uses, one check each.
pub(super) async fn intents(rest: &Rest, lang: Lang) -> Vec<Check> {
    let app = get(rest, Route::Oauth2ApplicationCurrent).await;
    INTENTS
        .iter()
        .map(|i| {
            let name = i.name;
            match &app {
                Ok(app) if num(&app["flags"]) & i.flags != 0 => {
                    Check::pass(tr!(lang, "{name} インテントが有効です", "the {name} intent is enabled"))
                }
                Ok(_) => {
                    let (ja, en) = i.without;
                    Check::fail(
                        tr!(lang, "{name} インテントが無効です（{ja}）", "the {name} intent is off ({en})"),
                        tr!(
                            lang,
                            "Developer Portal の Bot → Privileged Gateway Intents で {name} を有効にしてください",
                            "enable it under Bot → Privileged Gateway Intents in the Developer Portal"
                        ),
                    )
                }
                Err(e) => Check::fail(tr!(lang, "アプリケーション情報を読めません（{e}）", "cannot read the application ({e})"), "—"),
            }
        })
        .collect()
}
