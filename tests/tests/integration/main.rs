//! All integration tests in one binary: each links the AWS SDK, so one binary instead of ten
//! saves minutes of linking and gigabytes of disk.

mod conformance_moto;
mod dynamodb_engine;
mod lambda_runtime;
mod outbox;
mod partner_applications;
mod partners_api;
mod program_admin;
mod program_setup;
mod sqs_engine;
mod webhook_admin;
mod webhooks;
