//! The demo program's groups, made through the setup use cases as Dub's seed describes: a cash
//! sale reward in `default`, and a `referral` group with a non-monetary lead reward whose
//! partners graduate to `default` after 10 leads.

use shared::auth::Principal;
use shared::context::AppContext;
use shared::enrollment::PartnerSeed;
use shared::groups::{self, CreateGroup, CreateReward, MoveRuleInput, SetMoveRules};
use shared::model::{
    DEFAULT_GROUP_SLUG, MoveRuleBound, MoveRuleCondition, MoveRuleMetric, RewardEvent, RewardType,
};
use shared::types::Percentage;

fn reward(event: RewardEvent, kind: RewardType) -> CreateReward {
    CreateReward {
        event,
        kind,
        amount_in_cents: None,
        amount_in_percentage: None,
        max_duration: None,
        description: None,
        tooltip: None,
        modifiers: Vec::new(),
    }
}

pub async fn configure(ctx: &AppContext, admin: &Principal, program: &str) -> Result<(), String> {
    let failed = |what: &str| {
        let what = what.to_owned();
        move |e: shared::error::DomainError| format!("cannot set up the demo {what}: {e}")
    };
    let (all, _) = groups::list_groups(ctx, admin, program, None, 10)
        .await
        .map_err(failed("groups"))?;
    let default = all
        .into_iter()
        .find(|group| group.slug == DEFAULT_GROUP_SLUG)
        .ok_or("the demo program has no default group")?;
    let sale = CreateReward {
        amount_in_percentage: Some(Percentage::from_number(20.0).map_err(|e| e.to_string())?),
        ..reward(RewardEvent::Sale, RewardType::Percentage)
    };
    groups::create_reward(ctx, admin, program, default.id.as_str(), sale)
        .await
        .map_err(failed("sale reward"))?;

    let referral = groups::create_group(
        ctx,
        admin,
        program,
        CreateGroup {
            name: "Referral".into(),
            slug: Some("referral".into()),
            holding_period_days: None,
            auto_approve: Some(true),
            max_links_per_partner: None,
        },
    )
    .await
    .map_err(failed("referral group"))?;
    let credits = CreateReward {
        amount_in_cents: Some(0),
        description: Some("500 free credits for every signup you refer".into()),
        ..reward(RewardEvent::Lead, RewardType::Flat)
    };
    groups::create_reward(ctx, admin, program, referral.id.as_str(), credits)
        .await
        .map_err(failed("lead reward"))?;
    let graduate = MoveRuleInput {
        conditions: vec![MoveRuleCondition {
            metric: MoveRuleMetric::TotalLeads,
            bound: MoveRuleBound::Gte(10),
        }],
        target_group_id: default.id,
    };
    groups::set_move_rules(
        ctx,
        admin,
        program,
        referral.id.as_str(),
        SetMoveRules {
            rules: vec![graduate],
        },
    )
    .await
    .map_err(failed("move rule"))?;
    Ok(())
}

/// The demo partner, approved in the `default` group, with its referral link
/// `https://{demo domain}/demo`.
pub async fn demo_partner(
    ctx: &AppContext,
    program: &shared::model::Program,
) -> Result<(shared::types::PartnerId, shared::types::LinkId), String> {
    let code = shared::types::ReferralCode::parse("DEMO").map_err(|e| e.to_string())?;
    let (partner, link) = PartnerSeed::with_code(code)
        .named("Demo Partner")
        .tenant("demo-tenant")
        .country("US")
        .write(ctx, program)
        .await
        .map_err(|e| format!("cannot create the demo partner: {e}"))?;
    Ok((partner.id, link.id))
}
