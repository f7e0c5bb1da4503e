//! A group's discount: what customers referred by its partners get.

use super::commit::save;
use super::crud::authorized_group;
use crate::auth::{Principal, Scope};
use crate::context::AppContext;
use crate::error::DomainError;
use crate::model::EventName;
use crate::model::{Discount, RewardType};
use crate::types::DiscountId;
use crate::wire::event_data;
use crate::wire::groups::{
    DiscountChangedEventSchema, DiscountSchema, GroupPartRemovedEventSchema,
};

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetDiscount {
    /// Minor units for a flat discount, whole percent for a percentage one.
    pub amount: i64,
    #[serde(rename = "type")]
    pub kind: RewardType,
    #[serde(default)]
    pub max_duration: Option<u32>,
    #[serde(default)]
    pub coupon_id: Option<String>,
}

fn check(request: &SetDiscount) -> Result<(), DomainError> {
    let unprocessable = |message: &str| Err(DomainError::Unprocessable(message.into()));
    if request.amount <= 0 {
        return unprocessable("`amount` must be positive.");
    }
    if request.kind == RewardType::Percentage && request.amount > 100 {
        return unprocessable("A percentage `amount` cannot be over 100.");
    }
    if request.amount > crate::types::MAX_AMOUNT {
        return Err(DomainError::Unprocessable(format!(
            "`amount` can be at most {}.",
            crate::types::MAX_AMOUNT
        )));
    }
    if request
        .coupon_id
        .as_deref()
        .is_some_and(|coupon| coupon.trim().is_empty() || coupon.len() > 190)
    {
        return unprocessable("`couponId` must have 1 to 190 characters.");
    }
    Ok(())
}

/// Sets (or replaces) the discount. Like a reward, a changed discount gets a fresh id.
pub async fn set_discount(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    group_id: &str,
    request: SetDiscount,
) -> Result<Discount, DomainError> {
    let (_, read) =
        authorized_group(ctx, principal, program_id, group_id, Scope::ProgramsWrite).await?;
    check(&request)?;
    let discount = Discount {
        id: DiscountId::generate(ctx.ids.as_ref()),
        amount: request.amount,
        kind: request.kind,
        max_duration: request.max_duration,
        coupon_id: request.coupon_id.map(|coupon| coupon.trim().to_owned()),
    };
    let mut group = read.clone();
    group.discount = Some(discount.clone());
    let data = event_data(&DiscountChangedEventSchema {
        group_id: group.id.to_string(),
        discount: DiscountSchema::of(&discount),
    });
    save(
        ctx,
        principal,
        &read,
        group,
        EventName::DiscountUpdated,
        data,
    )
    .await?;
    Ok(discount)
}

pub async fn delete_discount(
    ctx: &AppContext,
    principal: &Principal,
    program_id: &str,
    group_id: &str,
) -> Result<(), DomainError> {
    let (_, read) =
        authorized_group(ctx, principal, program_id, group_id, Scope::ProgramsWrite).await?;
    let Some(old) = &read.discount else {
        return Err(DomainError::not_found("Discount"));
    };
    let mut group = read.clone();
    group.discount = None;
    let data = event_data(&GroupPartRemovedEventSchema {
        group_id: group.id.to_string(),
        id: old.id.to_string(),
    });
    save(
        ctx,
        principal,
        &read,
        group,
        EventName::DiscountDeleted,
        data,
    )
    .await
}
