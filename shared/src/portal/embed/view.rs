//! What the embedded dashboard shows one partner: `GET /v1/affiliate/embed` (the program's
//! look, the partner's links with their counts, the group's rewards and discount in words,
//! earnings and payouts) and `GET /v1/affiliate/commissions` (their commissions, newest
//! first, a page at a time, each with its customer). Reads only; every key is the session's.

use super::settings::embed_look;
use super::wording::{discount_text, reward_text};
use crate::commissions::enrich;
use crate::context::AppContext;
use crate::error::DomainError;
use crate::groups::find_group;
use crate::layout;
use crate::links::repo::all_for_partner;
use crate::links::short_link;
use crate::model::EmbedLink;
use crate::model::EmbedReward;
use crate::model::EmbedView;
use crate::model::ReferralCommission;
use crate::model::{Commission, Reward, RewardEvent, RewardType};
use crate::portal::dashboard::partner_commissions;
use crate::portal::{PartnerSession, balances};
use crate::store::records::readable;
use crate::store::{Query, schema};
use crate::types::{Currency, Percentage, RewardId};

/// The most commissions one page holds.
pub const MAX_COMMISSIONS_PAGE: u32 = 100;

/// The embed's line for one of the group's rewards.
fn embed_reward(reward: &Reward, currency: Currency) -> EmbedReward {
    EmbedReward {
        text: reward_text(reward, currency),
        event: reward.event,
        reward: Some(reward.clone()),
    }
}

/// The line for the program's default sale rate when the group has no sale reward.
fn default_sale_reward(rate: Percentage, currency: Currency) -> EmbedReward {
    let stand_in = Reward {
        id: RewardId::parse("rw_default").expect("a valid id"),
        event: RewardEvent::Sale,
        kind: RewardType::Percentage,
        amount_in_cents: None,
        amount_in_percentage: Some(rate),
        max_duration: None,
        description: None,
        tooltip: None,
        modifiers: Vec::new(),
    };
    EmbedReward {
        text: reward_text(&stand_in, currency),
        event: RewardEvent::Sale,
        reward: None,
    }
}

pub async fn embed_view(
    ctx: &AppContext,
    session: &PartnerSession,
) -> Result<EmbedView, DomainError> {
    let (program, partner) = (&session.program, &session.partner);
    let store = ctx.store.as_ref();
    let commissions = partner_commissions(store, session).await?;
    let links = all_for_partner(store, &program.id, &partner.id)
        .await?
        .into_iter()
        .map(|stored| EmbedLink {
            id: stored.link.id.to_string(),
            short_link: short_link(&stored.link.domain, &stored.link.key),
            url: stored.link.url.to_string(),
            stats: stored.link.stats,
        })
        .collect();
    let group = find_group(store, &program.id, &partner.group_id).await?;
    let currency = program.currency;
    let mut rewards: Vec<EmbedReward> = group
        .iter()
        .flat_map(|group| &group.rewards)
        .map(|reward| embed_reward(reward, currency))
        .collect();
    if !rewards.iter().any(|shown| shown.event == RewardEvent::Sale) {
        let rate = program.settings.default_commission_rate;
        rewards.push(default_sale_reward(rate, currency));
    }
    let discount = group.and_then(|group| group.discount).map(|discount| {
        let text = discount_text(&discount, currency);
        (discount, text)
    });
    Ok(EmbedView {
        look: embed_look(&program.settings),
        links,
        rewards,
        discount,
        balances: balances(&commissions),
        payouts: crate::payouts::partner_payouts(ctx, partner).await?,
    })
}

/// `jane@example.com` as `j***@example.com`: a partner recognises their referral without
/// the dashboard handing out the customer's address.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// One page of the partner's commissions, newest first, and the cursor of the next.
pub async fn partner_commissions_page(
    ctx: &AppContext,
    session: &PartnerSession,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<ReferralCommission>, Option<String>), DomainError> {
    let pk = layout::partner_commissions_index_pk(&session.program.id, &session.partner.id);
    let mut query = Query::index(schema::GSI2.name, pk);
    query.forward = false;
    let page = ctx
        .store
        .query(
            query
                .limit(limit.clamp(1, MAX_COMMISSIONS_PAGE))
                .cursor(cursor),
        )
        .await?;
    let commissions: Vec<Commission> = page
        .items
        .iter()
        .filter_map(|item| readable(item, crate::commissions::records::commission_of))
        .collect();
    let rows = enrich(ctx, &commissions)
        .await?
        .into_iter()
        .map(|read| ReferralCommission {
            customer: read.customer.map(|(mut customer, _)| {
                customer.email = customer.email.as_deref().map(mask_email);
                customer
            }),
            commission: read.commission,
        })
        .collect();
    Ok((rows, page.next))
}

#[cfg(test)]
mod tests {
    use super::mask_email;

    #[test]
    fn emails_are_masked_to_their_first_letter_and_domain() {
        assert_eq!(mask_email("jane@example.com"), "j***@example.com");
        assert_eq!(mask_email("é@x.io"), "é***@x.io");
        assert_eq!(mask_email("not-an-email"), "***");
    }
}
