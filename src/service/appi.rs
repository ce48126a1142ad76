//! APPI Art. 26 (§4.4 with personal data): the four questions, and the
//! reports to the PPC as filed.

use super::{core::Core, Caller, ServiceError};
use crate::domain::{Incident, IncidentId};

#[derive(Clone)]
pub struct Appi {
    core: Core,
}

impl Appi {
    pub(super) fn new(core: Core) -> Self {
        Appi { core }
    }

    /// APPI Art. 26: one of the four questions.
    pub async fn answer(
        &self,
        id: IncidentId,
        caller: Caller,
        q: crate::domain::appi::AppiQuestion,
        yes: bool,
    ) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.answer_appi(&caller.roles(i), q, yes)).await
    }

    /// APPI Art. 26: a report to the PPC was filed.
    pub async fn filed(&self, id: IncidentId, caller: Caller, stage: crate::domain::appi::Stage) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.appi_filed(&caller.roles(i), stage)).await
    }
}
