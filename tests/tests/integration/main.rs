//! All integration tests in one binary: each links the AWS SDK, so one binary instead of ten
//! saves minutes of linking and gigabytes of disk.

mod analytics;
mod bans;
mod clicks;
mod conformance_moto;
mod conversions;
mod deals;
mod dynamodb_engine;
mod embed;
mod input_limits;
mod lambda_runtime;
mod links;
mod money_bounds;
mod outbox;
mod partner_applications;
mod partner_portal;
mod partner_snapshot;
mod partners_api;
mod payouts;
mod program_admin;
mod program_setup;
mod redirect;
mod sqs_engine;
mod stripe;
mod tags_folders;
mod tracking;
mod webhook_admin;
mod webhooks;
