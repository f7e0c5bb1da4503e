//! The decide step of conversions (`shared::conversions`), table by table: each row is one rule of `docs/tracking.md`, given what the
//! read step found and the request, and checked on the plan (or the refusal) it decides. No
//! store, no clock: a fixed time and sequential ids.

use serde_json::json;
use shared::conversions::plan::{AfterCommit, Claim, Decision, Plan, Stamp, Write};
use shared::conversions::read::{LeadRead, RefundRead, SaleRead};
use shared::conversions::{
    CustomerFields, LeadInput, LeadMode, Parties, RefundInput, SaleInput, decide_lead,
    decide_refund, decide_sale,
};
use shared::model::CustomerActivity;

use shared::error::DomainError;
use shared::idempotency::Recorded;
use shared::model::{
    Actor, Commission, CommissionStatus, CommissionType, Customer, Link, LinkDetails, LinkStats,
    Partner, PartnerGroup, PartnerStatus, PartnerTotals, PaymentProcessor, Program,
    ProgramSettings, Reward, RewardEvent, RewardType, Sale,
};
use shared::ports::SequentialIds;
use shared::types::{
    CommissionId, Currency, CustomerId, GroupId, LinkId, MAX_AMOUNT, MAX_TOTAL, PartnerId,
    Percentage, ProgramId, RewardId, SaleId, WebUrl,
};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-12-04 12:00 UTC);
const MONTH: time::Duration = time::Duration::days(30);

fn program_id() -> ProgramId {
    ProgramId::parse("prog_1").unwrap()
}

fn reward(event: RewardEvent, kind: RewardType, value: i64) -> Reward {
    Reward {
        id: RewardId::parse("rw_1").unwrap(),
        event,
        kind,
        amount_in_cents: (kind == RewardType::Flat).then_some(value),
        amount_in_percentage: (kind == RewardType::Percentage)
            .then(|| Percentage::from_basis_points(value as u32).unwrap()),
        max_duration: None,
        description: None,
        tooltip: None,
        modifiers: Vec::new(),
    }
}

/// 20 % per sale, 300 per lead.
fn rewards() -> Vec<Reward> {
    vec![
        reward(RewardEvent::Sale, RewardType::Percentage, 2_000),
        reward(RewardEvent::Lead, RewardType::Flat, 300),
    ]
}

/// A known customer of an approved partner's link, nothing sold yet.
fn parties() -> Parties {
    let partner_id = PartnerId::parse("pn_1").unwrap();
    let link_id = LinkId::parse("link_1").unwrap();
    let group_id = GroupId::parse("grp_1").unwrap();
    Parties {
        program: Program {
            id: program_id(),
            name: "Acme".into(),
            domain: "go.acme.test".into(),
            currency: Currency::USD,
            settings: serde_json::from_value::<ProgramSettings>(json!({})).unwrap(),
            created_at: NOW,
            updated_at: NOW,
            version: 1,
        },
        customer: Customer {
            id: CustomerId::parse("cus_1").unwrap(),
            program_id: program_id(),
            external_id: Some("user_1".into()),
            name: None,
            email: None,
            avatar: None,
            country: Some("DE".into()),
            click_id: None,
            link_id: Some(link_id.clone()),
            partner_id: Some(partner_id.clone()),
            stripe_customer_id: None,
            subscription_canceled_at: None,
            created_at: NOW,
        },
        activity: CustomerActivity::default(),
        is_new_customer: false,
        claims: None,
        link: Some(Link {
            id: link_id,
            program_id: program_id(),
            domain: "go.acme.test".into(),
            key: "jane".into(),
            url: WebUrl::parse("https://acme.test/").unwrap(),
            partner_id: Some(partner_id.clone()),
            tenant_id: None,
            expires_at: None,
            expired_url: None,
            disabled: false,
            geo: Default::default(),
            ios: None,
            android: None,
            details: LinkDetails::default(),
            stats: LinkStats::default(),
            created_at: NOW,
            updated_at: None,
        }),
        partner: Some(Partner {
            tenant_id: Some("t1".into()),
            ..Partner::approved(partner_id, (&program_id(), &group_id), "Jane".into(), NOW)
        }),
        group: Some(PartnerGroup {
            id: group_id,
            program_id: program_id(),
            slug: "default".into(),
            name: "Default".into(),
            rewards: rewards(),
            discount: None,
            holding_period_days: 30,
            auto_approve: false,
            max_links_per_partner: 5,
            move_rules: Vec::new(),
            created_at: NOW,
            updated_at: NOW,
            version: 1,
        }),
    }
}

fn sale_input(amount: i64) -> SaleInput {
    SaleInput {
        customer: CustomerFields {
            external_id: "user_1".into(),
            ..Default::default()
        },
        amount,
        currency: Currency::USD,
        event_name: "Purchase".into(),
        payment_processor: PaymentProcessor::Stripe,
        invoice_id: Some("in_1".into()),
        lead_event_name: None,
        metadata: None,
        click_id: None,
        code: None,
    }
}

fn lead_input(quantity: i64) -> LeadInput {
    LeadInput {
        click_id: None,
        event_name: "Sign up".into(),
        customer: CustomerFields {
            external_id: "user_1".into(),
            ..Default::default()
        },
        mode: LeadMode::Async,
        quantity,
        metadata: None,
        code: None,
    }
}

/// Decides with a fixed time and fresh sequential ids.
fn decided<R>(
    decide: impl FnOnce(&Stamp) -> Result<Decision<R>, DomainError>,
) -> Result<Decision<R>, DomainError> {
    let ids = SequentialIds::default();
    let program = program_id();
    let stamp = Stamp {
        program: &program,
        now: NOW,
        ids: &ids,
        actor: Actor::System,
    };
    decide(&stamp)
}

fn plan<R: std::fmt::Debug>(decision: Result<Decision<R>, DomainError>) -> Plan<R> {
    match decision {
        Ok(Decision::Write(plan)) => plan,
        other => panic!("expected a plan, got {other:?}"),
    }
}

fn new_commissions<R>(plan: &Plan<R>) -> Vec<&Commission> {
    plan.writes
        .iter()
        .filter_map(|write| match write {
            Write::InsertCommission(commission) => Some(commission.as_ref()),
            _ => None,
        })
        .collect()
}

fn partner_delta<R>(plan: &Plan<R>) -> PartnerTotals {
    plan.writes
        .iter()
        .find_map(|write| match write {
            Write::PartnerTotals(_, delta) => Some(*delta),
            _ => None,
        })
        .unwrap_or_default()
}

fn event_names<R>(plan: &Plan<R>) -> Vec<&str> {
    plan.events
        .iter()
        .map(|event| event.event.as_str())
        .collect()
}

/// Which refusal an error is, by its status.
fn refusal(error: &DomainError) -> &'static str {
    match error {
        DomainError::NotFound(_) => "404",
        DomainError::Conflict(_) => "409",
        DomainError::Unprocessable(_) => "422",
        _ => "other",
    }
}

struct SaleCase {
    rule: &'static str,
    amount: i64,
    given: fn(&mut Parties),
    /// The commission's earnings, or the refusal's status.
    then: Result<Option<i64>, &'static str>,
    /// Whether the sale counts a conversion (the customer's first sale).
    conversion: i64,
}

#[test]
fn sales_earn_what_the_rules_say() {
    let cases = [
        SaleCase {
            rule: "20 % of 4,999 rounds half away from zero",
            amount: 4_999,
            given: |_| {},
            then: Ok(Some(1_000)),
            conversion: 1,
        },
        SaleCase {
            rule: "12.5 % of 1,234 is 154",
            amount: 1_234,
            given: |p| {
                p.group.as_mut().unwrap().rewards[0] =
                    reward(RewardEvent::Sale, RewardType::Percentage, 1_250)
            },
            then: Ok(Some(154)),
            conversion: 1,
        },
        SaleCase {
            rule: "a flat sale reward is its amount",
            amount: 10_000,
            given: |p| {
                p.group.as_mut().unwrap().rewards[0] =
                    reward(RewardEvent::Sale, RewardType::Flat, 500)
            },
            then: Ok(Some(500)),
            conversion: 1,
        },
        SaleCase {
            rule: "a group without a sale reward pays the program's default rate",
            amount: 1_000,
            given: |p| {
                p.group
                    .as_mut()
                    .unwrap()
                    .rewards
                    .retain(|r| r.event != RewardEvent::Sale)
            },
            then: Ok(Some(200)),
            conversion: 1,
        },
        SaleCase {
            rule: "a non-monetary reward makes no commission",
            amount: 1_000,
            given: |p| {
                p.group.as_mut().unwrap().rewards[0] =
                    reward(RewardEvent::Sale, RewardType::Flat, 0)
            },
            then: Ok(None),
            conversion: 1,
        },
        SaleCase {
            rule: "only approved partners earn",
            amount: 1_000,
            given: |p| p.partner.as_mut().unwrap().status = PartnerStatus::Banned,
            then: Ok(None),
            conversion: 1,
        },
        SaleCase {
            rule: "a customer's second sale is no new conversion",
            amount: 1_000,
            given: |p| p.activity.first_sale_at = Some(NOW - time::Duration::days(1)),
            then: Ok(Some(200)),
            conversion: 0,
        },
        SaleCase {
            rule: "a first-sale-only reward pays nothing after the first commission",
            amount: 1_000,
            given: |p| {
                p.group.as_mut().unwrap().rewards[0].max_duration = Some(0);
                p.activity.first_commission_at = Some(NOW - time::Duration::days(1));
            },
            then: Ok(None),
            conversion: 1,
        },
        SaleCase {
            rule: "a 12-month reward still pays in month 11",
            amount: 1_000,
            given: |p| {
                p.group.as_mut().unwrap().rewards[0].max_duration = Some(12);
                p.activity.first_commission_at = Some(NOW - MONTH * 11);
            },
            then: Ok(Some(200)),
            conversion: 1,
        },
        SaleCase {
            rule: "a 12-month reward is over in month 13",
            amount: 1_000,
            given: |p| {
                p.group.as_mut().unwrap().rewards[0].max_duration = Some(12);
                p.activity.first_commission_at = Some(NOW - MONTH * 13);
            },
            then: Ok(None),
            conversion: 1,
        },
        SaleCase {
            rule: "a sale in another currency is refused",
            amount: 1_000,
            given: |p| p.program.currency = Currency::parse("eur").unwrap(),
            then: Err("422"),
            conversion: 0,
        },
        SaleCase {
            rule: "a partner's total past the range is refused",
            amount: 1_000,
            given: |p| p.partner.as_mut().unwrap().totals.total_sale_amount = MAX_TOTAL,
            then: Err("422"),
            conversion: 0,
        },
        SaleCase {
            rule: "a customer's sale amount past the range is refused",
            amount: 1_000,
            given: |p| p.activity.sale_amount = MAX_TOTAL,
            then: Err("422"),
            conversion: 0,
        },
        SaleCase {
            rule: "earnings past the largest amount are refused",
            amount: 1_000,
            given: |p| {
                p.group.as_mut().unwrap().rewards[0] =
                    reward(RewardEvent::Sale, RewardType::Flat, MAX_AMOUNT + 1)
            },
            then: Err("422"),
            conversion: 0,
        },
    ];
    for case in cases {
        let mut parties = parties();
        (case.given)(&mut parties);
        let read = SaleRead {
            parties: Some(parties),
            ..Default::default()
        };
        let decision = decided(|stamp| decide_sale(&sale_input(case.amount), read, stamp));
        let expected = match case.then {
            Err(status) => {
                assert_eq!(
                    decision.as_ref().map_err(refusal).err(),
                    Some(status),
                    "{}",
                    case.rule
                );
                continue;
            }
            Ok(earnings) => earnings,
        };
        let plan = plan(decision);
        let earned: Vec<i64> = new_commissions(&plan).iter().map(|c| c.earnings).collect();
        assert_eq!(
            earned,
            expected.into_iter().collect::<Vec<_>>(),
            "{}",
            case.rule
        );
        let delta = partner_delta(&plan);
        assert_eq!(
            (delta.total_sales, delta.total_sale_amount),
            (1, case.amount),
            "{}",
            case.rule
        );
        assert_eq!(delta.total_conversions, case.conversion, "{}", case.rule);
        assert_eq!(
            delta.total_commissions,
            expected.unwrap_or(0),
            "{}",
            case.rule
        );
        let events: &[&str] = if expected.is_some() {
            &["sale.created", "commission.created"]
        } else {
            &["sale.created"]
        };
        assert_eq!(event_names(&plan), events, "{}", case.rule);
    }
}

#[test]
fn a_sale_claims_its_invoice_and_relies_on_what_it_read() {
    // A first-sale-only reward: the customer's update must find no commission and no sale yet.
    let mut parties = parties();
    parties.group.as_mut().unwrap().rewards[0].max_duration = Some(0);
    let read = SaleRead {
        parties: Some(parties),
        ..Default::default()
    };
    let plan = plan(decided(|stamp| {
        decide_sale(&sale_input(4_999), read, stamp)
    }));
    let sale = plan.writes.iter().find_map(|w| match w {
        Write::InsertSale(sale) => Some(sale.as_ref().clone()),
        _ => None,
    });
    let sale = sale.expect("the sale is written");
    assert_eq!(
        plan.claim,
        Some(Claim::Invoice {
            invoice_id: "in_1".into(),
            sale_id: sale.id.clone()
        })
    );
    assert_eq!(
        sale.commission_id.as_ref(),
        Some(&new_commissions(&plan)[0].id)
    );
    let Write::UpdateActivity(_, change) = &plan.writes[0] else {
        panic!(
            "a known customer's activity is updated first: {:?}",
            plan.writes[0]
        );
    };
    assert!(change.expects_no_sale && change.expects_no_commission);
    assert_eq!(
        (change.sales, change.sale_amount, change.commission_at),
        (1, 4_999, Some(NOW))
    );
    assert!(matches!(plan.then, AfterCommit::MoveRules { .. }));
    let commission = new_commissions(&plan)[0];
    assert_eq!(
        (commission.status, commission.holds_until),
        (CommissionStatus::Pending, NOW + time::Duration::days(30))
    );
}

#[test]
fn repeats_and_unattributed_sales_record_nothing() {
    let replay = SaleRead {
        replay: Some(json!({"first": true})),
        ..Default::default()
    };
    let decision = decided(|stamp| decide_sale(&sale_input(1), replay, stamp)).unwrap();
    assert!(matches!(decision, Decision::Replay(body) if body == json!({"first": true})));

    let invoice = SaleRead {
        invoice: Some(json!({"sale": 1})),
        ..Default::default()
    };
    let decision = decided(|stamp| decide_sale(&sale_input(1), invoice, stamp)).unwrap();
    assert!(
        matches!(decision, Decision::Answer(Recorded::Stored(body)) if body == json!({"sale": 1}))
    );

    // Dub: an unknown customer without a click answers nulls.
    let decision =
        decided(|stamp| decide_sale(&sale_input(1), SaleRead::default(), stamp)).unwrap();
    let Decision::Answer(Recorded::Built(body)) = decision else {
        panic!("expected an answer, got {decision:?}");
    };
    assert!(body.customer.is_none() && body.sale.is_none());

    // A new customer is inserted with the sale's activity.
    let mut parties = parties();
    parties.is_new_customer = true;
    let read = SaleRead {
        parties: Some(parties),
        ..Default::default()
    };
    let plan = plan(decided(|stamp| {
        decide_sale(&sale_input(1_000), read, stamp)
    }));
    assert!(matches!(&plan.writes[0], Write::InsertCustomer(_, change) if change.sales == 1));
}

struct LeadCase {
    rule: &'static str,
    quantity: i64,
    given: fn(&mut Parties),
    then: Result<Option<i64>, &'static str>,
}

#[test]
fn leads_earn_what_the_rules_say() {
    let cases = [
        LeadCase {
            rule: "a flat lead reward",
            quantity: 1,
            given: |_| {},
            then: Ok(Some(300)),
        },
        LeadCase {
            rule: "a flat lead reward times the event's quantity",
            quantity: 3,
            given: |_| {},
            then: Ok(Some(900)),
        },
        LeadCase {
            rule: "the lead reward pays once per customer",
            quantity: 1,
            given: |p| p.activity.lead_rewarded_at = Some(NOW - time::Duration::days(1)),
            then: Ok(None),
        },
        LeadCase {
            rule: "only approved partners earn",
            quantity: 1,
            given: |p| p.partner.as_mut().unwrap().status = PartnerStatus::Deactivated,
            then: Ok(None),
        },
        LeadCase {
            rule: "a group without a lead reward pays nothing for leads",
            quantity: 1,
            given: |p| {
                p.group
                    .as_mut()
                    .unwrap()
                    .rewards
                    .retain(|r| r.event != RewardEvent::Lead)
            },
            then: Ok(None),
        },
        LeadCase {
            rule: "a customer without a partner earns nobody anything",
            quantity: 1,
            given: |p| {
                p.partner = None;
                p.group = None;
            },
            then: Ok(None),
        },
        LeadCase {
            rule: "earnings past the largest amount are refused",
            quantity: 10_000,
            given: |p| {
                p.group.as_mut().unwrap().rewards[1] =
                    reward(RewardEvent::Lead, RewardType::Flat, MAX_AMOUNT)
            },
            then: Err("422"),
        },
        LeadCase {
            rule: "a link's counter past the range is refused",
            quantity: 1,
            given: |p| p.link.as_mut().unwrap().stats.leads = MAX_TOTAL,
            then: Err("422"),
        },
    ];
    for case in cases {
        let mut parties = parties();
        (case.given)(&mut parties);
        let partnered = parties.partner.is_some();
        let read = LeadRead {
            parties: Some(parties),
            ..Default::default()
        };
        let decision = decided(|stamp| decide_lead(&lead_input(case.quantity), read, stamp));
        let expected = match case.then {
            Err(status) => {
                assert_eq!(
                    decision.as_ref().map_err(refusal).err(),
                    Some(status),
                    "{}",
                    case.rule
                );
                continue;
            }
            Ok(earnings) => earnings,
        };
        let plan = plan(decision);
        let earned: Vec<i64> = new_commissions(&plan).iter().map(|c| c.earnings).collect();
        assert_eq!(
            earned,
            expected.into_iter().collect::<Vec<_>>(),
            "{}",
            case.rule
        );
        let delta = partner_delta(&plan);
        let leads = i64::from(partnered);
        assert_eq!(
            (delta.total_leads, delta.total_commissions),
            (leads, expected.unwrap_or(0)),
            "{}",
            case.rule
        );
        assert_eq!(
            plan.claim,
            Some(Claim::LeadDedupe {
                customer: CustomerId::parse("cus_1").unwrap(),
                event_name: "Sign up".into()
            }),
            "{}",
            case.rule
        );
        let commission = new_commissions(&plan)
            .first()
            .map(|c| (c.kind, c.lead_id.is_some()));
        assert_eq!(
            commission,
            expected.map(|_| (CommissionType::Lead, true)),
            "{}",
            case.rule
        );
        let rewarded = plan
            .writes
            .iter()
            .any(|w| matches!(w, Write::UpdateActivity(_, c) if c.lead_rewarded_at == Some(NOW)));
        assert_eq!(rewarded, expected.is_some(), "{}", case.rule);
    }
}

#[test]
fn deferred_and_unattributed_leads() {
    // Deferred, new customer: the customer alone, no lead, no event.
    let mut parties = parties();
    parties.is_new_customer = true;
    let mut input = lead_input(1);
    input.mode = LeadMode::Deferred;
    let read = LeadRead {
        parties: Some(parties),
        ..Default::default()
    };
    let plan = plan(decided(|stamp| decide_lead(&input, read, stamp)));
    assert!(matches!(
        plan.writes.as_slice(),
        [Write::InsertCustomer(..)]
    ));
    assert!(plan.events.is_empty() && plan.claim.is_none());
    // Deferred, known customer: nothing to record.
    let read = LeadRead {
        parties: Some(self::parties()),
        ..Default::default()
    };
    let decision = decided(|stamp| decide_lead(&input, read, stamp)).unwrap();
    assert!(matches!(decision, Decision::Answer(Recorded::Built(_))));
    // Nobody to attribute a new customer to: 404.
    let decision = decided(|stamp| decide_lead(&lead_input(1), LeadRead::default(), stamp));
    assert_eq!(decision.map_err(|e| refusal(&e)).err(), Some("404"));
}

fn sold(amount: i64, refunded: i64) -> Sale {
    Sale {
        id: SaleId::parse("sale_1").unwrap(),
        program_id: program_id(),
        event_name: "Purchase".into(),
        customer_id: CustomerId::parse("cus_1").unwrap(),
        click_id: None,
        link_id: Some(LinkId::parse("link_1").unwrap()),
        partner_id: Some(PartnerId::parse("pn_1").unwrap()),
        amount,
        currency: Currency::USD,
        payment_processor: PaymentProcessor::Stripe,
        invoice_id: Some("in_1".into()),
        lead_event_name: None,
        metadata: None,
        commission_id: Some(CommissionId::parse("cm_1").unwrap()),
        refunded_amount: refunded,
        timestamp: NOW,
        version: 3,
    }
}

fn commission(status: CommissionStatus, amount: i64, earnings: i64) -> Commission {
    Commission {
        id: CommissionId::parse("cm_1").unwrap(),
        program_id: program_id(),
        partner_id: PartnerId::parse("pn_1").unwrap(),
        group_id: GroupId::parse("grp_1").unwrap(),
        customer_id: Some(CustomerId::parse("cus_1").unwrap()),
        kind: CommissionType::Sale,
        amount,
        earnings,
        currency: Currency::USD,
        quantity: 1,
        status,
        reward_id: None,
        invoice_id: Some("in_1".into()),
        description: None,
        lead_id: None,
        sale_id: Some(SaleId::parse("sale_1").unwrap()),
        link_id: None,
        clawback_of: None,
        note: None,
        payout_id: None,
        holds_until: NOW,
        paid_at: (status == CommissionStatus::Paid).then_some(NOW),
        created_at: NOW,
        updated_at: NOW,
        version: 2,
    }
}

/// The commission's earnings and status after the refund, the clawback's earnings, and the
/// change of the partner's total commissions.
type RefundOutcome = (Option<(i64, CommissionStatus)>, Option<i64>, i64);

struct RefundCase {
    rule: &'static str,
    sale: Option<Sale>,
    commission: Option<Commission>,
    amount: Option<i64>,
    then: Result<RefundOutcome, &'static str>,
}

#[test]
fn refunds_take_back_what_the_rules_say() {
    use CommissionStatus::*;
    let cases = [
        RefundCase {
            rule: "a full refund marks a pending commission refunded",
            sale: Some(sold(4_999, 0)),
            commission: Some(commission(Pending, 4_999, 1_000)),
            amount: None,
            then: Ok((Some((1_000, Refunded)), None, -1_000)),
        },
        RefundCase {
            rule: "a full refund of a processed commission has no maturing marker to remove",
            sale: Some(sold(4_999, 999)),
            commission: Some(commission(Processed, 4_000, 800)),
            amount: None,
            then: Ok((Some((800, Refunded)), None, -800)),
        },
        RefundCase {
            rule: "a partial refund takes the refunded share of an unpaid commission",
            sale: Some(sold(4_999, 0)),
            commission: Some(commission(Processed, 4_999, 1_000)),
            amount: Some(1_000),
            then: Ok((Some((800, Processed)), None, -200)),
        },
        RefundCase {
            rule: "a held commission is reduced but never counted",
            sale: Some(sold(1_000, 0)),
            commission: Some(commission(Hold, 1_000, 200)),
            amount: Some(500),
            then: Ok((Some((100, Hold)), None, 0)),
        },
        RefundCase {
            rule: "a paid commission is clawed back by its share",
            sale: Some(sold(10_000, 0)),
            commission: Some(commission(Paid, 10_000, 2_000)),
            amount: Some(5_000),
            then: Ok((None, Some(-1_000), -1_000)),
        },
        RefundCase {
            rule: "a canceled commission is left alone",
            sale: Some(sold(1_000, 0)),
            commission: Some(commission(Canceled, 1_000, 200)),
            amount: None,
            then: Ok((None, None, 0)),
        },
        RefundCase {
            rule: "a sale without a commission only loses its amount",
            sale: Some(Sale {
                commission_id: None,
                ..sold(1_000, 0)
            }),
            commission: None,
            amount: Some(1),
            then: Ok((None, None, 0)),
        },
        RefundCase {
            rule: "an unknown invoice is 404",
            sale: None,
            commission: None,
            amount: None,
            then: Err("404"),
        },
        RefundCase {
            rule: "a fully refunded sale is 409",
            sale: Some(sold(1_000, 1_000)),
            commission: None,
            amount: None,
            then: Err("409"),
        },
        RefundCase {
            rule: "more than the unrefunded amount is 422",
            sale: Some(sold(1_000, 600)),
            commission: None,
            amount: Some(401),
            then: Err("422"),
        },
        RefundCase {
            rule: "a sale recorded out of range cannot be refunded",
            sale: Some(sold(MAX_AMOUNT + 1, 0)),
            commission: None,
            amount: None,
            then: Err("422"),
        },
    ];
    for case in cases {
        let input = RefundInput {
            invoice_id: "in_1".into(),
            amount: case.amount,
            reason: None,
        };
        let sale_amount = case.sale.as_ref().map(|s| s.amount - s.refunded_amount);
        let read = RefundRead {
            replay: None,
            sale: case.sale,
            commission: case.commission,
        };
        let decision = decided(|stamp| decide_refund(&input, read, stamp));
        let (changed, clawback, delta) = match case.then {
            Err(status) => {
                assert_eq!(
                    decision.as_ref().map_err(refusal).err(),
                    Some(status),
                    "{}",
                    case.rule
                );
                continue;
            }
            Ok(then) => then,
        };
        let plan = plan(decision);
        let replaced = plan.writes.iter().find_map(|w| match w {
            Write::ReplaceCommission(c, read) => Some((c.earnings, c.status, *read)),
            _ => None,
        });
        assert_eq!(replaced.map(|(e, s, _)| (e, s)), changed, "{}", case.rule);
        assert!(
            replaced.is_none_or(|(_, _, read)| read == 2),
            "{}",
            case.rule
        );
        let clawbacks: Vec<i64> = new_commissions(&plan).iter().map(|c| c.earnings).collect();
        assert_eq!(
            clawbacks,
            clawback.into_iter().collect::<Vec<_>>(),
            "{}",
            case.rule
        );
        let refunded = case.amount.or(sale_amount).unwrap();
        assert_eq!(
            partner_delta(&plan),
            PartnerTotals {
                total_sale_amount: -refunded,
                total_commissions: delta,
                ..Default::default()
            },
            "{}",
            case.rule
        );
        let marker_removed = plan
            .writes
            .iter()
            .any(|w| matches!(w, Write::RemoveMaturingMarker(_)));
        assert_eq!(
            marker_removed,
            case.rule.contains("pending"),
            "{}",
            case.rule
        );
        let events: &[&str] = if clawback.is_some() {
            &["sale.refunded", "commission.created"]
        } else {
            &["sale.refunded"]
        };
        assert_eq!(event_names(&plan), events, "{}", case.rule);
        assert!(
            matches!(plan.then, AfterCommit::MoveRulesOfStored { .. }),
            "{}",
            case.rule
        );
    }
}
