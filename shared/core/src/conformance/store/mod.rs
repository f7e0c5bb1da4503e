//! Store cases; each takes the store under test.

mod basic;
mod batch;
mod query;
mod transact;
mod update;

pub use basic::*;
pub use batch::*;
pub use query::*;
pub use transact::*;
pub use update::*;
