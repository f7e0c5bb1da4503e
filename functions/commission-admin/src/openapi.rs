//! This function's part of the API's OpenAPI document: one description per endpoint.

use crate::{Endpoint, ROUTES};
use http::StatusCode;
use shared::commissions::{BulkUpdateCommissions, UpdateCommission};
use shared::customers::UpdateCustomer;
use shared::payouts::{ConfirmPayout, FailPayout, RunPayoutsRequest};
use shared::web::openapi::{Access, DocumentedRoute, Operation, document_routes};
use shared::wire::commissions::{CommissionSchema, CommissionStatusSchema};
use shared::wire::customers::{DeletedCustomerSchema, ProgramCustomerSchema};
use shared::wire::payouts::{LedgerSchema, PayoutRunSchema, PayoutSchema};

pub fn routes() -> Vec<DocumentedRoute> {
    document_routes("commission-admin", ROUTES, describe)
}

fn describe(endpoint: Endpoint) -> Operation {
    let operation = |summary| Operation::new(summary, Access::ProgramKey);
    let expandable = |operation: Operation| {
        operation.query::<bool>(
            "includeExpandedFields",
            "Add the customer's link, partner and discount.",
        )
    };
    match endpoint {
        Endpoint::ListCustomers => expandable(operation("List customers"))
            .query::<String>("externalId", "The customer's id in your system.")
            .query::<String>("email", "The customer's email.")
            .query::<String>("country", "The customer's country.")
            .query::<String>("cursor", "The `x-next-cursor` of the page before.")
            .paged()
            .returns_list::<ProgramCustomerSchema>(),
        Endpoint::GetCustomer => expandable(operation("Retrieve a customer"))
            .returns::<ProgramCustomerSchema>(StatusCode::OK),
        Endpoint::UpdateCustomer => operation("Update a customer")
            .body::<UpdateCustomer>()
            .returns::<ProgramCustomerSchema>(StatusCode::OK),
        Endpoint::DeleteCustomer => {
            operation("Delete a customer").returns::<DeletedCustomerSchema>(StatusCode::OK)
        }
        Endpoint::ListCommissions => operation("List commissions")
            .query::<String>("partnerId", "A partner's commissions.")
            .query::<String>("tenantId", "The commissions of a partner by tenant id.")
            .query::<String>("customerId", "A customer's commissions.")
            .query::<String>("invoiceId", "The commissions of an invoice.")
            .query::<String>(
                "status",
                "pending, processed, paid, refunded, duplicate, fraud or canceled.",
            )
            .query::<String>("type", "click, lead, sale or custom.")
            .query::<String>("start", "Created at or after (ISO 8601).")
            .query::<String>("end", "Created before (ISO 8601).")
            .query::<String>("sortOrder", "`asc` or `desc` (the default) by creation.")
            .query::<String>("startingAfter", "The id of the commission before the page.")
            .query::<String>("cursor", "The `x-next-cursor` of the page before.")
            .paged()
            .returns_list::<CommissionSchema>(),
        Endpoint::GetCommission => {
            operation("Retrieve a commission").returns::<CommissionSchema>(StatusCode::OK)
        }
        Endpoint::UpdateCommission => operation("Update a commission")
            .body::<UpdateCommission>()
            .returns::<CommissionSchema>(StatusCode::OK),
        Endpoint::BulkUpdateCommissions => operation("Update up to 25 commissions at once")
            .body::<BulkUpdateCommissions>()
            .returns_list::<CommissionStatusSchema>(),
        Endpoint::ListPayouts => operation("List payouts")
            .query::<String>(
                "status",
                "pending, processing, completed, failed or canceled.",
            )
            .query::<String>("partnerId", "A partner's payouts (before `tenantId`).")
            .query::<String>("tenantId", "The payouts of a partner by tenant id.")
            .query::<String>("invoiceId", "The payouts of one run.")
            .query::<String>("sortBy", "amount (the default), initiatedAt or paidAt.")
            .query::<String>("sortOrder", "`asc` or `desc` (the default).")
            .paged()
            .returns_list::<PayoutSchema>(),
        Endpoint::GetPayout => {
            operation("Retrieve a payout").returns::<PayoutSchema>(StatusCode::OK)
        }
        Endpoint::RunPayouts => operation("Run payouts now, or preview them with `dryRun`")
            .body::<RunPayoutsRequest>()
            .returns::<PayoutRunSchema>(StatusCode::OK),
        Endpoint::ConfirmPayout => operation("Confirm that a payout was paid")
            .body::<ConfirmPayout>()
            .returns::<PayoutSchema>(StatusCode::OK),
        Endpoint::FailPayout => {
            operation("Mark a payout failed: its commissions are payable again")
                .body::<FailPayout>()
                .returns::<PayoutSchema>(StatusCode::OK)
        }
        Endpoint::CancelPayout => {
            operation("Cancel a pending payout: its commissions are payable again")
                .returns::<PayoutSchema>(StatusCode::OK)
        }
        Endpoint::ExportPayouts => operation("Export payouts as a PayPal or Wise batch file")
            .required_query::<String>("format", "paypal or wise.")
            .query::<String>("status", "The payouts' status (pending by default).")
            .query::<String>("invoiceId", "One run's payouts.")
            .returns_csv(),
        Endpoint::SendPayout => operation("Pay a Connect payout by a Stripe transfer (made once)")
            .returns::<PayoutSchema>(StatusCode::OK),
        Endpoint::Ledger => operation("The program's ledger: commissions, payouts and balances")
            .returns::<LedgerSchema>(StatusCode::OK),
    }
}
