//! This function's part of the API's OpenAPI document: one description per endpoint.

use crate::{Endpoint, ROUTES, Tracking};
use http::StatusCode;
use shared::conversions::{
    RegisterDealRequest, TrackLeadRequest, TrackRefundRequest, TrackSaleRequest,
};
use shared::web::openapi::{Access, DocumentedRoute, Operation, document_routes};
use shared::wire::tracking::{
    DealSchema, TrackLeadResponse, TrackRefundResponse, TrackSaleResponse,
};

pub fn routes() -> Vec<DocumentedRoute> {
    document_routes("conversion-tracking", ROUTES, describe)
}

fn describe(endpoint: Endpoint) -> Operation {
    use Access::ProgramKey;
    match endpoint {
        Endpoint::Track(Tracking::Lead) => Operation::new("Track a lead", ProgramKey)
            .body::<TrackLeadRequest>()
            .returns::<TrackLeadResponse>(StatusCode::OK),
        Endpoint::Track(Tracking::Sale) => Operation::new("Track a sale", ProgramKey)
            .body::<TrackSaleRequest>()
            .returns::<TrackSaleResponse>(StatusCode::OK),
        Endpoint::Track(Tracking::Refund) => Operation::new("Track a refund of a sale", ProgramKey)
            .body::<TrackRefundRequest>()
            .returns::<TrackRefundResponse>(StatusCode::OK),
        Endpoint::RegisterDeal => Operation::new(
            "Register a deal (StackBE; a partner session or a key)",
            ProgramKey,
        )
        .body::<RegisterDealRequest>()
        .returns::<DealSchema>(StatusCode::CREATED),
    }
}
