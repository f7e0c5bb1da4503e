//! Dub's `Customer`: in commissions and events, and as `GET /customers` and
//! `GET /customers/{id}` show it (with the program, partner and link ids, and with
//! `includeExpandedFields=true` the customer's `link`, `partner` and `discount`).

use super::timestamp;
use crate::model::{Customer, Discount, Link, Partner, RewardType};
use crate::model::{CustomerActivity, CustomerExpansion, CustomerRead};
use crate::types::CustomerId;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSchema {
    pub id: String,
    /// Tracked customers always have one; an account made on approval shows `""`.
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar: Option<String>,
    pub country: Option<String>,
    pub stripe_customer_id: Option<String>,
    pub subscription_canceled_at: Option<String>,
    pub sales: i64,
    pub sale_amount: i64,
    pub first_sale_at: Option<String>,
    pub created_at: String,
}

impl CustomerSchema {
    pub fn of(customer: &Customer, activity: &CustomerActivity) -> Self {
        Self {
            id: customer.id.to_string(),
            external_id: customer.external_id.clone().unwrap_or_default(),
            name: customer.name.clone(),
            email: customer.email.clone(),
            avatar: customer.avatar.clone(),
            country: customer.country.clone(),
            stripe_customer_id: customer.stripe_customer_id.clone(),
            subscription_canceled_at: customer.subscription_canceled_at.map(timestamp),
            sales: activity.sales,
            sale_amount: activity.sale_amount,
            first_sale_at: activity.first_sale_at.map(timestamp),
            created_at: timestamp(customer.created_at),
        }
    }
}

/// A customer as the customer routes show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgramCustomerSchema {
    #[serde(flatten)]
    pub customer: CustomerSchema,
    pub program_id: String,
    pub partner_id: Option<String>,
    pub link_id: Option<String>,
    /// Only with `includeExpandedFields=true` (absent otherwise).
    #[serde(flatten)]
    pub expanded: Option<CustomerExpandedSchema>,
}

impl ProgramCustomerSchema {
    pub fn of(read: &CustomerRead) -> Self {
        let customer = &read.customer;
        Self {
            customer: CustomerSchema::of(customer, &read.activity),
            program_id: customer.program_id.to_string(),
            partner_id: customer.partner_id.as_ref().map(ToString::to_string),
            link_id: customer.link_id.as_ref().map(ToString::to_string),
            expanded: read.expansion.as_ref().map(CustomerExpandedSchema::of),
        }
    }
}

/// Dub's expanded fields, each null when the customer has none.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CustomerExpandedSchema {
    pub link: Option<CustomerLinkSchema>,
    pub partner: Option<CustomerPartnerSchema>,
    /// The discount of the partner's current group.
    pub discount: Option<CustomerDiscountSchema>,
}

impl CustomerExpandedSchema {
    pub fn of(expansion: &CustomerExpansion) -> Self {
        Self {
            link: expansion.link.as_ref().map(CustomerLinkSchema::of),
            partner: expansion.partner.as_ref().map(CustomerPartnerSchema::of),
            discount: expansion.discount.as_ref().map(CustomerDiscountSchema::of),
        }
    }
}

/// The link that referred the customer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerLinkSchema {
    pub id: String,
    pub domain: String,
    pub key: String,
    pub short_link: String,
    pub url: String,
    pub program_id: Option<String>,
}

impl CustomerLinkSchema {
    pub fn of(link: &Link) -> Self {
        Self {
            id: link.id.to_string(),
            domain: link.domain.clone(),
            key: link.key.clone(),
            short_link: link.short_link(),
            url: link.url.as_str().to_owned(),
            program_id: Some(link.program_id.to_string()),
        }
    }
}

/// The partner the customer is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CustomerPartnerSchema {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// Null here; the partner's image is in `GET /partners`.
    pub image: Option<String>,
}

impl CustomerPartnerSchema {
    pub fn of(partner: &Partner) -> Self {
        Self {
            id: partner.id.to_string(),
            name: partner.name.clone(),
            email: partner.email.as_ref().map(ToString::to_string),
            image: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDiscountSchema {
    pub id: String,
    pub amount: i64,
    #[serde(rename = "type")]
    pub kind: RewardType,
    pub max_duration: Option<u32>,
    pub coupon_id: Option<String>,
    /// Test-mode coupons are not kept: always null.
    pub coupon_test_id: Option<String>,
}

impl CustomerDiscountSchema {
    pub fn of(discount: &Discount) -> Self {
        Self {
            id: discount.id.to_string(),
            amount: discount.amount,
            kind: discount.kind,
            max_duration: discount.max_duration,
            coupon_id: discount.coupon_id.clone(),
            coupon_test_id: None,
        }
    }
}

/// Dub's answer to `DELETE /customers/{id}`: the deleted customer's id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DeletedCustomerSchema {
    pub id: CustomerId,
}
