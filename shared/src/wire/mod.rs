//! The HTTP edge's typed wire models: one serde struct per response schema (Dub's where Dub
//! defines it, StackBE's for its partner program routes, ours otherwise), built from domain
//! types. A field the SDK requires is a struct field, so leaving it out fails the build,
//! not an integrator's client. Fields we hold no value for are present with Dub's type (null,
//! an empty list), never missing.

pub mod affiliate;
pub mod analytics;
pub mod applications;
pub mod commissions;
pub mod customers;
pub mod discount_codes;
pub mod domains;
pub mod embed;
pub mod events;
pub mod folders;
pub mod groups;
pub mod links;
pub mod partner_records;
pub mod partners;
pub mod payouts;
pub mod portal;
pub mod programs;
pub mod stripe;
pub mod tracking;
pub mod webhooks;

/// A wire model as the data of an outbox event, so events carry the API's shapes.
pub fn event_data<T: serde::Serialize>(data: &T) -> serde_json::Value {
    serde_json::to_value(data).expect("a wire model serialises")
}

/// RFC 3339 text of a time, as Dub's schemas carry times.
pub fn timestamp(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .expect("a UTC time formats as RFC 3339")
}

#[cfg(test)]
mod tests {
    use utoipa::ToSchema;

    /// The schema of `T` and of every schema it refers to, as JSON.
    fn described<T: ToSchema>() -> serde_json::Value {
        let mut refs = Vec::new();
        T::schemas(&mut refs);
        let refs: serde_json::Map<String, serde_json::Value> = refs
            .into_iter()
            .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap()))
            .collect();
        serde_json::json!({ "name": T::name(), "schema": T::schema(), "refs": refs })
    }

    #[test]
    fn the_schemas_of_partner_admin_commission_admin_and_conversion_tracking_describe_themselves() {
        use crate::{commissions, conversions, customers};
        let described = [
            described::<super::partners::PartnerSchema>(),
            described::<super::partners::PartnerIdSchema>(),
            described::<super::commissions::CommissionSchema>(),
            described::<super::commissions::CommissionStatusSchema>(),
            described::<super::customers::ProgramCustomerSchema>(),
            described::<super::customers::DeletedCustomerSchema>(),
            described::<super::tracking::TrackLeadResponse>(),
            described::<super::tracking::TrackSaleResponse>(),
            described::<super::tracking::DealSchema>(),
            described::<crate::enrollment::CreatePartner>(),
            described::<crate::partner_status::BanPartner>(),
            described::<crate::partner_status::NamePartner>(),
            described::<crate::partner_status::MoveToGroup>(),
            described::<crate::partner_status::SetTags>(),
            described::<commissions::UpdateCommission>(),
            described::<commissions::BulkUpdateCommissions>(),
            described::<customers::UpdateCustomer>(),
            described::<conversions::TrackLeadRequest>(),
            described::<conversions::TrackSaleRequest>(),
            described::<conversions::TrackRefundRequest>(),
            described::<conversions::RegisterDealRequest>(),
        ];
        for schema in described {
            assert!(schema["name"].as_str().is_some_and(|name| !name.is_empty()));
            assert!(schema["schema"].is_object(), "{schema}");
        }
    }

    #[test]
    fn the_schemas_of_program_admin_webhook_admin_and_the_partner_routes_describe_themselves() {
        use crate::{applications, groups, portal, programs, webhooks};
        let described = [
            described::<super::programs::ProgramSchema>(),
            described::<super::programs::ApiKeyPageSchema>(),
            described::<super::programs::RepairReportSchema>(),
            described::<super::groups::GroupPageSchema>(),
            described::<super::partner_records::PartnerRecordSchema>(),
            described::<super::webhooks::DeliveryPageSchema>(),
            described::<super::webhooks::DeliveryAcceptedSchema>(),
            described::<super::webhooks::EndpointDisabledEventSchema>(),
            described::<super::webhooks::WebhookTestEventSchema>(),
            described::<super::webhooks::WebhookDeletedEventSchema>(),
            described::<super::webhooks::SecretRotatedEventSchema>(),
            described::<super::programs::ApiKeyRevokedEventSchema>(),
            described::<super::groups::RewardChangedEventSchema>(),
            described::<super::groups::DiscountChangedEventSchema>(),
            described::<super::groups::GroupPartRemovedEventSchema>(),
            described::<super::groups::MoveRulesChangedEventSchema>(),
            described::<super::groups::GroupDeletedEventSchema>(),
            described::<super::portal::DashboardSchema>(),
            described::<super::portal::PartnerSessionSchema>(),
            described::<super::portal::PortalLinkSchema>(),
            described::<super::affiliate::PartnerCheckSchema>(),
            described::<super::affiliate::AppliedSchema>(),
            described::<super::affiliate::ApplicationStatusSchema>(),
            described::<super::affiliate::ApplicationRecordPageSchema>(),
            described::<super::affiliate::ReviewSchema>(),
            described::<super::affiliate::ApplicationApprovedEventSchema>(),
            described::<super::affiliate::ApplicationRejectedEventSchema>(),
            described::<super::applications::ApprovedPartnerSchema>(),
            described::<super::applications::RejectedApplicationSchema>(),
            described::<crate::program_launch::CreateProgram>(),
            described::<programs::UpdateProgram>(),
            described::<programs::CreateApiKey>(),
            described::<groups::CreateGroup>(),
            described::<groups::UpdateGroup>(),
            described::<groups::CreateReward>(),
            described::<groups::UpdateReward>(),
            described::<groups::SetDiscount>(),
            described::<groups::SetMoveRules>(),
            described::<webhooks::endpoints::CreateEndpoint>(),
            described::<webhooks::endpoints::UpdateEndpoint>(),
            described::<portal::IssueSession>(),
            described::<portal::RevokeSession>(),
            described::<applications::ApplyRequest>(),
            described::<applications::Review>(),
            described::<applications::DubApprove>(),
            described::<applications::DubReject>(),
        ];
        for schema in described {
            assert!(schema["name"].as_str().is_some_and(|name| !name.is_empty()));
            assert!(schema["schema"].is_object(), "{schema}");
        }
    }
}
