//! The query of `GET /partners` (Dub's parameters), parsed strictly: a bad value is 400, never
//! clamped or ignored.

use crate::error::DomainError;
use crate::model::PartnerStatus;
use std::collections::HashMap;

/// Dub's 13 `sortBy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SortBy {
    CreatedAt,
    TotalClicks,
    TotalLeads,
    TotalConversions,
    TotalSaleAmount,
    TotalCommissions,
    NetRevenue,
    EarningsPerClick,
    AverageLifetimeValue,
    ClickToLeadRate,
    ClickToConversionRate,
    LeadToConversionRate,
    ReturnOnAdSpend,
}

impl SortBy {
    pub const ALL: [SortBy; 13] = [
        SortBy::CreatedAt,
        SortBy::TotalClicks,
        SortBy::TotalLeads,
        SortBy::TotalConversions,
        SortBy::TotalSaleAmount,
        SortBy::TotalCommissions,
        SortBy::NetRevenue,
        SortBy::EarningsPerClick,
        SortBy::AverageLifetimeValue,
        SortBy::ClickToLeadRate,
        SortBy::ClickToConversionRate,
        SortBy::LeadToConversionRate,
        SortBy::ReturnOnAdSpend,
    ];

    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

/// What narrows the list by identity, after Dub's precedence: `tenantId` over `email` over
/// `search`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    All,
    Tenant(String),
    /// Lower-cased.
    Email(String),
    /// A search containing `@`: the email, exactly (lower-cased).
    SearchEmail(String),
    /// A search with the partner-id prefix: the id, exactly.
    SearchId(String),
    /// Otherwise: a case-insensitive substring of name, email or company (lower-cased).
    SearchText(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListPartnersQuery {
    pub group_id: Option<String>,
    pub status: Option<PartnerStatus>,
    pub country: Option<String>,
    pub lookup: Lookup,
    pub sort_by: SortBy,
    pub sort_order: SortOrder,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
}

impl Default for ListPartnersQuery {
    fn default() -> Self {
        Self {
            group_id: None,
            status: None,
            country: None,
            lookup: Lookup::All,
            sort_by: SortBy::TotalSaleAmount,
            sort_order: SortOrder::Desc,
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

pub const DEFAULT_PAGE_SIZE: u32 = 100;
pub const MAX_PAGE_SIZE: u32 = 100;
/// Dub's partner ids start with `pn_`, as ours do.
const PARTNER_ID_PREFIX: &str = crate::types::PartnerId::PREFIX;

fn bad(message: impl Into<String>) -> DomainError {
    DomainError::BadRequest(message.into())
}

fn enum_value<T: serde::de::DeserializeOwned>(
    name: &str,
    raw: &str,
    allowed: &str,
) -> Result<T, DomainError> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned()))
        .map_err(|_| bad(format!("`{name}` must be one of: {allowed}.")))
}

/// A whole number in `range`, written plainly (no sign, no fraction, no exponent).
fn whole_number(name: &str, raw: &str, min: u32, max: u32) -> Result<u32, DomainError> {
    raw.parse::<u32>()
        .ok()
        .filter(|value| (min..=max).contains(value) && raw.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            bad(if max == u32::MAX {
                format!("`{name}` must be a whole number greater than 0.")
            } else {
                format!("`{name}` must be a whole number from {min} to {max}.")
            })
        })
}

/// An identity filter: absent or empty (as Dub's falsy check) is no filter.
fn given<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query
        .get(name)
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

impl ListPartnersQuery {
    /// Parses the query string's parameters; unknown parameters are ignored (as Dub does).
    pub fn parse(query: &HashMap<String, String>) -> Result<Self, DomainError> {
        let mut parsed = Self::default();
        if let Some(raw) = query.get("groupId") {
            parsed.group_id = Some(raw.clone());
        }
        if let Some(raw) = query.get("country") {
            parsed.country = Some(raw.clone());
        }
        if let Some(raw) = query.get("status") {
            parsed.status = Some(enum_value(
                "status",
                raw,
                "pending, approved, rejected, invited, declined, deactivated, banned, archived",
            )?);
        }
        if let Some(raw) = query.get("sortBy") {
            let names: Vec<String> = SortBy::ALL.iter().map(|sort| sort.name()).collect();
            parsed.sort_by = enum_value("sortBy", raw, &names.join(", "))?;
        }
        if let Some(raw) = query.get("sortOrder") {
            parsed.sort_order = enum_value("sortOrder", raw, "asc, desc")?;
        }
        if let Some(raw) = query.get("page") {
            parsed.page = whole_number("page", raw, 1, u32::MAX)?;
        }
        if let Some(raw) = query.get("pageSize") {
            parsed.page_size = whole_number("pageSize", raw, 1, MAX_PAGE_SIZE)?;
        }
        parsed.lookup = if let Some(tenant) = given(query, "tenantId") {
            Lookup::Tenant(tenant.to_owned())
        } else if let Some(email) = given(query, "email") {
            Lookup::Email(email.to_lowercase())
        } else if let Some(search) = given(query, "search") {
            if search.contains('@') {
                Lookup::SearchEmail(search.to_lowercase())
            } else if search.starts_with(PARTNER_ID_PREFIX) {
                Lookup::SearchId(search.to_owned())
            } else {
                Lookup::SearchText(search.to_lowercase())
            }
        } else {
            Lookup::All
        };
        Ok(parsed)
    }

    /// How many rows come before the page (saturating: a page past the end is empty).
    pub fn offset(&self) -> usize {
        (self.page as usize - 1).saturating_mul(self.page_size as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<ListPartnersQuery, DomainError> {
        let query = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ListPartnersQuery::parse(&query)
    }

    #[test]
    fn defaults_follow_the_documentation() {
        let query = parse(&[]).unwrap();
        assert_eq!(query.sort_by, SortBy::TotalSaleAmount);
        assert_eq!(query.sort_order, SortOrder::Desc);
        assert_eq!((query.page, query.page_size), (1, 100));
        assert_eq!(query.lookup, Lookup::All);
    }

    #[test]
    fn paging_outside_the_range_is_refused_not_clamped() {
        for (name, value) in [
            ("page", "0"),
            ("page", "-1"),
            ("page", "1.5"),
            ("page", "abc"),
            ("page", ""),
            ("page", "+2"),
            ("pageSize", "0"),
            ("pageSize", "101"),
            ("pageSize", "-1"),
            ("pageSize", "abc"),
            ("pageSize", "50.0"),
        ] {
            assert!(
                matches!(parse(&[(name, value)]), Err(DomainError::BadRequest(_))),
                "{name}={value}"
            );
        }
        assert_eq!(parse(&[("pageSize", "100")]).unwrap().page_size, 100);
        assert_eq!(parse(&[("pageSize", "1")]).unwrap().page_size, 1);
    }

    #[test]
    fn every_sort_and_status_value_parses_and_others_are_refused() {
        for sort in SortBy::ALL {
            assert_eq!(parse(&[("sortBy", &sort.name())]).unwrap().sort_by, sort);
        }
        assert!(parse(&[("sortBy", "totalSales")]).is_err());
        assert!(parse(&[("sortOrder", "up")]).is_err());
        assert!(parse(&[("status", "active")]).is_err());
        assert_eq!(
            parse(&[("status", "archived")]).unwrap().status,
            Some(PartnerStatus::Archived)
        );
    }

    #[test]
    fn tenant_id_wins_over_email_which_wins_over_search() {
        let all = [("tenantId", "t-1"), ("email", "A@x.io"), ("search", "jo")];
        assert_eq!(parse(&all).unwrap().lookup, Lookup::Tenant("t-1".into()));
        assert_eq!(
            parse(&all[1..]).unwrap().lookup,
            Lookup::Email("a@x.io".into())
        );
        assert_eq!(
            parse(&all[2..]).unwrap().lookup,
            Lookup::SearchText("jo".into())
        );
        assert_eq!(
            parse(&[("search", "Jo@X.io")]).unwrap().lookup,
            Lookup::SearchEmail("jo@x.io".into())
        );
        assert_eq!(
            parse(&[("search", "pn_01ABC")]).unwrap().lookup,
            Lookup::SearchId("pn_01ABC".into())
        );
        assert_eq!(parse(&[("tenantId", "")]).unwrap().lookup, Lookup::All);
    }
}
