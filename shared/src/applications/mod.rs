//! Partner applications: the public apply (StackBE's `/v1/affiliate/apply`), status by email,
//! and the review that enrolls a partner (StackBE's review route and Dub's
//! `/program-applications`), with their rules on re-applying, codes and races.

mod apply;
mod approve;
mod by_customer;
mod form_fields;
mod list;
mod reject;
mod repo;
mod review;
mod status;

pub use crate::model::{
    ApplicationStatusView, Applied, Approval, EnrolledPartner, PartnerCheck, applicant_country,
};
pub use apply::{ApplyRequest, PER_IP_LIMIT, PER_PROGRAM_LIMIT, apply};
pub use approve::ApprovalChoice;
pub use by_customer::{enrolled_partner, partner_by_customer};
pub use form_fields::check_answers;
pub use list::{ApplicationFilter, ApplicationPage, ApplicationsAt, list_applications};
pub use reject::{DubRejectionReason, RejectChoice};
pub use repo::STANDARD_REAPPLY_DAYS;
pub use review::{
    DubApprove, DubReject, Review, ReviewOutcome, dub_approve, dub_reject, review_application,
};
pub use status::application_status;
