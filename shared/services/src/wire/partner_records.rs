//! A partner enrollment and its default link as whole records: what program setup's partner
//! changes (`POST …/partners/{id}/group`, `PATCH …/partners/{id}`) and Dub's approve answer,
//! and what `partner.enrolled` carries. Dub's partner fields keep Dub's names; the rest
//! (`programId`, `version`, ...) are ours.

use super::timestamp;
use crate::model::{
    BanReason, Link, LinkDetails, NetworkStatus, Partner, PartnerStatus, PayoutMethod,
};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerRecordSchema {
    pub id: String,
    pub program_id: String,
    /// The partner's id in the business's own database.
    pub tenant_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub company_name: Option<String>,
    pub country: Option<String>,
    pub group_id: String,
    /// Dub's enrollment status: pending, approved, rejected, invited, declined, deactivated,
    /// banned or archived.
    #[schema(value_type = String)]
    pub status: PartnerStatus,
    pub referral_code: Option<String>,
    pub application_id: Option<String>,
    /// The customer account created or found on approval (StackBE's `customer_id`).
    pub customer_id: Option<String>,
    /// The link the referral code is served at.
    pub default_link_id: Option<String>,
    pub banned_at: Option<String>,
    /// One of Dub's ban reasons (`tos_violation`, `fraud`, ...).
    #[schema(value_type = Option<String>)]
    pub banned_reason: Option<BanReason>,
    /// Excluded from automatic group moves.
    pub exclude_from_moves: bool,
    pub username: Option<String>,
    pub image: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub youtube: Option<String>,
    pub twitter: Option<String>,
    pub linkedin: Option<String>,
    pub instagram: Option<String>,
    pub tiktok: Option<String>,
    /// Dub's partner network status: draft, submitted, approved, rejected or trusted.
    #[schema(value_type = String)]
    pub network_status: NetworkStatus,
    /// connect, stablecoin or paypal.
    #[schema(value_type = Option<String>)]
    pub default_payout_method: Option<PayoutMethod>,
    pub paypal_email: Option<String>,
    pub stripe_connect_id: Option<String>,
    pub payouts_enabled_at: Option<String>,
    pub identity_verified_at: Option<String>,
    pub trusted_at: Option<String>,
    pub tags: Vec<PartnerTagSchema>,
    pub total_clicks: i64,
    pub total_leads: i64,
    pub total_conversions: i64,
    pub total_sales: i64,
    /// Minor units of the program's currency.
    pub total_sale_amount: i64,
    /// Pending, processed and paid commissions, in minor units.
    pub total_commissions: i64,
    pub created_at: String,
    /// Bumped by every change.
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PartnerTagSchema {
    pub id: String,
    pub name: String,
}

impl PartnerRecordSchema {
    pub fn of(partner: &Partner) -> Self {
        let profile = &partner.profile;
        let totals = &partner.totals;
        Self {
            id: partner.id.to_string(),
            program_id: partner.program_id.to_string(),
            tenant_id: partner.tenant_id.clone(),
            name: partner.name.clone(),
            email: partner.email.as_ref().map(ToString::to_string),
            company_name: partner.company_name.clone(),
            country: partner.country.clone(),
            group_id: partner.group_id.to_string(),
            status: partner.status,
            referral_code: partner.referral_code.as_ref().map(ToString::to_string),
            application_id: partner.application_id.as_ref().map(ToString::to_string),
            customer_id: partner.customer_id.as_ref().map(ToString::to_string),
            default_link_id: partner.default_link_id.as_ref().map(ToString::to_string),
            banned_at: partner.banned_at.map(timestamp),
            banned_reason: partner.banned_reason,
            exclude_from_moves: partner.exclude_from_moves,
            username: profile.username.clone(),
            image: profile.image.clone(),
            description: profile.description.clone(),
            website: profile.website.clone(),
            youtube: profile.youtube.clone(),
            twitter: profile.twitter.clone(),
            linkedin: profile.linkedin.clone(),
            instagram: profile.instagram.clone(),
            tiktok: profile.tiktok.clone(),
            network_status: profile.network_status,
            default_payout_method: profile.default_payout_method,
            paypal_email: profile.paypal_email.clone(),
            stripe_connect_id: profile.stripe_connect_id.clone(),
            payouts_enabled_at: profile.payouts_enabled_at.map(timestamp),
            identity_verified_at: profile.identity_verified_at.map(timestamp),
            trusted_at: profile.trusted_at.map(timestamp),
            tags: partner
                .tags
                .iter()
                .map(|tag| PartnerTagSchema {
                    id: tag.id.clone(),
                    name: tag.name.clone(),
                })
                .collect(),
            total_clicks: totals.total_clicks,
            total_leads: totals.total_leads,
            total_conversions: totals.total_conversions,
            total_sales: totals.total_sales,
            total_sale_amount: totals.total_sale_amount,
            total_commissions: totals.total_commissions,
            created_at: timestamp(partner.created_at),
            version: partner.version,
        }
    }
}

/// A link as stored (not Dub's `LinkSchema`): the partner's default referral link as an
/// approval answers it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkRecordSchema {
    pub id: String,
    pub program_id: String,
    pub domain: String,
    /// Empty for the root link of a domain.
    pub key: String,
    pub url: String,
    pub partner_id: Option<String>,
    pub tenant_id: Option<String>,
    pub expires_at: Option<String>,
    pub expired_url: Option<String>,
    pub disabled: bool,
    /// Destination per ISO country code.
    pub geo: BTreeMap<String, String>,
    pub ios: Option<String>,
    pub android: Option<String>,
    pub external_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub video: Option<String>,
    pub comments: Option<String>,
    #[serde(rename = "utm_source")]
    pub utm_source: Option<String>,
    #[serde(rename = "utm_medium")]
    pub utm_medium: Option<String>,
    #[serde(rename = "utm_campaign")]
    pub utm_campaign: Option<String>,
    #[serde(rename = "utm_term")]
    pub utm_term: Option<String>,
    #[serde(rename = "utm_content")]
    pub utm_content: Option<String>,
    pub folder_id: Option<String>,
    /// The ids of the link's tags, as stored (absent when it has none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag_ids: Vec<String>,
    pub track_conversion: bool,
    pub archived: bool,
    pub proxy: bool,
    pub rewrite: bool,
    pub do_index: bool,
    pub public_stats: bool,
    pub clicks: i64,
    pub leads: i64,
    pub conversions: i64,
    pub sales: i64,
    pub sale_amount: i64,
    pub created_at: String,
    /// Null for a link never changed.
    pub updated_at: Option<String>,
}

impl LinkRecordSchema {
    pub fn of(link: &Link) -> Self {
        let LinkDetails {
            external_id,
            title,
            description,
            image,
            video,
            comments,
            utm_source,
            utm_medium,
            utm_campaign,
            utm_term,
            utm_content,
            folder_id,
            tag_ids,
            track_conversion,
            archived,
            proxy,
            rewrite,
            do_index,
            public_stats,
        } = link.details.clone();
        let url_of = |url: &Option<crate::types::WebUrl>| url.as_ref().map(ToString::to_string);
        Self {
            id: link.id.to_string(),
            program_id: link.program_id.to_string(),
            domain: link.domain.clone(),
            key: link.key.clone(),
            url: link.url.to_string(),
            partner_id: link.partner_id.as_ref().map(ToString::to_string),
            tenant_id: link.tenant_id.clone(),
            expires_at: link.expires_at.map(timestamp),
            expired_url: url_of(&link.expired_url),
            disabled: link.disabled,
            geo: link
                .geo
                .iter()
                .map(|(country, url)| (country.clone(), url.to_string()))
                .collect(),
            ios: url_of(&link.ios),
            android: url_of(&link.android),
            external_id,
            title,
            description,
            image,
            video,
            comments,
            utm_source,
            utm_medium,
            utm_campaign,
            utm_term,
            utm_content,
            folder_id,
            tag_ids: tag_ids.iter().map(ToString::to_string).collect(),
            track_conversion,
            archived,
            proxy,
            rewrite,
            do_index,
            public_stats,
            clicks: link.stats.clicks,
            leads: link.stats.leads,
            conversions: link.stats.conversions,
            sales: link.stats.sales,
            sale_amount: link.stats.sale_amount,
            created_at: timestamp(link.created_at),
            updated_at: link.updated_at.map(timestamp),
        }
    }
}

/// A partner with its links: the data of `partner.enrolled` (its default referral link).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct PartnerWithLinksSchema {
    #[serde(flatten)]
    pub partner: PartnerRecordSchema,
    pub links: Vec<LinkRecordSchema>,
}

impl PartnerWithLinksSchema {
    pub fn of(partner: &Partner, links: &[Link]) -> Self {
        Self {
            partner: PartnerRecordSchema::of(partner),
            links: links.iter().map(LinkRecordSchema::of).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_partner_and_its_link_read_as_their_records_did() {
        let partner: Partner = serde_json::from_value(json!({
            "id": "pn_1", "programId": "prog_1", "tenantId": "user_1", "name": "Jane",
            "email": "jane@example.com", "companyName": null, "country": "FR", "groupId": "grp_1",
            "status": "banned", "referralCode": "JANE", "applicationId": "pga_1",
            "customerId": "cus_1", "defaultLinkId": "link_1",
            "bannedAt": "2026-02-01T00:00:00Z", "bannedReason": "fake_traffic",
            "excludeFromMoves": true, "website": "https://jane.example", "networkStatus": "trusted",
            "defaultPayoutMethod": "paypal", "payoutsEnabledAt": "2026-01-05T00:00:00Z",
            "tags": [{"id": "tag_1", "name": "creator"}],
            "totalClicks": 1, "totalLeads": 2, "totalConversions": 3, "totalSales": 4,
            "totalSaleAmount": 5, "totalCommissions": 6,
            "createdAt": "2026-01-01T00:00:00Z", "version": 3
        }))
        .unwrap();
        assert_eq!(
            serde_json::to_string(&PartnerRecordSchema::of(&partner)).unwrap(),
            serde_json::to_string(&partner).unwrap()
        );
        let link: Link = serde_json::from_value(json!({
            "id": "link_1", "programId": "prog_1", "domain": "go.acme.com", "key": "jane",
            "url": "https://acme.com/", "partnerId": "pn_1", "tenantId": null,
            "expiresAt": null, "expiredUrl": null, "disabled": false,
            "geo": {"FR": "https://acme.fr/"}, "ios": null, "android": null,
            "title": "Jane", "utm_source": "partner", "tagIds": ["tag_1"], "trackConversion": true,
            "clicks": 7, "leads": 1, "conversions": 1, "sales": 1, "saleAmount": 4900,
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": null
        }))
        .unwrap();
        assert_eq!(
            serde_json::to_string(&LinkRecordSchema::of(&link)).unwrap(),
            serde_json::to_string(&link).unwrap()
        );
    }
}
