//! Dub's derived metrics of a partner (as Dub's `GET /partners` answers them; docs/partners.md): ratios of the
//! totals, null when the denominator is 0. Money is in minor units, as the totals are.

use super::query::SortBy;
use crate::model::PartnerTotals;
use crate::model::metric_ratio as ratio;

/// The value a partner sorts by; `None` (a null metric) sorts last in either order.
pub fn sort_value(sort: SortBy, totals: &PartnerTotals, created_at_ns: i128) -> Option<f64> {
    let t = totals;
    match sort {
        SortBy::CreatedAt => Some(created_at_ns as f64),
        SortBy::TotalClicks => Some(t.total_clicks as f64),
        SortBy::TotalLeads => Some(t.total_leads as f64),
        SortBy::TotalConversions => Some(t.total_conversions as f64),
        SortBy::TotalSaleAmount => Some(t.total_sale_amount as f64),
        SortBy::TotalCommissions => Some(t.total_commissions as f64),
        SortBy::NetRevenue => Some(t.total_sale_amount.saturating_sub(t.total_commissions) as f64),
        SortBy::EarningsPerClick => ratio(t.total_sale_amount, t.total_clicks),
        SortBy::AverageLifetimeValue => ratio(t.total_sale_amount, t.total_conversions),
        SortBy::ClickToLeadRate => ratio(t.total_leads, t.total_clicks),
        SortBy::ClickToConversionRate => ratio(t.total_conversions, t.total_clicks),
        SortBy::LeadToConversionRate => ratio(t.total_conversions, t.total_leads),
        SortBy::ReturnOnAdSpend => ratio(t.total_sale_amount, t.total_commissions),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DerivedMetrics;

    #[test]
    fn zero_denominators_give_null_and_net_revenue_is_never_null() {
        let metrics = DerivedMetrics::of(&PartnerTotals::default());
        assert_eq!(metrics.net_revenue, 0);
        assert_eq!(metrics.earnings_per_click, None);
        assert_eq!(metrics.average_lifetime_value, None);
        assert_eq!(metrics.click_to_lead_rate, None);
        assert_eq!(metrics.click_to_conversion_rate, None);
        assert_eq!(metrics.lead_to_conversion_rate, None);
        assert_eq!(metrics.return_on_ad_spend, None);
    }

    #[test]
    fn ratios_follow_dub() {
        let totals = PartnerTotals {
            total_clicks: 200,
            total_leads: 50,
            total_conversions: 10,
            total_sales: 12,
            total_sale_amount: 100_000,
            total_commissions: 20_000,
        };
        let m = DerivedMetrics::of(&totals);
        assert_eq!(m.net_revenue, 80_000);
        assert_eq!(m.earnings_per_click, Some(500.0));
        assert_eq!(m.average_lifetime_value, Some(10_000.0));
        assert_eq!(m.click_to_lead_rate, Some(0.25));
        assert_eq!(m.click_to_conversion_rate, Some(0.05));
        assert_eq!(m.lead_to_conversion_rate, Some(0.2));
        assert_eq!(m.return_on_ad_spend, Some(5.0));
        for sort in SortBy::ALL {
            assert!(sort_value(sort, &totals, 1).is_some(), "{sort:?}");
        }
    }
}
