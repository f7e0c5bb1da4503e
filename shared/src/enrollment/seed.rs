//! A partner written straight to the store, approved, with its default referral link: what an
//! enrollment writes, without the API's checks and without a `partner.enrolled` event. The
//! local stack's demo partner and the partners of the test worlds and reports are made here,
//! so a change to what a partner's records are reaches them all at once.

use crate::context::AppContext;
use crate::error::DomainError;
use crate::groups;
use crate::links::{default_referral_link, insert_link, repo::destination_entries};
use crate::model::{DEFAULT_GROUP_SLUG, Link, Partner, Program};
use crate::partners::insert_partner;
use crate::ports::IdSource;
use crate::store::TxOp;
use crate::types::{GroupId, PartnerId, ReferralCode, WebUrl};
use time::OffsetDateTime;

/// An approved partner to write: its referral code (also its link's key) and what differs from
/// the defaults (named `Partner {code}`, in the program's `default` group, the link leading to
/// the program's domain).
#[derive(Debug, Clone)]
pub struct PartnerSeed {
    code: ReferralCode,
    group: Option<GroupId>,
    name: Option<String>,
    tenant_id: Option<String>,
    country: Option<String>,
    destination: Option<WebUrl>,
}

impl PartnerSeed {
    pub fn with_code(code: ReferralCode) -> Self {
        Self {
            code,
            group: None,
            name: None,
            tenant_id: None,
            country: None,
            destination: None,
        }
    }

    pub fn in_group(mut self, group: &GroupId) -> Self {
        self.group = Some(group.clone());
        self
    }

    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    /// An ISO 3166-1 alpha-2 code, as enrollment stores it.
    pub fn country(mut self, country: &str) -> Self {
        self.country = Some(country.to_owned());
        self
    }

    /// The default link leads to `destination` instead of the program's domain.
    pub fn linking_to(mut self, destination: WebUrl) -> Self {
        self.destination = Some(destination);
        self
    }

    /// The partner in `group` and its link, made now and not yet written.
    pub fn records(
        &self,
        program: &Program,
        group: &GroupId,
        ids: &dyn IdSource,
        now: OffsetDateTime,
    ) -> Result<(Partner, Link), DomainError> {
        let id = PartnerId::generate(ids);
        let mut link = default_referral_link(program, &id, &self.code, ids, now)?;
        if let Some(destination) = &self.destination {
            link.url = destination.clone();
        }
        let name = match &self.name {
            Some(name) => name.clone(),
            None => format!("Partner {}", self.code),
        };
        let partner = Partner {
            tenant_id: self.tenant_id.clone(),
            country: self.country.clone(),
            referral_code: Some(self.code.clone()),
            default_link_id: Some(link.id.clone()),
            ..Partner::approved(id, (&program.id, group), name, now)
        };
        Ok((partner, link))
    }

    /// Writes the partner and its link in one transaction, in the chosen group or else the
    /// program's `default` group. Fails if the code, tenant id or link key is taken.
    pub async fn write(
        &self,
        ctx: &AppContext,
        program: &Program,
    ) -> Result<(Partner, Link), DomainError> {
        let group = match &self.group {
            Some(group) => group.clone(),
            None => {
                groups::find_group_by_slug(ctx.store.as_ref(), &program.id, DEFAULT_GROUP_SLUG)
                    .await?
                    .ok_or_else(|| DomainError::not_found("Group"))?
                    .id
            }
        };
        let (partner, link) = self.records(program, &group, ctx.ids.as_ref(), ctx.clock.now())?;
        ctx.store.transact(seed_writes(&partner, &link)?).await?;
        Ok((partner, link))
    }
}

/// The writes of a partner and its link: the partner with its unique claims, the link with the
/// claim on its key, and the link's destination entry.
pub fn seed_writes(partner: &Partner, link: &Link) -> Result<Vec<TxOp>, DomainError> {
    let mut ops: Vec<TxOp> = insert_partner(partner)?
        .into_iter()
        .map(|(_, op)| op)
        .collect();
    ops.extend(insert_link(link)?);
    ops.extend(destination_entries(None, Some(link)));
    Ok(ops)
}
