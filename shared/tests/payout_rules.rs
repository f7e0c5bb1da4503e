//! Who a payout run pays, table by table (`shared::payouts::plan_run`, pure): a balance at the
//! program's minimum is paid, a smaller or negative one and a banned partner's carry forward,
//! a deactivated partner is paid what they earned.

use shared::model::{
    Commission, CommissionStatus, CommissionType, Partner, PartnerStatus, Program, ProgramSettings,
};
use shared::payouts::{Balance, CarryReason, plan_run};
use shared::types::{CommissionId, Currency, GroupId, PartnerId, ProgramId};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-12-04 12:00 UTC);

fn program(minimum: i64) -> Program {
    let mut settings: ProgramSettings = serde_json::from_value(serde_json::json!({})).unwrap();
    settings.min_payout_amount = minimum;
    Program {
        id: ProgramId::parse("prog_1").unwrap(),
        name: "Acme".into(),
        domain: "go.acme.test".into(),
        currency: Currency::USD,
        settings,
        created_at: NOW,
        updated_at: NOW,
        version: 1,
    }
}

fn partner(status: PartnerStatus) -> Partner {
    Partner {
        status,
        ..Partner::approved(
            PartnerId::parse("pn_1").unwrap(),
            (
                &ProgramId::parse("prog_1").unwrap(),
                &GroupId::parse("grp_1").unwrap(),
            ),
            "Jane".into(),
            NOW,
        )
    }
}

fn commission(n: usize, earnings: i64) -> Commission {
    Commission {
        id: CommissionId::parse(&format!("cm_{n}")).unwrap(),
        program_id: ProgramId::parse("prog_1").unwrap(),
        partner_id: PartnerId::parse("pn_1").unwrap(),
        group_id: GroupId::parse("grp_1").unwrap(),
        customer_id: None,
        kind: if earnings < 0 {
            CommissionType::Custom
        } else {
            CommissionType::Sale
        },
        amount: earnings * 5,
        earnings,
        currency: Currency::USD,
        quantity: 1,
        status: CommissionStatus::Processed,
        reward_id: None,
        invoice_id: None,
        description: None,
        lead_id: None,
        sale_id: None,
        link_id: None,
        clawback_of: None,
        note: None,
        payout_id: None,
        holds_until: NOW,
        paid_at: None,
        created_at: NOW,
        updated_at: NOW,
        version: 1,
    }
}

/// A rule, the program's minimum, the partner's status, the earnings, and why it carries (none:
/// paid).
type Case = (
    &'static str,
    i64,
    PartnerStatus,
    &'static [i64],
    Option<CarryReason>,
);

#[test]
fn a_run_pays_balances_at_the_minimum_and_carries_the_rest() {
    use PartnerStatus::*;
    let cases: [Case; 7] = [
        (
            "a balance at the minimum is paid",
            5_000,
            Approved,
            &[3_000, 2_000],
            None,
        ),
        (
            "a balance under the minimum carries",
            5_000,
            Approved,
            &[4_999],
            Some(CarryReason::BelowMinimum),
        ),
        (
            "a clawback counts against the balance",
            5_000,
            Approved,
            &[6_000, -2_000],
            Some(CarryReason::BelowMinimum),
        ),
        (
            "a negative balance carries",
            0,
            Approved,
            &[1_000, -3_000],
            Some(CarryReason::Negative),
        ),
        (
            "a zero balance is never a payout, whatever the minimum",
            0,
            Approved,
            &[1_000, -1_000],
            Some(CarryReason::BelowMinimum),
        ),
        (
            "a banned partner waits",
            1,
            Banned,
            &[9_000],
            Some(CarryReason::Banned),
        ),
        (
            "a deactivated partner is paid what they earned",
            1,
            Deactivated,
            &[9_000],
            None,
        ),
    ];
    for (rule, minimum, status, earnings, carried) in cases {
        let balance = Balance {
            partner: Some(partner(status)),
            partner_id: PartnerId::parse("pn_1").unwrap(),
            commissions: earnings
                .iter()
                .enumerate()
                .map(|(n, e)| commission(n, *e))
                .collect(),
        };
        let plan = plan_run(&program(minimum), vec![balance]);
        let net: i64 = earnings.iter().sum();
        match carried {
            None => {
                assert_eq!(plan.pay.len(), 1, "{rule}");
                assert_eq!(plan.pay[0].1.len(), earnings.len(), "{rule}");
                assert!(plan.carried.is_empty(), "{rule}");
            }
            Some(reason) => {
                assert!(plan.pay.is_empty(), "{rule}");
                assert_eq!(
                    (plan.carried[0].reason, plan.carried[0].amount),
                    (reason, net),
                    "{rule}"
                );
            }
        }
    }
}

#[test]
fn a_balance_whose_partner_cannot_be_read_waits() {
    let balance = Balance {
        partner: None,
        partner_id: PartnerId::parse("pn_gone").unwrap(),
        commissions: vec![commission(1, 10_000)],
    };
    let plan = plan_run(&program(1), vec![balance]);
    assert!(plan.pay.is_empty());
    assert_eq!(plan.carried[0].partner_id.as_str(), "pn_gone");
}
