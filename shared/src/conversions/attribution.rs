//! Who an event belongs to: the customer (found by external id, or created from a click or a
//! registered deal), its link and partner, and the partner's group — loaded in two batch reads
//! (three when the group is not cached; see `context::ProgramConfigCache`).
//!
//! Rule: a customer's attribution is set once, when the customer is created (first click
//! wins). A later `clickId` for an existing customer (on a lead or a sale) is ignored: the
//! event goes to the customer's original link and partner. Dub does the same silently; here
//! it is the documented rule, and the response and events show the link that got the credit.

use super::deals::deal_partner;
use crate::clicks::{ClickClaims, ClickIdError, ClickIdSigner};
use crate::context::AppContext;
use crate::customers::{customer_of, tracked_customer_id};
use crate::error::DomainError;
use crate::groups;
use crate::layout;
use crate::links::repo::link_record_of as link_of;
use crate::model::CustomerActivity;
use crate::model::{Customer, Link, Partner, PartnerGroup, Program};
use crate::partners::partner_of;
use crate::store::records::pick;
use crate::store::{Consistency, Item, ItemStore, Key, StoreError, from_item};
use crate::types::{ClickId, Email, LinkId, PartnerId, ProgramId};
use time::OffsetDateTime;

use super::input::{CodeReferral, CustomerFields};

/// Everything an event needs to know about its parties.
#[derive(Debug, Clone)]
pub struct Parties {
    pub program: Program,
    pub customer: Customer,
    pub activity: CustomerActivity,
    /// The customer is created by this event.
    pub is_new_customer: bool,
    /// What the customer's click id says (its time, link and country). Verified again for a
    /// known customer, at no read: absent when it no longer verifies (its secret was retired).
    pub claims: Option<ClickClaims>,
    pub link: Option<Link>,
    pub partner: Option<Partner>,
    pub group: Option<PartnerGroup>,
}

/// How a new customer may be attributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewCustomers {
    /// From the click only (sales).
    ByClick,
    /// From the click, else from a deal registered for the customer's email (leads).
    ByClickOrDeal,
}

fn click_not_found() -> DomainError {
    DomainError::NotFound(
        "Click not found: the click id is unknown, expired or of another program.".into(),
    )
}

/// Reads `keys`: one `BatchGetItem` (eventually consistent), or strong `GetItem`s on a retry.
async fn read(
    store: &dyn ItemStore,
    keys: Vec<Key>,
    strong: bool,
) -> Result<Vec<Item>, StoreError> {
    if !strong && keys.len() > 1 {
        return store.batch_get(keys).await;
    }
    let mut items = Vec::with_capacity(keys.len());
    for key in &keys {
        items.extend(store.get(key, Consistency::Strong).await?);
    }
    Ok(items)
}

/// What the first read of an event found.
#[derive(Debug, Default)]
pub struct FirstRead {
    items: Vec<Item>,
}

impl FirstRead {
    /// An item read by key (the caller's extra keys included).
    pub fn item(&self, key: &Key) -> Option<&Item> {
        pick(&self.items, key)
    }
}

/// The attribution of one event, in two steps: [`Attribution::read`] (one batch: the customer,
/// the program unless cached, the click's link, the email's deal claim and the caller's own
/// keys, such as its idempotency record and invoice claim), then [`Attribution::resolve`]
/// (one batch of the partner and the customer's link; the group, unless cached).
pub struct Attribution<'a> {
    signer: &'a ClickIdSigner,
    program_id: &'a ProgramId,
    fields: &'a CustomerFields,
    /// The click id and what verifying it said.
    verified: Option<(&'a str, Result<ClickClaims, ClickIdError>)>,
    customer_key: Key,
    click_link: Option<LinkId>,
    code: Option<&'a CodeReferral>,
    deal_key: Option<Key>,
}

impl<'a> Attribution<'a> {
    pub fn new(
        signer: &'a ClickIdSigner,
        program_id: &'a ProgramId,
        fields: &'a CustomerFields,
        click_id: Option<&'a str>,
        code: Option<&'a CodeReferral>,
        new_customers: NewCustomers,
    ) -> Self {
        let verified = click_id.map(|id| (id, signer.verify(id)));
        let click_link = verified
            .as_ref()
            .and_then(|(_, claims)| claims.as_ref().ok())
            .map(|claims| claims.link_id.clone());
        // A lead without a click or a code may belong to a deal registered for its email: read
        // the claim in the same batch, in case the customer is new.
        let by_click_or_code = click_id.is_some() || code.is_some();
        let deal_key = match (new_customers, by_click_or_code, &fields.email) {
            (NewCustomers::ByClickOrDeal, false, Some(email)) => Email::parse(email)
                .ok()
                .map(|email| layout::deal_claim(program_id, &email)),
            _ => None,
        };
        Self {
            signer,
            program_id,
            fields,
            verified,
            customer_key: layout::customer(&tracked_customer_id(program_id, &fields.external_id)),
            click_link,
            code,
            deal_key,
        }
    }

    /// The first read, with the caller's `extra` keys; `strong` (retries) reads each strongly.
    pub async fn read(
        &self,
        ctx: &AppContext,
        extra: &[Key],
        strong: bool,
    ) -> Result<FirstRead, StoreError> {
        let mut keys = vec![self.customer_key.clone()];
        if strong || ctx.config.program(self.program_id).is_none() {
            keys.push(layout::program(self.program_id));
        }
        keys.extend(self.click_link.as_ref().map(layout::link));
        keys.extend(self.deal_key.clone());
        keys.extend(extra.iter().cloned());
        let items = read(ctx.store.as_ref(), keys, strong).await?;
        Ok(FirstRead { items })
    }

    /// Attributes the event. `Ok(None)`: the customer is unknown and nothing attributes a new
    /// one. Reads the partner and the customer's link (one batch), and the group unless cached.
    pub async fn resolve(
        &self,
        ctx: &AppContext,
        first: &FirstRead,
        now: OffsetDateTime,
        strong: bool,
    ) -> Result<Option<Parties>, DomainError> {
        let store = ctx.store.as_ref();
        let program = self.program(ctx, first)?;
        let Some(found) = self.attribute(&program, first, now)? else {
            return Ok(None);
        };
        let (partner, link) = self.partner_and_link(store, &found, strong).await?;
        let (customer, link) = self
            .with_default_link(store, found.customer, partner.as_ref(), link)
            .await?;
        let group = match &partner {
            Some(partner) => {
                groups::find_cached_group(&ctx.config, store, self.program_id, &partner.group_id)
                    .await?
            }
            None => None,
        };
        Ok(Some(Parties {
            program,
            customer,
            activity: found.activity,
            is_new_customer: found.is_new,
            claims: found.claims,
            link,
            partner,
            group,
        }))
    }

    /// The program, as read with the first batch or as cached.
    fn program(&self, ctx: &AppContext, first: &FirstRead) -> Result<Program, DomainError> {
        match first.item(&layout::program(self.program_id)) {
            Some(item) => {
                let program: Program = from_item(item.clone())?;
                ctx.config.remember_program(&program);
                Ok(program)
            }
            None => ctx
                .config
                .program(self.program_id)
                .ok_or_else(|| DomainError::not_found("Program")),
        }
    }

    /// Who the event belongs to, from the first read alone: the known customer, else a new one
    /// from a valid click, else from a code the customer used (a Stripe promotion code), else
    /// from a registered deal (leads), else nobody. A click wins over a code: the click is the
    /// partner's own link, a code may have been shared beyond the partner's audience.
    fn attribute(
        &self,
        program: &Program,
        first: &FirstRead,
        now: OffsetDateTime,
    ) -> Result<Option<Attributed>, DomainError> {
        let existing = first
            .item(&self.customer_key)
            .map(customer_of)
            .transpose()?;
        let loaded_link = self
            .click_link
            .as_ref()
            .and_then(|id| first.item(&layout::link(id)))
            .map(link_of)
            .transpose()?;
        match (existing, &self.verified) {
            (Some((customer, activity)), _) if customer.program_id == *self.program_id => {
                Ok(Some(self.known(customer, activity, loaded_link)))
            }
            (Some(_), _) => Err(DomainError::not_found("Customer")),
            (None, Some((id, Ok(claims)))) => self
                .new_by_click(program, id, claims, loaded_link, now)
                .map(Some),
            (None, Some((_, Err(_)))) => Err(click_not_found()),
            (None, None) => Ok(self
                .code
                .map(|code| self.new_by_code(code, now))
                .or_else(|| self.new_by_deal(first, now))),
        }
    }

    /// A known customer keeps its attribution (first click wins); its click id is verified
    /// again for what it says, at no read.
    fn known(
        &self,
        customer: Customer,
        activity: CustomerActivity,
        loaded: Option<Link>,
    ) -> Attributed {
        let link = loaded.filter(|l| Some(&l.id) == customer.link_id.as_ref());
        let claims = customer
            .click_id
            .as_ref()
            .and_then(|id| self.signer.verify(id.as_str()).ok());
        Attributed {
            partner_id: customer.partner_id.clone(),
            customer,
            activity,
            is_new: false,
            claims,
            link,
        }
    }

    /// A new customer from a click of an enabled link of the program, inside the program's
    /// attribution window (and not from the future, with five minutes of clock skew).
    fn new_by_click(
        &self,
        program: &Program,
        id: &str,
        claims: &ClickClaims,
        loaded: Option<Link>,
        now: OffsetDateTime,
    ) -> Result<Attributed, DomainError> {
        let link = loaded
            .filter(|link| link.program_id == *self.program_id && !link.disabled)
            .ok_or_else(click_not_found)?;
        let window = time::Duration::days(program.settings.attribution_window_days.into());
        if now - claims.clicked_at > window || claims.clicked_at > now + time::Duration::minutes(5)
        {
            return Err(click_not_found());
        }
        let click = ClickId::parse(id).map_err(|_| click_not_found())?;
        let attribution = NewAttribution {
            click_id: Some(click),
            link_id: Some(link.id.clone()),
            partner_id: link.partner_id.clone(),
            country: claims.country.clone(),
        };
        Ok(Attributed {
            customer: self.new_customer(attribution, now),
            activity: CustomerActivity::default(),
            is_new: true,
            claims: Some(claims.clone()),
            partner_id: link.partner_id.clone(),
            link: Some(link),
        })
    }

    /// A new customer of the partner whose code it used; the code's link (a discount code's) or
    /// else the partner's default link gets the counters.
    fn new_by_code(&self, code: &CodeReferral, now: OffsetDateTime) -> Attributed {
        let attribution = NewAttribution {
            link_id: code.link_id.clone(),
            partner_id: Some(code.partner_id.clone()),
            ..Default::default()
        };
        Attributed {
            customer: self.new_customer(attribution, now),
            activity: CustomerActivity::default(),
            is_new: true,
            claims: None,
            link: None,
            partner_id: Some(code.partner_id.clone()),
        }
    }

    /// A new customer of the partner that registered a deal for its email (leads without a
    /// click only; the deal claim was read only then).
    fn new_by_deal(&self, first: &FirstRead, now: OffsetDateTime) -> Option<Attributed> {
        let partner = self
            .deal_key
            .as_ref()
            .and_then(|key| first.item(key))
            .and_then(deal_partner)?;
        let attribution = NewAttribution {
            partner_id: Some(partner.clone()),
            ..Default::default()
        };
        Some(Attributed {
            customer: self.new_customer(attribution, now),
            activity: CustomerActivity::default(),
            is_new: true,
            claims: None,
            link: None,
            partner_id: Some(partner),
        })
    }

    /// The second read: the partner, and the customer's link when the first read did not have
    /// it. A partner of another program counts as none.
    async fn partner_and_link(
        &self,
        store: &dyn ItemStore,
        found: &Attributed,
        strong: bool,
    ) -> Result<(Option<Partner>, Option<Link>), DomainError> {
        let mut keys: Vec<Key> = found.partner_id.iter().map(layout::partner).collect();
        let link_to_read = match (&found.link, &found.customer.link_id) {
            (None, Some(id)) => Some(id.clone()),
            _ => None,
        };
        keys.extend(link_to_read.as_ref().map(layout::link));
        let items = if keys.is_empty() {
            Vec::new()
        } else {
            read(store, keys, strong).await?
        };
        let partner = found
            .partner_id
            .as_ref()
            .and_then(|id| pick(&items, &layout::partner(id)))
            .map(partner_of)
            .transpose()?
            .filter(|p| p.program_id == *self.program_id);
        let link = match &link_to_read {
            Some(id) => pick(&items, &layout::link(id)).map(link_of).transpose()?,
            None => found.link.clone(),
        };
        Ok((partner, link))
    }

    /// A deal-registered customer has no link of its own: its partner's default link gets the
    /// counters (read here, when the customer is new).
    async fn with_default_link(
        &self,
        store: &dyn ItemStore,
        mut customer: Customer,
        partner: Option<&Partner>,
        mut link: Option<Link>,
    ) -> Result<(Customer, Option<Link>), DomainError> {
        if customer.link_id.is_none()
            && let Some(default) = partner.and_then(|p| p.default_link_id.clone())
        {
            customer.link_id = Some(default.clone());
            if link.is_none() {
                link = crate::store::records::read_json::<Link>(store, &layout::link(&default))
                    .await?
                    .filter(|l| l.program_id == *self.program_id);
            }
        }
        Ok((customer, link))
    }

    fn new_customer(&self, attribution: NewAttribution, now: OffsetDateTime) -> Customer {
        let fields = self.fields;
        Customer {
            id: tracked_customer_id(self.program_id, &fields.external_id),
            program_id: self.program_id.clone(),
            external_id: Some(fields.external_id.clone()),
            name: fields.name.clone(),
            email: fields.email.clone(),
            avatar: fields.avatar.clone(),
            country: attribution.country,
            click_id: attribution.click_id,
            link_id: attribution.link_id,
            partner_id: attribution.partner_id,
            stripe_customer_id: fields.stripe_customer_id.clone(),
            subscription_canceled_at: None,
            created_at: now,
        }
    }
}

/// Who the first read says the event belongs to.
struct Attributed {
    customer: Customer,
    activity: CustomerActivity,
    is_new: bool,
    claims: Option<ClickClaims>,
    link: Option<Link>,
    partner_id: Option<PartnerId>,
}

/// What a new customer is attributed to.
#[derive(Default)]
struct NewAttribution {
    click_id: Option<ClickId>,
    link_id: Option<LinkId>,
    partner_id: Option<PartnerId>,
    country: Option<String>,
}
