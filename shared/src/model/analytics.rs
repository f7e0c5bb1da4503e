//! What the analytics answer (`analytics`): figures, per dimension, per link or partner, and
//! the listed events.

use crate::model::Customer;
use crate::model::CustomerActivity;
use crate::model::Lead;
use crate::model::Link;
use crate::model::Partner;
use crate::model::Sale;

/// The figures of one row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub clicks: i64,
    pub leads: i64,
    pub sales: i64,
    /// Minor units of the program's currency.
    pub sale_amount: i64,
    /// Commissions earned, minor units.
    pub earnings: i64,
}

/// What a count can be broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Country,
    Device,
    Browser,
    Os,
    Referer,
}

/// What `GET /analytics` and `GET /partners/analytics` answer.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalyticsAnswer {
    Count(Figures),
    Timeseries(Vec<(String, Figures)>),
    Dimension(Dimension, Vec<(String, Figures)>),
    TopLinks(Vec<(Link, Figures)>),
    TopPartners(Vec<(Partner, Figures)>),
}

/// A lead or a sale.
#[derive(Debug, Clone, PartialEq)]
pub enum Conversion {
    Lead(Lead),
    Sale(Sale),
}

/// An event as listed: with its link and customer (`None`: the customer was deleted since;
/// the event stays, showing the customer's id).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedEvent {
    pub conversion: Conversion,
    pub link: Link,
    pub customer: Option<(Customer, CustomerActivity)>,
}
