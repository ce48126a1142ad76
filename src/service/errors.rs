//! Two kinds of failure: what the person asking can fix (shown to them),
//! and what they cannot (logged; they are told to try again).

use crate::domain::incident::IncidentError;
use crate::domain::report::FieldError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The domain refused: not allowed, wrong phase, …
    #[error(transparent)]
    Refused(#[from] IncidentError),
    /// The input needs changing; every problem is listed.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadInput(String),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// Shown to the user as is; the rest is an internal error.
    pub fn is_user_facing(&self) -> bool {
        !matches!(self, ServiceError::Store(_))
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, ServiceError::Store(e) if e.is_transient())
    }
}
