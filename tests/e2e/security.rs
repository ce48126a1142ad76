//! Security promises that span the whole bot.

use crate::support::fake::ids;
use crate::support::TestApp;
use std::sync::Arc;

#[tokio::test]
async fn the_token_never_appears_in_the_logs_of_a_full_run() {
    let app = TestApp::without_bot(Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    // Everything, serenity's and sqlx's traces included.
    let bot = app.start_process("trace").await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.settled().await;
    let status = bot.stop_keep_log().await;
    let (log, status) = status;
    assert!(status.success(), "clean exit on SIGTERM:\n{log}");
    assert!(log.lines().count() > 50, "the run was logged: {} lines", log.lines().count());
    assert!(log.contains("token accepted") && log.contains("incident reported"), "{log}");
    let secret = ids::TOKEN;
    for fragment in [secret, &secret[..12], &secret[secret.len() - 12..]] {
        assert!(!log.contains(fragment), "the token (or a part of it) is in the log");
    }
}
