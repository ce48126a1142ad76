//! Two kinds of failure: what the person asking can fix (shown to them, in
//! their language), and what they cannot (logged; they are told to try
//! again, or to tell the committee). Every text a person can meet is a
//! variant here or in `domain::refusal`, its Japanese and English together.

use crate::domain::incident::IncidentError;
use crate::domain::report::FieldError;
use crate::domain::Lang;
use crate::store::StoreError;
use crate::tr;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The regulation refused: not allowed, wrong phase, …
    #[error("{0}")]
    Refused(#[from] IncidentError),
    /// The report needs changing; every problem is listed.
    #[error("{}", .0.iter().map(|e| e.text(Lang::En)).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<FieldError>),
    /// What was typed or chosen needs changing.
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("{}", .0.text(Lang::En))]
    NotFound(Missing),
    /// The database failed; transient or not (see [`Self::is_transient`]).
    #[error(transparent)]
    Store(StoreError),
    /// A fault of hikeshi's own (logged, never shown).
    #[error("internal: {0}")]
    Internal(&'static str),
}

/// A store error stays what it is: a row that is not there is "not found",
/// a locked or unreachable database stays transient.
impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoIncident => ServiceError::NotFound(Missing::Incident),
            e => ServiceError::Store(e),
        }
    }
}

/// What a person typed or chose that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// A §4.3 entry with no text.
    EmptyEntry,
    EntryTooLong {
        len: usize,
        max: usize,
    },
    /// Not an incident number such as `INC-2026-0007`.
    BadIncidentNumber(String),
    NoUserChosen,
    NoItemChosen,
    RequiredFieldEmpty,
    EndDateMissing,
    EndDateFormat,
    EndDatePassed,
    AlreadyDecided,
    /// An incident command run outside an incident channel.
    NotAnIncidentChannel,
    /// A button or select whose id hikeshi does not know (forged, or from
    /// an old version).
    InvalidControl,
    InvalidForm,
    UnknownCommand,
    NoSubcommand,
    NoPlaybookChosen,
    NoCategoryChosen,
    NoMemberNamed,
    NoFormatChosen,
    /// Neither a message's id nor its link.
    NotAMessage,
    /// The record of this incident holds no such message (or it was
    /// redacted already).
    MessageNotInRecord,
    /// A redaction needs its reason (APPI: why it was taken out).
    NoReason,
    /// The gateway has not shown the server (or this channel) since hikeshi
    /// connected: who reads it is not known yet.
    ServerNotSeenYet,
    /// "Report as incident" on a message Discord did not send along.
    UnreadableMessage,
    /// Used outside the organisation's guild.
    OtherGuild,
    /// The regulation's text is not configured (§8).
    NoRegulationText,
    /// Not a date written as YYYY-MM-DD (what was typed, reduced to
    /// letters, digits and separators so that it cannot ping or link).
    BadDate(String),
    /// A follow-up due date that has already passed.
    DueInPast(String),
    /// Issue 26: `/oncall` with no `[oncall]` in the configuration.
    NoRotation,
    /// An absence that ends before it begins.
    AwayBackwards,
}

impl InputError {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            InputError::EmptyEntry => tr!(lang, "記録が空です。何が起きたかを書いてください。", "The entry is empty: write what happened."),
            InputError::EntryTooLong { len, max } => tr!(
                lang,
                "記録は{len}文字です。上限は{max}文字なので短くしてください。",
                "The entry has {len} characters; the limit is {max}: shorten it."
            ),
            InputError::BadIncidentNumber(typed) => {
                let typed = typed.replace('`', "'");
                tr!(
                    lang,
                    "「{typed}」はインシデント番号ではありません。INC-2026-0007 のように書いてください。",
                    "“{typed}” is not an incident number: write it as INC-2026-0007."
                )
            }
            InputError::NoUserChosen => tr!(lang, "会員を1人選んでください。", "Choose one member."),
            InputError::NoItemChosen => tr!(lang, "項目を1つ選んでください。", "Choose one item."),
            InputError::RequiredFieldEmpty => tr!(lang, "必須の欄をすべて書いてください。", "Please fill in every required field."),
            InputError::EndDateMissing => {
                tr!(lang, "例外には期限（YYYY-MM-DD）が必要です。", "An exception needs an end date (YYYY-MM-DD).")
            }
            InputError::EndDateFormat => tr!(lang, "期限は YYYY-MM-DD で書いてください。", "Write the end date as YYYY-MM-DD."),
            InputError::EndDatePassed => tr!(lang, "期限がすでに過ぎています。", "The end date has already passed."),
            InputError::AlreadyDecided => tr!(lang, "この申請はすでに決定されています。", "This request was already decided."),
            InputError::NotAnIncidentChannel => {
                tr!(lang, "このコマンドはインシデントのチャンネルで使ってください。", "Use this command in an incident channel.")
            }
            InputError::InvalidControl => tr!(lang, "このボタンは無効です。", "This control is not valid."),
            InputError::InvalidForm => tr!(lang, "このフォームは無効です。", "This form is not valid."),
            InputError::UnknownCommand => tr!(lang, "不明なコマンドです。", "Unknown command."),
            InputError::NoSubcommand => tr!(lang, "サブコマンドを選んでください。", "Choose a subcommand."),
            InputError::NoPlaybookChosen => tr!(lang, "対応手順を選んでください。", "Choose a playbook."),
            InputError::NoCategoryChosen => tr!(lang, "区分を選んでください。", "Please choose a category."),
            InputError::NoMemberNamed => tr!(lang, "会員を指定してください。", "Name a member."),
            InputError::NoFormatChosen => tr!(lang, "形式を選んでください（md / json / html）。", "Choose a format (md, json or html)."),
            InputError::NotAMessage => tr!(
                lang,
                "メッセージのリンク（メッセージの「…」→「メッセージリンクをコピー」）か ID を入れてください。",
                "Give the message's link (the message's … menu → Copy Message Link) or its id."
            ),
            InputError::MessageNotInRecord => tr!(
                lang,
                "このインシデントの記録にそのメッセージはありません（すでに削除済みかもしれません）。このインシデントのチャンネルかスレッドのメッセージを指定してください。",
                "This incident's record holds no such message (it may be redacted already): name a message of this incident's channel or its threads."
            ),
            InputError::NoReason => tr!(lang, "削除の理由を書いてください（記録に残ります）。", "Write why it is redacted (it is kept in the record)."),
            InputError::ServerNotSeenYet => tr!(
                lang,
                "接続したばかりで、サーバーのロールとチャンネルをまだ読み込んでいません。少し待ってからもう一度実行してください。",
                "hikeshi has just connected and has not read the server's roles and channels yet: try again in a moment."
            ),
            InputError::UnreadableMessage => tr!(lang, "対象のメッセージを読めませんでした。", "Could not read the message."),
            InputError::OtherGuild => {
                tr!(lang, "hikeshi はこの組織のサーバー内でのみ使えます。", "hikeshi works only inside its organisation's server.")
            }
            InputError::NoRegulationText => tr!(
                lang,
                "規程の本文が設定されていません。委員会に連絡してください。",
                "The regulation's text is not configured; please tell the committee."
            ),
            InputError::BadDate(typed) => {
                tr!(
                    lang,
                    "「{typed}」は日付として読めません。2027-01-31 のように YYYY-MM-DD で書いてください。",
                    "“{typed}” is not a date: write it as YYYY-MM-DD, e.g. 2027-01-31."
                )
            }
            InputError::NoRotation => tr!(
                lang,
                "当番表が設定されていません。設定ファイルに委員の当番の順番を書くよう、管理者に依頼してください。",
                "No on-duty rotation is configured: list the committee members in turn under [oncall] in the configuration file."
            ),
            InputError::AwayBackwards => tr!(
                lang,
                "不在の終わりが始まりより前です。終わりを後の日時にしてください。",
                "The absence ends before it begins: give a later end."
            ),
            InputError::DueInPast(day) => {
                tr!(
                    lang,
                    "期限 {day} はすでに過ぎています。今日以降の日付にしてください。",
                    "The due date {day} has passed: choose today or later."
                )
            }
        }
    }

    #[cfg(test)]
    fn examples() -> Vec<InputError> {
        use InputError::*;
        vec![
            EmptyEntry,
            EntryTooLong { len: 4001, max: 4000 },
            BadIncidentNumber("x".into()),
            NoUserChosen,
            NoItemChosen,
            RequiredFieldEmpty,
            EndDateMissing,
            EndDateFormat,
            EndDatePassed,
            AlreadyDecided,
            NotAnIncidentChannel,
            InvalidControl,
            InvalidForm,
            UnknownCommand,
            NoSubcommand,
            NoPlaybookChosen,
            NoCategoryChosen,
            NoMemberNamed,
            NoFormatChosen,
            NotAMessage,
            MessageNotInRecord,
            NoReason,
            ServerNotSeenYet,
            UnreadableMessage,
            OtherGuild,
            NoRegulationText,
            BadDate("x".into()),
            DueInPast("2026-01-01".into()),
            NoRotation,
            AwayBackwards,
        ]
    }
}

/// English, for logs.
impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for InputError {}

/// What was looked for and is not there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    Incident,
    /// No incident has the number that was typed.
    IncidentNumbered(String),
    Reminder,
    Request,
    Playbook,
    /// No prevention plan of this incident was announced (§4.4(3)).
    Announcement,
}

impl Missing {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Missing::Incident => tr!(lang, "インシデントが見つかりません。", "No such incident."),
            Missing::IncidentNumbered(n) => {
                let n = n.replace('`', "'");
                tr!(lang, "{n} というインシデントはありません。", "There is no incident {n}.")
            }
            Missing::Reminder => tr!(lang, "リマインダーが見つかりません。", "No such reminder."),
            Missing::Request => tr!(lang, "申請が見つかりません。", "No such request."),
            Missing::Playbook => tr!(lang, "対応手順が見つかりません。", "No such playbook."),
            Missing::Announcement => {
                tr!(
                    lang,
                    "このインシデントの再発防止計画はまだ周知されていません。",
                    "This incident's prevention plan has not been announced."
                )
            }
        }
    }
}

impl ServiceError {
    /// Shown to the user as is; the rest is an internal error.
    pub fn is_user_facing(&self) -> bool {
        !matches!(self, ServiceError::Store(_) | ServiceError::Internal(_))
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, ServiceError::Store(e) if e.is_transient())
    }

    /// What the person who asked reads: what to change, or that they may
    /// try again, or that the committee should hear of it.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            ServiceError::Refused(e) => e.text(lang),
            ServiceError::Invalid(list) => list.iter().map(|f| format!("• {}", f.text(lang))).collect::<Vec<_>>().join("\n"),
            ServiceError::Input(e) => e.text(lang),
            ServiceError::NotFound(m) => m.text(lang),
            ServiceError::Store(e) if e.is_transient() => tr!(
                lang,
                "データベースが混み合っています。少し待ってからもう一度お試しください。",
                "The database is busy. Please try again in a moment."
            ),
            ServiceError::Store(_) | ServiceError::Internal(_) => {
                tr!(lang, "内部エラーが発生しました。委員会に連絡してください。", "An internal error occurred. Please tell the committee.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::refusal::tests::has_english;

    /// Every refusal a person can meet, rendered in Japanese: no English
    /// sentence may leak into it.
    #[test]
    fn every_refusal_reads_in_japanese() {
        let mut all: Vec<ServiceError> = IncidentError::examples().into_iter().map(ServiceError::Refused).collect();
        all.extend(InputError::examples().into_iter().map(ServiceError::Input));
        all.push(ServiceError::Invalid(FieldError::examples()));
        for m in [
            Missing::Incident,
            Missing::IncidentNumbered("INC-2026-0009".into()),
            Missing::Reminder,
            Missing::Request,
            Missing::Playbook,
            Missing::Announcement,
        ] {
            all.push(ServiceError::NotFound(m));
        }
        all.push(ServiceError::Store(StoreError::Corrupt("x".into())));
        all.push(ServiceError::Internal("x"));
        for e in &all {
            // Every variant is covered (no `_` arm).
            match e {
                ServiceError::Refused(_)
                | ServiceError::Invalid(_)
                | ServiceError::Input(_)
                | ServiceError::NotFound(_)
                | ServiceError::Store(_)
                | ServiceError::Internal(_) => {}
            }
            let ja = e.text(Lang::Ja);
            assert_eq!(has_english(&ja), None, "English in the Japanese text of {e:?}: {ja}");
            assert!(!e.text(Lang::En).is_empty());
        }
        for i in InputError::examples() {
            match i {
                InputError::EmptyEntry
                | InputError::EntryTooLong { .. }
                | InputError::BadIncidentNumber(_)
                | InputError::NoUserChosen
                | InputError::NoItemChosen
                | InputError::RequiredFieldEmpty
                | InputError::EndDateMissing
                | InputError::EndDateFormat
                | InputError::EndDatePassed
                | InputError::AlreadyDecided
                | InputError::NotAnIncidentChannel
                | InputError::InvalidControl
                | InputError::InvalidForm
                | InputError::UnknownCommand
                | InputError::NoSubcommand
                | InputError::NoPlaybookChosen
                | InputError::NoCategoryChosen
                | InputError::NoMemberNamed
                | InputError::NoFormatChosen
                | InputError::NotAMessage
                | InputError::MessageNotInRecord
                | InputError::NoReason
                | InputError::ServerNotSeenYet
                | InputError::UnreadableMessage
                | InputError::OtherGuild
                | InputError::NoRegulationText
                | InputError::BadDate(_)
                | InputError::DueInPast(_)
                | InputError::NoRotation
                | InputError::AwayBackwards => {}
            }
        }
    }

    #[test]
    fn a_missing_row_is_not_found_and_a_locked_database_stays_transient() {
        assert!(matches!(ServiceError::from(StoreError::NoIncident), ServiceError::NotFound(Missing::Incident)));
        let corrupt = ServiceError::from(StoreError::Corrupt("bad".into()));
        assert!(!corrupt.is_user_facing());
        assert!(!corrupt.text(Lang::En).contains("Not found"));
    }
}
