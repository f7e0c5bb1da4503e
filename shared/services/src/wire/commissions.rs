//! Dub's `Commission` as `GET /commissions`, `GET /commissions/{id}` and
//! `PATCH /commissions/{id}` answer it (the SDK's `commissions.list` model), with the partner
//! and the customer; and the `{id, status}` entries of `PATCH /commissions/bulk`.

use super::customers::CustomerSchema;
use super::timestamp;
use crate::model::CommissionWithParties;
use crate::model::{CommissionStatus, CommissionType, Partner};
use crate::types::{CommissionId, Currency, PartnerId};

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommissionSchema {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: CommissionType,
    /// The sale amount, minor units (0 for a lead).
    pub amount: i64,
    pub earnings: i64,
    pub currency: Currency,
    pub status: CommissionStatus,
    pub invoice_id: Option<String>,
    pub description: Option<String>,
    pub quantity: i64,
    /// The event's metadata stays with the lead or sale; the API shows null.
    pub metadata: Option<serde_json::Value>,
    /// Commissions are made by events, not by dashboard users: always null.
    pub user_id: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub paid_at: Option<String>,
    pub partner: CommissionPartnerSchema,
    /// Null for a commission without a customer, or whose customer was deleted.
    pub customer: Option<CustomerSchema>,
}

impl CommissionSchema {
    pub fn of(read: &CommissionWithParties) -> Self {
        let commission = &read.commission;
        Self {
            id: commission.id.to_string(),
            kind: commission.kind,
            amount: commission.amount,
            earnings: commission.earnings,
            currency: commission.currency,
            status: commission.status,
            invoice_id: commission.invoice_id.clone(),
            description: commission.description.clone(),
            quantity: commission.quantity,
            metadata: None,
            user_id: None,
            note: commission.note.clone(),
            created_at: timestamp(commission.created_at),
            updated_at: timestamp(commission.updated_at),
            paid_at: commission.paid_at.map(timestamp),
            partner: match &read.partner {
                Some(partner) => CommissionPartnerSchema::of(partner),
                None => CommissionPartnerSchema::unreadable(&commission.partner_id),
            },
            customer: read
                .customer
                .as_ref()
                .map(|(customer, activity)| CustomerSchema::of(customer, activity)),
        }
    }
}

/// The partner of a commission.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommissionPartnerSchema {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// Null here; the partner's image is in `GET /partners`.
    pub image: Option<String>,
    /// Payouts are not made here: always null.
    pub payouts_enabled_at: Option<String>,
    pub country: Option<String>,
    pub group_id: Option<String>,
    pub tenant_id: Option<String>,
}

impl CommissionPartnerSchema {
    pub fn of(partner: &Partner) -> Self {
        Self {
            id: partner.id.to_string(),
            name: partner.name.clone(),
            email: partner.email.as_ref().map(ToString::to_string),
            image: None,
            payouts_enabled_at: None,
            country: partner.country.clone(),
            group_id: Some(partner.group_id.to_string()),
            tenant_id: partner.tenant_id.clone(),
        }
    }

    /// A partner record that cannot be read is shown by the commission's partner id only.
    pub fn unreadable(id: &PartnerId) -> Self {
        Self {
            id: id.to_string(),
            name: String::new(),
            email: None,
            image: None,
            payouts_enabled_at: None,
            country: None,
            group_id: None,
            tenant_id: None,
        }
    }
}

/// One entry of `PATCH /commissions/bulk`'s answer: a commission and its status now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CommissionStatusSchema {
    pub id: CommissionId,
    pub status: CommissionStatus,
}
