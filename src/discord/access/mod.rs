//! Issue 25, who can read each incident: the server as the gateway shows
//! it (`mirror`), watched for changes that let someone in (`watch`), put
//! right through the outbox (`deliver`), and `/incident access`.

mod deliver;
pub mod members;
pub mod mirror;
mod show;
pub mod watch;

pub use mirror::Mirror;
pub use show::show;

use crate::domain::access::Reader;
use crate::domain::{Lang, RoleId, UserId};
use crate::tr;

/// Mentions as Discord shows them (the message pings nobody).
pub(crate) fn mention(u: UserId) -> String {
    format!("<@{u}>")
}

pub(crate) fn role_mention(r: RoleId) -> String {
    format!("<@&{r}>")
}

/// Who gained access, through what, and what hikeshi does about it.
pub fn drift_text(gained: &[Reader], undone: bool, lang: Lang) -> String {
    let list: Vec<String> = gained.iter().map(|r| format!("• {}", r.says(lang, &mention, &role_mention))).collect();
    let list = list.join("\n");
    let every_channel = gained.iter().any(|r| r.through.reads_every_channel());
    let mut text = tr!(
        lang,
        "⚠ このインシデントの状態では閲覧できないはずの人が、このチャンネルを閲覧できるようになりました:\n{list}",
        "⚠ People the incident's state does not let in can now read this channel:\n{list}"
    );
    if undone {
        text.push('\n');
        text.push_str(&tr!(
            lang,
            "hikeshi がこのチャンネルの権限設定を状態どおりに戻します。",
            "hikeshi is putting the channel's permission overwrites back to what the state gives."
        ));
    }
    if every_channel {
        text.push('\n');
        text.push_str(&tr!(
            lang,
            "サーバーの所有者と管理者権限のあるロールは、Discord ではどのチャンネルも閲覧できます。閲覧させるべきでない場合は、委員会がそのロールを外してください。",
            "The server's owner and roles with Administrator read every channel on Discord: if they should not, the committee should take the role away."
        ));
    }
    text
}
