//! Customer accounts of a program's business: here, the accounts created when a partner is
//! approved (StackBE creates one for an applicant who has none).

mod repo;

pub use repo::{find_by_email, find_customer, insert_customer};
