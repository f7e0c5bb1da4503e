//! Every request and response schema of the API describes itself to OpenAPI: its name, its
//! schema and every schema it refers to.

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
    use shared::{commissions, conversions, customers};
    let described = [
        described::<shared::wire::partners::PartnerSchema>(),
        described::<shared::wire::partners::PartnerIdSchema>(),
        described::<shared::wire::commissions::CommissionSchema>(),
        described::<shared::wire::commissions::CommissionStatusSchema>(),
        described::<shared::wire::customers::ProgramCustomerSchema>(),
        described::<shared::wire::customers::DeletedCustomerSchema>(),
        described::<shared::wire::tracking::TrackLeadResponse>(),
        described::<shared::wire::tracking::TrackSaleResponse>(),
        described::<shared::wire::tracking::DealSchema>(),
        described::<shared::enrollment::CreatePartner>(),
        described::<shared::partner_status::BanPartner>(),
        described::<shared::partner_status::NamePartner>(),
        described::<shared::partner_status::MoveToGroup>(),
        described::<shared::partner_status::SetTags>(),
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
    use shared::{applications, groups, portal, programs, webhooks};
    let described = [
        described::<shared::wire::programs::ProgramSchema>(),
        described::<shared::wire::programs::ApiKeyPageSchema>(),
        described::<shared::wire::programs::RepairReportSchema>(),
        described::<shared::wire::groups::GroupPageSchema>(),
        described::<shared::wire::partner_records::PartnerRecordSchema>(),
        described::<shared::wire::webhooks::DeliveryPageSchema>(),
        described::<shared::wire::webhooks::DeliveryAcceptedSchema>(),
        described::<shared::wire::webhooks::EndpointDisabledEventSchema>(),
        described::<shared::wire::webhooks::WebhookTestEventSchema>(),
        described::<shared::wire::webhooks::WebhookDeletedEventSchema>(),
        described::<shared::wire::webhooks::SecretRotatedEventSchema>(),
        described::<shared::wire::programs::ApiKeyRevokedEventSchema>(),
        described::<shared::wire::groups::RewardChangedEventSchema>(),
        described::<shared::wire::groups::DiscountChangedEventSchema>(),
        described::<shared::wire::groups::GroupPartRemovedEventSchema>(),
        described::<shared::wire::groups::MoveRulesChangedEventSchema>(),
        described::<shared::wire::groups::GroupDeletedEventSchema>(),
        described::<shared::wire::portal::DashboardSchema>(),
        described::<shared::wire::portal::PartnerSessionSchema>(),
        described::<shared::wire::portal::PortalLinkSchema>(),
        described::<shared::wire::affiliate::PartnerCheckSchema>(),
        described::<shared::wire::affiliate::AppliedSchema>(),
        described::<shared::wire::affiliate::ApplicationStatusSchema>(),
        described::<shared::wire::affiliate::ApplicationRecordPageSchema>(),
        described::<shared::wire::affiliate::ReviewSchema>(),
        described::<shared::wire::affiliate::ApplicationApprovedEventSchema>(),
        described::<shared::wire::affiliate::ApplicationRejectedEventSchema>(),
        described::<shared::wire::applications::ApprovedPartnerSchema>(),
        described::<shared::wire::applications::RejectedApplicationSchema>(),
        described::<shared::program_launch::CreateProgram>(),
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
