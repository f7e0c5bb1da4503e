//! Program setup: partner groups with their rewards, discount and move rules.

mod commit;
mod crud;
mod discount;
mod fields;
mod move_rules;
mod repo;
mod rewards;

pub use crud::{
    CreateGroup, MAX_GROUPS, UpdateGroup, create_group, default_group, delete_group, get_group,
    group_data, list_groups, update_group,
};
pub use discount::{SetDiscount, delete_discount, set_discount};
pub use move_rules::{MoveRuleInput, SetMoveRules, set_move_rules};
pub use repo::{
    all as all_groups, find as find_group, find_by_slug as find_group_by_slug,
    find_cached as find_cached_group, insert as insert_group, unchanged as group_unchanged,
};
pub use rewards::{CreateReward, UpdateReward, create_reward, delete_reward, update_reward};
