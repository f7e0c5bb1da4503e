/// What an API key may do. Admin JWTs may do everything within their program.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
pub enum Scope {
    /// Every scope.
    #[serde(rename = "apis.all")]
    All,
    #[serde(rename = "programs.read")]
    ProgramsRead,
    #[serde(rename = "programs.write")]
    ProgramsWrite,
    #[serde(rename = "partners.read")]
    PartnersRead,
    #[serde(rename = "partners.write")]
    PartnersWrite,
    #[serde(rename = "links.read")]
    LinksRead,
    #[serde(rename = "links.write")]
    LinksWrite,
    /// `POST /track/*`: clicks, leads, sales.
    #[serde(rename = "conversions.write")]
    ConversionsWrite,
    #[serde(rename = "customers.read")]
    CustomersRead,
    #[serde(rename = "customers.write")]
    CustomersWrite,
    /// Client-side click tracking only (`POST /track/click`, `POST /v1/affiliate/track`): safe
    /// for a key that sits in a website, like Dub's publishable keys.
    #[serde(rename = "clicks.track")]
    ClicksTrack,
    #[serde(rename = "commissions.read")]
    CommissionsRead,
    #[serde(rename = "commissions.write")]
    CommissionsWrite,
    /// `GET /payouts`, the ledger.
    #[serde(rename = "payouts.read")]
    PayoutsRead,
    /// Payout runs, confirming, failing and canceling payouts.
    #[serde(rename = "payouts.write")]
    PayoutsWrite,
    #[serde(rename = "webhooks.read")]
    WebhooksRead,
    #[serde(rename = "webhooks.write")]
    WebhooksWrite,
    /// `GET /analytics`, `GET /partners/analytics`, `GET /events`.
    #[serde(rename = "analytics.read")]
    AnalyticsRead,
    /// The public partner-application endpoints; safe for a key that sits in a website.
    #[serde(rename = "applications.submit")]
    ApplicationsSubmit,
}

impl Scope {
    /// Whether holding `self` grants `needed`. A write scope grants its read scope.
    pub fn grants(&self, needed: Scope) -> bool {
        use Scope::*;
        *self == needed
            || *self == All
            || matches!(
                (self, needed),
                (ProgramsWrite, ProgramsRead)
                    | (PartnersWrite, PartnersRead)
                    | (LinksWrite, LinksRead)
                    | (CommissionsWrite, CommissionsRead)
                    | (CustomersWrite, CustomersRead)
                    | (WebhooksWrite, WebhooksRead)
                    | (PayoutsWrite, PayoutsRead)
                    | (PartnersWrite, ApplicationsSubmit)
                    | (ConversionsWrite, ClicksTrack)
            )
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = serde_json::to_value(self).expect("a scope serialises");
        f.write_str(name.as_str().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::Scope::*;

    #[test]
    fn write_grants_read_but_not_the_reverse() {
        assert!(PartnersWrite.grants(PartnersRead));
        assert!(!PartnersRead.grants(PartnersWrite));
        assert!(All.grants(WebhooksWrite));
        assert!(!ConversionsWrite.grants(LinksRead));
    }

    #[test]
    fn scopes_use_dotted_names() {
        assert_eq!(
            serde_json::to_string(&ConversionsWrite).unwrap(),
            "\"conversions.write\""
        );
        assert!(serde_json::from_str::<super::Scope>("\"links.delete\"").is_err());
    }
}
