//! The application commands, registered for the configured guild with
//! Japanese names and descriptions beside the English ones.

use super::i18n::clip;
use crate::config::Settings;
use crate::domain::{Category, SubKind};
use serenity::all::{CommandOptionType, CommandType, CreateCommand, CreateCommandOption};

pub const REPORT: &str = "report";
pub const INCIDENT: &str = "incident";
/// The message context-menu command (a display name, not a slash name).
pub const REPORT_MESSAGE: &str = "Report as incident";

pub const DRILL: &str = "drill";
pub const SCHEDULE: &str = "schedule";
pub const STATS: &str = "stats";
pub const AUDIT: &str = "audit";
pub const PLAYBOOK: &str = "playbook";
pub const EXCEPTION: &str = "exception";
pub const AMEND: &str = "amend";
pub const REGULATION: &str = "regulation";

/// A required `playbook` option, one choice per playbook (Discord allows 25).
fn playbook_choice(settings: &Settings, description: &str, description_ja: &str) -> CreateCommandOption {
    let mut option = CreateCommandOption::new(CommandOptionType::String, "playbook", description)
        .name_localized("ja", "プレイブック")
        .description_localized("ja", description_ja)
        .required(true);
    for p in settings.playbooks.all().iter().take(25) {
        option = option.add_string_choice_localized(clip(&p.title.en, 100), p.id.0.clone(), [("ja", clip(&p.title.ja, 100))]);
    }
    option
}

pub fn all(settings: &Settings) -> Vec<CreateCommand> {
    let mut category = CreateCommandOption::new(CommandOptionType::String, "category", "What kind of incident (§1)")
        .name_localized("ja", "区分")
        .description_localized("ja", "インシデントの区分（§1）")
        .required(true);
    for c in Category::ALL {
        category = category.add_string_choice_localized(c.label().en, c.id(), [("ja", c.label().ja)]);
    }
    let mut kind = CreateCommandOption::new(CommandOptionType::String, "kind", "The closest example, if one fits")
        .name_localized("ja", "種類")
        .description_localized("ja", "当てはまる例があれば選んでください")
        .required(false);
    for k in SubKind::ALL {
        kind = kind.add_string_choice_localized(k.label().en, k.id(), [("ja", k.label().ja)]);
    }
    let confidential = CreateCommandOption::new(CommandOptionType::Boolean, "confidential", "Keep my name from everyone but the committee")
        .name_localized("ja", "秘密")
        .description_localized("ja", "委員会以外に名前を知られないようにする")
        .required(false);
    let report = CreateCommand::new(REPORT)
        .description("Report a security incident, or a suspected one (§4.2)")
        .name_localized("ja", "報告")
        .description_localized("ja", "セキュリティインシデント（疑いを含む）を報告します（§4.2）")
        .dm_permission(false)
        .add_option(category)
        .add_option(kind)
        .add_option(confidential);

    let user = || {
        CreateCommandOption::new(CommandOptionType::User, "user", "The member")
            .name_localized("ja", "メンバー")
            .description_localized("ja", "対象のメンバー")
            .required(true)
    };
    let incident = CreateCommand::new(INCIDENT)
        .description("Manage the incident of this channel")
        .name_localized("ja", "インシデント")
        .description_localized("ja", "このチャンネルのインシデントを管理します")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "add", "Add a responder to this incident")
                .name_localized("ja", "追加")
                .description_localized("ja", "対応メンバーを追加します")
                .add_sub_option(user()),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "remove", "Remove a responder from this incident")
                .name_localized("ja", "削除")
                .description_localized("ja", "対応メンバーを外します")
                .add_sub_option(user()),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "appi", "Personal-data breach questions (APPI Art. 26)")
                .name_localized("ja", "個人情報")
                .description_localized("ja", "個人データ漏えい等の4つの質問（個人情報保護法26条）"),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "export", "Export this incident's whole record")
                .name_localized("ja", "書き出し")
                .description_localized("ja", "このインシデントの記録をすべて書き出します")
                .add_sub_option(
                    CreateCommandOption::new(CommandOptionType::String, "format", "File format")
                        .name_localized("ja", "形式")
                        .description_localized("ja", "ファイル形式")
                        .required(true)
                        .add_string_choice("Markdown", "md")
                        .add_string_choice("JSON", "json")
                        .add_string_choice("HTML", "html"),
                ),
        );

    let context =
        CreateCommand::new(REPORT_MESSAGE).kind(CommandType::Message).name_localized("ja", "インシデントとして報告").dm_permission(false);
    // §4.1(2): drills, one choice per playbook (Discord allows 25).
    let playbook = playbook_choice(settings, "The playbook to practise", "訓練するプレイブック");
    let drill = CreateCommand::new(DRILL)
        .description("Drills of the incident response (committee)")
        .name_localized("ja", "訓練")
        .description_localized("ja", "インシデント対応の訓練（委員会）")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "start", "Start a drill now")
                .name_localized("ja", "開始")
                .description_localized("ja", "訓練を今すぐ始めます")
                .add_sub_option(playbook),
        );
    let schedule = CreateCommand::new(SCHEDULE)
        .description("What is due next: drills, the annual review, deadlines (committee)")
        .name_localized("ja", "予定")
        .description_localized("ja", "次の訓練・年次見直し・復旧期限（委員会）")
        .dm_permission(false);
    let stats = CreateCommand::new(STATS)
        .description("Figures per category; drills apart (committee)")
        .name_localized("ja", "統計")
        .description_localized("ja", "区分ごとの件数と所要時間、訓練は別集計（委員会）")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::String, "period", "Which period")
                .name_localized("ja", "期間")
                .description_localized("ja", "集計する期間")
                .required(false)
                .add_string_choice_localized("This year", "year", [("ja", "今年")])
                .add_string_choice_localized("This month", "month", [("ja", "今月")])
                .add_string_choice_localized("All time", "all", [("ja", "全期間")]),
        );
    let which = playbook_choice(settings, "The playbook", "対象のプレイブック");
    let playbook = CreateCommand::new(PLAYBOOK)
        .description("Playbooks (committee)")
        .name_localized("ja", "プレイブック")
        .description_localized("ja", "プレイブック（委員会）")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "notes", "Improvement notes on a playbook (§4.4(4))")
                .name_localized("ja", "改善メモ")
                .description_localized("ja", "プレイブックへの改善メモ（§4.4(4)）")
                .add_sub_option(which),
        );
    let audit = CreateCommand::new(AUDIT)
        .description("Operational checks of §5 (committee)")
        .name_localized("ja", "監査")
        .description_localized("ja", "§5の運用点検（委員会）")
        .dm_permission(false);
    let exception = CreateCommand::new(EXCEPTION)
        .description("Exceptions to the regulation (§6)")
        .name_localized("ja", "例外")
        .description_localized("ja", "規程の例外（§6）")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "request", "Ask the committee for an exception")
                .name_localized("ja", "申請")
                .description_localized("ja", "委員会に例外を申請します"),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "list", "Exceptions in force")
                .name_localized("ja", "一覧")
                .description_localized("ja", "有効な例外の一覧"),
        );
    let amend = CreateCommand::new(AMEND)
        .description("Ask the committee to change the regulation (§9)")
        .name_localized("ja", "改正")
        .description_localized("ja", "規程の改正を委員会に申し出ます（§9）")
        .dm_permission(false);
    let regulation = CreateCommand::new(REGULATION)
        .description("Read the regulation (§8: members only)")
        .name_localized("ja", "規程")
        .description_localized("ja", "規程を読む（§8: 構成員のみ）")
        .dm_permission(false);
    vec![report, incident, context, drill, schedule, stats, audit, playbook, exception, amend, regulation]
}
