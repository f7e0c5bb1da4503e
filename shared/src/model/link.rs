use crate::types::{LinkId, PartnerId, ProgramId, WebUrl};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A short link `https://{domain}/{key}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    pub id: LinkId,
    pub program_id: ProgramId,
    pub domain: String,
    /// Empty for the root link of a domain.
    pub key: String,
    pub url: WebUrl,
    pub partner_id: Option<PartnerId>,
    pub tenant_id: Option<String>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub expires_at: Option<OffsetDateTime>,
    pub expired_url: Option<WebUrl>,
    pub disabled: bool,
    /// Destination per ISO country code.
    #[serde(default)]
    pub geo: BTreeMap<String, WebUrl>,
    pub ios: Option<WebUrl>,
    pub android: Option<WebUrl>,
    #[serde(flatten)]
    pub stats: LinkStats,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkStats {
    pub clicks: i64,
    pub leads: i64,
    pub conversions: i64,
    pub sales: i64,
    pub sale_amount: i64,
}

impl LinkStats {
    /// These counters with `delta` added, or `None` when a changed one would leave ±`MAX_TOTAL`.
    pub fn checked_plus(&self, delta: &LinkStats) -> Option<LinkStats> {
        // A total the event does not change is not checked: an event cannot push it out of
        // range, and a partner left out of range by an earlier version keeps taking leads.
        let add = |total: i64, delta: i64| match delta {
            0 => Some(total),
            _ => crate::types::checked_total(total, delta),
        };
        Some(LinkStats {
            clicks: add(self.clicks, delta.clicks)?,
            leads: add(self.leads, delta.leads)?,
            conversions: add(self.conversions, delta.conversions)?,
            sales: add(self.sales, delta.sales)?,
            sale_amount: add(self.sale_amount, delta.sale_amount)?,
        })
    }
}
