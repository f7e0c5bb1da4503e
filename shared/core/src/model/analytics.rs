//! What the analytics answer (`analytics`): figures, per dimension, per link or partner, and
//! the listed events.

use crate::model::Customer;
use crate::model::CustomerActivity;
use crate::model::Lead;
use crate::model::Link;
use crate::model::Partner;
use crate::model::Sale;
use crate::types::{CustomerId, LinkId};

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

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    Clicks,
    Leads,
    Sales,
    /// Minor units of the program's currency.
    SaleAmount,
    /// Commissions earned, minor units of the program's currency.
    Earnings,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::Clicks,
        Metric::Leads,
        Metric::Sales,
        Metric::SaleAmount,
        Metric::Earnings,
    ];

    pub fn letter(self) -> char {
        match self {
            Metric::Clicks => 'c',
            Metric::Leads => 'l',
            Metric::Sales => 's',
            Metric::SaleAmount => 'a',
            Metric::Earnings => 'e',
        }
    }

    pub fn of_letter(letter: char) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.letter() == letter)
    }
}

impl Figures {
    pub fn add(&mut self, metric: Metric, count: i64) {
        let field = match metric {
            Metric::Clicks => &mut self.clicks,
            Metric::Leads => &mut self.leads,
            Metric::Sales => &mut self.sales,
            Metric::SaleAmount => &mut self.sale_amount,
            Metric::Earnings => &mut self.earnings,
        };
        *field = field.saturating_add(count);
    }

    pub fn merge(&mut self, other: &Figures) {
        for metric in Metric::ALL {
            self.add(metric, other.get(metric));
        }
    }

    /// The figure rows are ordered by: the event's count (clicks for `composite`).
    pub fn get(&self, metric: Metric) -> i64 {
        match metric {
            Metric::Clicks => self.clicks,
            Metric::Leads => self.leads,
            Metric::Sales => self.sales,
            Metric::SaleAmount => self.sale_amount,
            Metric::Earnings => self.earnings,
        }
    }
}

impl Dimension {
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Country => "country",
            Dimension::Device => "device",
            Dimension::Browser => "browser",
            Dimension::Os => "os",
            Dimension::Referer => "referer",
        }
    }

    pub fn of_name(name: &str) -> Option<Dimension> {
        [
            Dimension::Country,
            Dimension::Device,
            Dimension::Browser,
            Dimension::Os,
            Dimension::Referer,
        ]
        .into_iter()
        .find(|d| d.name() == name)
    }
}

impl Conversion {
    /// The link the lead or sale came by, if any.
    pub fn link(&self) -> Option<&LinkId> {
        match self {
            Conversion::Lead(lead) => lead.link_id.as_ref(),
            Conversion::Sale(sale) => sale.link_id.as_ref(),
        }
    }

    pub fn customer(&self) -> &CustomerId {
        match self {
            Conversion::Lead(lead) => &lead.customer_id,
            Conversion::Sale(sale) => &sale.customer_id,
        }
    }
}

impl ListedEvent {
    pub fn customer_id(&self) -> &CustomerId {
        self.conversion.customer()
    }
}
