//! Dub's analytics shapes: `GET /analytics` (the SDKs' `AnalyticsCount`, `AnalyticsTimeseries`,
//! `AnalyticsCountries`, ..., `AnalyticsTopLinks`) and `GET /partners/analytics`
//! (`PartnerAnalyticsCount`, `PartnerAnalyticsTimeseries`, `PartnerAnalyticsTopLinks`). Every
//! row carries all four figures; amounts are minor units of the program's currency.

use super::timestamp;
use crate::model::AnalyticsAnswer;
use crate::model::Dimension;
use crate::model::Figures;
use crate::model::short_link;
use crate::model::{Link, Partner};

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsCountSchema {
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
    pub sale_amount: i64,
}

impl AnalyticsCountSchema {
    fn of(f: &Figures) -> Self {
        Self {
            clicks: f.clicks,
            leads: f.leads,
            sales: f.sales,
            sale_amount: f.sale_amount,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsTimeseriesSchema {
    /// The bucket's start, with the requested time zone's offset.
    pub start: String,
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
    pub sale_amount: i64,
}

/// A row of a breakdown by country: Dub's `AnalyticsCountries` (`region` and `city` are `*`:
/// counts are kept per country).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsCountriesSchema {
    pub country: String,
    pub region: String,
    pub city: String,
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
    pub sale_amount: i64,
}

/// One row type per breakdown, each named by its dimension as Dub's are.
macro_rules! dimension_row {
    ($name:ident, $field:ident) => {
        #[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub $field: String,
            pub clicks: i64,
            pub leads: i64,
            pub sales: i64,
            pub sale_amount: i64,
        }

        impl $name {
            fn of(value: String, f: &Figures) -> Self {
                Self {
                    $field: value,
                    clicks: f.clicks,
                    leads: f.leads,
                    sales: f.sales,
                    sale_amount: f.sale_amount,
                }
            }
        }
    };
}

dimension_row!(AnalyticsDevicesSchema, device);
dimension_row!(AnalyticsBrowsersSchema, browser);
dimension_row!(AnalyticsOsSchema, os);
dimension_row!(AnalyticsReferersSchema, referer);

/// Dub's `AnalyticsTopLinks` (and, with `earnings`, `PartnerAnalyticsTopLinks`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsTopLinksSchema {
    /// The link's id (Dub's deprecated name for it).
    pub link: String,
    pub id: String,
    pub domain: String,
    pub key: String,
    pub short_link: String,
    pub url: String,
    pub created_at: String,
    pub title: Option<String>,
    pub comments: Option<String>,
    pub folder_id: Option<String>,
    pub partner_id: Option<String>,
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
    pub sale_amount: i64,
    pub earnings: i64,
}

impl AnalyticsTopLinksSchema {
    fn of(link: &Link, f: &Figures) -> Self {
        Self {
            link: link.id.to_string(),
            id: link.id.to_string(),
            domain: link.domain.clone(),
            key: link.key.clone(),
            short_link: short_link(&link.domain, &link.key),
            url: link.url.to_string(),
            created_at: timestamp(link.created_at),
            title: link.details.title.clone(),
            comments: link.details.comments.clone(),
            folder_id: link.details.folder_id.as_ref().map(ToString::to_string),
            partner_id: link.partner_id.as_ref().map(ToString::to_string),
            clicks: f.clicks,
            leads: f.leads,
            sales: f.sales,
            sale_amount: f.sale_amount,
            earnings: f.earnings,
        }
    }
}

/// The partner of a `top_partners` row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsPartnerSchema {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub image: Option<String>,
    pub country: Option<String>,
}

/// A row of `top_partners`: the partner and its figures (the SDKs have no model for it).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsTopPartnersSchema {
    pub partner_id: String,
    pub partner: AnalyticsPartnerSchema,
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
    pub sale_amount: i64,
    pub earnings: i64,
}

/// What `GET /analytics` answers, by `groupBy`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum AnalyticsResponse {
    Count(AnalyticsCountSchema),
    Timeseries(Vec<AnalyticsTimeseriesSchema>),
    Countries(Vec<AnalyticsCountriesSchema>),
    Devices(Vec<AnalyticsDevicesSchema>),
    Browsers(Vec<AnalyticsBrowsersSchema>),
    Os(Vec<AnalyticsOsSchema>),
    Referers(Vec<AnalyticsReferersSchema>),
    TopLinks(Vec<AnalyticsTopLinksSchema>),
    TopPartners(Vec<AnalyticsTopPartnersSchema>),
}

impl AnalyticsResponse {
    pub fn of(answer: &AnalyticsAnswer) -> Self {
        match answer {
            AnalyticsAnswer::Count(f) => Self::Count(AnalyticsCountSchema::of(f)),
            AnalyticsAnswer::Timeseries(rows) => Self::Timeseries(
                rows.iter()
                    .map(|(start, f)| AnalyticsTimeseriesSchema {
                        start: start.clone(),
                        clicks: f.clicks,
                        leads: f.leads,
                        sales: f.sales,
                        sale_amount: f.sale_amount,
                    })
                    .collect(),
            ),
            AnalyticsAnswer::Dimension(dimension, rows) => dimension_rows(*dimension, rows),
            AnalyticsAnswer::TopLinks(rows) => Self::TopLinks(
                rows.iter()
                    .map(|(link, f)| AnalyticsTopLinksSchema::of(link, f))
                    .collect(),
            ),
            AnalyticsAnswer::TopPartners(rows) => Self::TopPartners(
                rows.iter()
                    .map(|(partner, f)| top_partner(partner, f))
                    .collect(),
            ),
        }
    }
}

fn dimension_rows(dimension: Dimension, rows: &[(String, Figures)]) -> AnalyticsResponse {
    let rows = rows.iter().cloned();
    match dimension {
        Dimension::Country => AnalyticsResponse::Countries(
            rows.map(|(country, f)| AnalyticsCountriesSchema {
                country,
                region: "*".into(),
                city: "*".into(),
                clicks: f.clicks,
                leads: f.leads,
                sales: f.sales,
                sale_amount: f.sale_amount,
            })
            .collect(),
        ),
        Dimension::Device => AnalyticsResponse::Devices(
            rows.map(|(v, f)| AnalyticsDevicesSchema::of(v, &f))
                .collect(),
        ),
        Dimension::Browser => AnalyticsResponse::Browsers(
            rows.map(|(v, f)| AnalyticsBrowsersSchema::of(v, &f))
                .collect(),
        ),
        Dimension::Os => {
            AnalyticsResponse::Os(rows.map(|(v, f)| AnalyticsOsSchema::of(v, &f)).collect())
        }
        Dimension::Referer => AnalyticsResponse::Referers(
            rows.map(|(v, f)| AnalyticsReferersSchema::of(v, &f))
                .collect(),
        ),
    }
}

fn top_partner(partner: &Partner, f: &Figures) -> AnalyticsTopPartnersSchema {
    AnalyticsTopPartnersSchema {
        partner_id: partner.id.to_string(),
        partner: AnalyticsPartnerSchema {
            id: partner.id.to_string(),
            name: partner.name.clone(),
            email: partner.email.as_ref().map(ToString::to_string),
            image: partner.profile.image.clone(),
            country: partner.country.clone(),
        },
        clicks: f.clicks,
        leads: f.leads,
        sales: f.sales,
        sale_amount: f.sale_amount,
        earnings: f.earnings,
    }
}

/// Dub's `PartnerAnalyticsCount` and `PartnerAnalyticsTimeseries` rows: with `earnings`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerAnalyticsCountSchema {
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
    pub sale_amount: i64,
    pub earnings: i64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerAnalyticsTimeseriesSchema {
    pub start: String,
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
    pub sale_amount: i64,
    pub earnings: i64,
}

/// What `GET /partners/analytics` answers, by `groupBy`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum PartnerAnalyticsResponse {
    Count(PartnerAnalyticsCountSchema),
    Timeseries(Vec<PartnerAnalyticsTimeseriesSchema>),
    TopLinks(Vec<AnalyticsTopLinksSchema>),
}

impl PartnerAnalyticsResponse {
    /// The partner grouping of an answer; `None` for a grouping the partner query refuses.
    pub fn of(answer: &AnalyticsAnswer) -> Option<Self> {
        Some(match answer {
            AnalyticsAnswer::Count(f) => Self::Count(PartnerAnalyticsCountSchema {
                clicks: f.clicks,
                leads: f.leads,
                sales: f.sales,
                sale_amount: f.sale_amount,
                earnings: f.earnings,
            }),
            AnalyticsAnswer::Timeseries(rows) => Self::Timeseries(
                rows.iter()
                    .map(|(start, f)| PartnerAnalyticsTimeseriesSchema {
                        start: start.clone(),
                        clicks: f.clicks,
                        leads: f.leads,
                        sales: f.sales,
                        sale_amount: f.sale_amount,
                        earnings: f.earnings,
                    })
                    .collect(),
            ),
            AnalyticsAnswer::TopLinks(rows) => Self::TopLinks(
                rows.iter()
                    .map(|(link, f)| AnalyticsTopLinksSchema::of(link, f))
                    .collect(),
            ),
            _ => return None,
        })
    }
}
