//! Programs, their settings and API keys: the use cases behind the program-admin API.

mod access;
mod api_keys;
mod domain_name;
mod repo;
pub mod settings;
mod update;

pub use crate::auth::ApiKeyView;
pub use access::{authorized_program, caller_program, caller_program_id, get_program};
pub use api_keys::{CreateApiKey, create_api_key, list_api_keys, revoke_api_key};
pub use domain_name::DomainName;
pub use repo::{find_program, insert as insert_program};
pub use update::{SettingsPatch, UpdateProgram, update_program};
