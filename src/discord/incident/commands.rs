//! `/incident add|remove|appi|export|access`, run in an incident channel.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

pub const INCIDENT: &str = "incident";

pub fn definition() -> CreateCommand {
    let mut command = CreateCommand::new(INCIDENT)
        .description("Manage the incident of this channel")
        .name_localized("ja", "インシデント")
        .description_localized("ja", "このチャンネルのインシデントを管理します")
        .dm_permission(false);
    for sub in [
        responder("add", "Add a responder to this incident", "追加", "対応者を追加します"),
        responder("remove", "Remove a responder from this incident", "除外", "対応者を外します"),
        public_title(),
        reclassify(),
        split(),
        confidential(),
        crate::discord::lessons::followups::subcommand(),
        appi(),
        export(),
        crate::discord::transcript::redact::subcommand(),
        subcommand("access", "Who can read this incident, and why", "閲覧者", "このインシデントを閲覧できる人とその理由を表示します"),
        role(),
        priority(),
        outage(),
    ] {
        command = command.add_option(sub);
    }
    command
}

fn subcommand(name: &str, description: &str, ja: &str, ja_description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::SubCommand, name, description)
        .name_localized("ja", ja)
        .description_localized("ja", ja_description)
}

/// `/incident add|remove @member`: the commander's responders.
fn responder(name: &str, description: &str, ja: &str, ja_description: &str) -> CreateCommandOption {
    subcommand(name, description, ja, ja_description).add_sub_option(
        CreateCommandOption::new(CommandOptionType::User, "user", "The member")
            .name_localized("ja", "会員")
            .description_localized("ja", "対象の会員")
            .required(true),
    )
}

/// `/incident title`: §4.4(3) the name all members read.
fn public_title() -> CreateCommandOption {
    subcommand(
        "title",
        "Name this incident for the announcement to all members",
        "公開名",
        "すべての会員への周知で使う名前を付けます（委員会）",
    )
    .add_sub_option(
        CreateCommandOption::new(CommandOptionType::String, "title", "What all members read (never the reporter's title)")
            .name_localized("ja", "名前")
            .description_localized("ja", "すべての会員が読む名前（報告者の件名は使われません）")
            .required(true)
            .max_length(crate::domain::incident::MAX_PUBLIC_TITLE as u16),
    )
}

/// `/incident split`: a gathered report becomes its own incident.
fn split() -> CreateCommandOption {
    subcommand(
        "split",
        "Split a gathered report out into its own incident (committee)",
        "切り出し",
        "まとめた報告を別のインシデントとして切り出します（委員会）",
    )
    .add_sub_option(
        CreateCommandOption::new(CommandOptionType::String, "report", "The report's number, e.g. INC-2026-0007")
            .name_localized("ja", "報告")
            .description_localized("ja", "報告の番号（例: INC-2026-0007）")
            .required(true)
            .max_length(20),
    )
}

/// `/incident confidential`: §1(1) the reporter kept from the channel.
fn confidential() -> CreateCommandOption {
    subcommand(
        "confidential",
        "Make this report confidential (committee)",
        "匿名化",
        "この報告を匿名（報告者を秘匿）にします。報告者はチャンネルから外れます（委員会）",
    )
}

/// `/incident appi`: APPI Art. 26's four questions.
fn appi() -> CreateCommandOption {
    subcommand("appi", "Personal-data breach questions (APPI Art. 26)", "個人情報", "個人データ漏えい等の4つの質問（個人情報保護法第26条）")
}

/// `/incident export`: the whole record, in a format.
fn export() -> CreateCommandOption {
    subcommand("export", "Export this incident's whole record", "書き出し", "このインシデントの記録をすべて書き出します").add_sub_option(
        CreateCommandOption::new(CommandOptionType::String, "format", "File format")
            .name_localized("ja", "形式")
            .description_localized("ja", "ファイル形式")
            .required(true)
            .add_string_choice("Markdown", "md")
            .add_string_choice("JSON", "json")
            .add_string_choice("HTML", "html"),
    )
}

/// `/incident reclassify`: §4.2, §4.3 as the cause becomes clear.
fn reclassify() -> CreateCommandOption {
    use crate::domain::{Category, SubKind};
    let mut category = CreateCommandOption::new(CommandOptionType::String, "category", "The category (§1)")
        .name_localized("ja", "区分")
        .description_localized("ja", "区分（§1）")
        .required(true);
    for c in Category::ALL {
        category = category.add_string_choice_localized(c.label().en.clone(), c.id(), [("ja", c.label().ja.clone())]);
    }
    let mut kind = CreateCommandOption::new(CommandOptionType::String, "kind", "The kind, under that category")
        .name_localized("ja", "種類")
        .description_localized("ja", "その区分の中の種類")
        .required(false);
    for k in SubKind::ALL {
        kind = kind.add_string_choice_localized(k.label().en.clone(), k.id(), [("ja", k.label().ja.clone())]);
    }
    CreateCommandOption::new(CommandOptionType::SubCommand, "reclassify", "Change the category, kind and systems, with a reason (§4.3)")
        .name_localized("ja", "区分変更")
        .description_localized("ja", "原因が分かったら区分・種類・影響システムを変更します（理由必須、§4.3）")
        .add_sub_option(category)
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "reason", "Why (kept in the record)")
                .name_localized("ja", "理由")
                .description_localized("ja", "変更の理由（記録に残ります）")
                .required(true)
                .max_length(500),
        )
        .add_sub_option(kind)
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "systems", "Affected systems, comma-separated (default: unchanged)")
                .name_localized("ja", "影響システム")
                .description_localized("ja", "影響を受けるシステム（カンマ区切り、省略時は変更なし）")
                .required(false)
                .max_length(500),
        )
}

/// `/incident role role member`: §4.1(1) 対応組織, a playbook's role given
/// to a member (the role by its number or name, as /playbook show lists).
fn role() -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::SubCommand, "role", "Give one of the playbook's roles to a member (§4.1(1))")
        .name_localized("ja", "役割")
        .description_localized("ja", "対応手順の役割を会員に割り当てます（§4.1(1) 対応組織）")
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "role", "The role: its number or name in the playbook")
                .name_localized("ja", "役割")
                .description_localized("ja", "役割の番号か名前（/対応手順 表示 の順）")
                .required(true)
                .max_length(100),
        )
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::User, "member", "Who takes it")
                .name_localized("ja", "会員")
                .description_localized("ja", "役割を担う会員")
                .required(true),
        )
}

/// `/incident priority system priority`: §4.1(4), the committee gives a
/// system the registry lacks its recovery priority (Table 1).
fn priority() -> CreateCommandOption {
    let mut level = CreateCommandOption::new(CommandOptionType::Integer, "priority", "Recovery priority (Table 1)")
        .name_localized("ja", "復旧優先度")
        .description_localized("ja", "復旧優先度（表1）")
        .required(true);
    for (n, ja, en) in [
        (3, "3: 業務停止不可", "3: business may not stop"),
        (2, "2: 24時間以内に復旧", "2: restore within 24 hours"),
        (1, "1: 3日以内に復旧", "1: restore within 3 days"),
        (0, "0: 停止してよい", "0: may stop"),
    ] {
        level = level.add_int_choice_localized(en, n, [("ja", ja)]);
    }
    CreateCommandOption::new(
        CommandOptionType::SubCommand,
        "priority",
        "Give an unregistered system its recovery priority (committee, Table 1)",
    )
    .name_localized("ja", "優先度")
    .description_localized("ja", "登録外のシステムに復旧優先度を決めます（委員会、表1）")
    .add_sub_option(
        CreateCommandOption::new(CommandOptionType::String, "system", "The system, as the report names it")
            .name_localized("ja", "システム")
            .description_localized("ja", "報告に書かれたシステム名")
            .required(true)
            .max_length(100),
    )
    .add_sub_option(level)
}

/// `/incident outage system state [at]`: §4.1(4) Table 1 per system.
fn outage() -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::SubCommand, "outage", "Record when a system went down or was restored (Table 1)")
        .name_localized("ja", "停止復旧")
        .description_localized("ja", "システムの停止・復旧の時刻を記録します（表1、システムごとの期限）")
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "system", "The affected system")
                .name_localized("ja", "システム")
                .description_localized("ja", "影響を受けるシステム")
                .required(true)
                .max_length(100),
        )
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "state", "Down or restored")
                .name_localized("ja", "状態")
                .description_localized("ja", "停止か復旧か")
                .required(true)
                .add_string_choice_localized("down", "down", [("ja", "停止")])
                .add_string_choice_localized("restored", "restored", [("ja", "復旧")]),
        )
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "at", "When (e.g. 14:30; empty: now)")
                .name_localized("ja", "時刻")
                .description_localized("ja", "時刻（例: 14:30、空欄は今）")
                .required(false)
                .max_length(40),
        )
}
