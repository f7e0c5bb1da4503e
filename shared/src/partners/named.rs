//! A partner named as Dub's partner routes name one: `partnerId`, else `tenantId` (the
//! business's own id for the partner).

use super::repo::{find_by_tenant, find_partner};
use crate::error::DomainError;
use crate::model::Partner;
use crate::store::ItemStore;
use crate::types::{PartnerId, ProgramId};

/// The partner of `program` named by `partner_id` or, without one, `tenant_id`: 404 when
/// there is none (a malformed id names nobody), 422 when neither is given.
pub async fn find_named(
    store: &dyn ItemStore,
    program: &ProgramId,
    partner_id: Option<&str>,
    tenant_id: Option<&str>,
) -> Result<Partner, DomainError> {
    let found = match (partner_id, tenant_id) {
        (Some(id), _) => match PartnerId::parse(id) {
            Ok(id) => find_partner(store, program, &id).await?,
            Err(_) => None,
        },
        (None, Some(tenant)) => find_by_tenant(store, program, tenant).await?,
        (None, None) => {
            return Err(DomainError::Unprocessable(
                "Give `partnerId` or `tenantId`.".into(),
            ));
        }
    };
    found.ok_or_else(|| DomainError::not_found("Partner"))
}
