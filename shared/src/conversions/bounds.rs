//! The range checks of an event's figures, run before its transaction is built: an event whose
//! earnings or whose effect on a running total would leave the documented range
//! (`types::MAX_AMOUNT`, `types::MAX_TOTAL`) is refused with 422 and writes nothing.

use super::attribution::Parties;
use crate::model::CustomerActivity;

use crate::error::DomainError;
use crate::model::{Link, LinkStats, PartnerTotals};
use crate::types::{MAX_AMOUNT, MAX_TOTAL, checked_total};

fn over_total(what: &str) -> DomainError {
    DomainError::Unprocessable(format!(
        "This event would take the {what} past {MAX_TOTAL} minor units, the most a total can \
         hold. Nothing was recorded."
    ))
}

/// A reward's earnings for one event must be from 0 to `MAX_AMOUNT` (a flat lead reward times
/// a large quantity can exceed it).
pub fn earnings_in_range(earnings: i64) -> Result<(), DomainError> {
    if (0..=MAX_AMOUNT).contains(&earnings) {
        Ok(())
    } else {
        Err(DomainError::Unprocessable(format!(
            "This event would earn {earnings} minor units; a commission can be at most \
             {MAX_AMOUNT}. Nothing was recorded."
        )))
    }
}

/// The partner's totals and the link's counters after the event, as the event's payloads show
/// them; 422 when either would leave the range.
pub fn totals_after(
    parties: &Parties,
    partner_delta: &PartnerTotals,
    link_delta: &LinkStats,
) -> Result<(Option<PartnerTotals>, Option<Link>), DomainError> {
    let totals = parties
        .partner
        .as_ref()
        .map(|partner| {
            partner
                .totals
                .checked_plus(partner_delta)
                .ok_or_else(|| over_total("partner's totals"))
        })
        .transpose()?;
    let link = parties
        .link
        .as_ref()
        .map(|link| {
            let stats = link
                .stats
                .checked_plus(link_delta)
                .ok_or_else(|| over_total("link's counters"))?;
            Ok::<_, DomainError>(Link {
                stats,
                ..link.clone()
            })
        })
        .transpose()?;
    Ok((totals, link))
}

/// The customer's sale amount after a sale of `amount`; 422 past the range.
pub fn customer_sale_amount_after(
    activity: &CustomerActivity,
    amount: i64,
) -> Result<i64, DomainError> {
    checked_total(activity.sale_amount, amount).ok_or_else(|| over_total("customer's sale amount"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earnings_outside_the_range_are_refused() {
        assert!(earnings_in_range(0).is_ok());
        assert!(earnings_in_range(MAX_AMOUNT).is_ok());
        assert!(earnings_in_range(MAX_AMOUNT + 1).is_err());
        assert!(earnings_in_range(-1).is_err());
        assert!(earnings_in_range(i64::MAX).is_err());
    }

    #[test]
    fn a_total_at_the_ceiling_refuses_one_more_unit() {
        let activity = CustomerActivity {
            sale_amount: MAX_TOTAL,
            ..Default::default()
        };
        assert!(customer_sale_amount_after(&activity, 1).is_err());
        assert_eq!(customer_sale_amount_after(&activity, 0).unwrap(), MAX_TOTAL);
        let full = PartnerTotals {
            total_sale_amount: MAX_TOTAL - 10,
            ..Default::default()
        };
        let sale = PartnerTotals {
            total_sale_amount: 11,
            ..Default::default()
        };
        assert!(full.checked_plus(&sale).is_none());
        let poisoned = PartnerTotals {
            total_sales: i64::MAX,
            ..Default::default()
        };
        let one = PartnerTotals {
            total_sales: 1,
            ..Default::default()
        };
        assert!(poisoned.checked_plus(&one).is_none());
    }
}
