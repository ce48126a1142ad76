//! Letters: what a member could not be told by DM.

/// What a member was to be told by DM and could not be (DMs closed): kept
/// for them, shown by `/report status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub incident: Option<crate::domain::IncidentId>,
    pub text: String,
    pub at: chrono::DateTime<chrono::Utc>,
}
