//! Where each record lives in the single table: every key and index value, in one place.
//! `infra/TABLE_DESIGN.md` lists the same layout with its access patterns.

use crate::store::Key;
use crate::types::{
    ApiKeyId, ApplicationId, CommissionId, CustomerId, DiscountCodeId, Email, EventId, GroupId,
    LeadId, LinkId, PartnerId, PayoutId, ProgramId, SaleId, WebhookDeliveryId, WebhookId,
};

/// How many partitions the outbox index spreads over, so that no single index partition takes
/// every event write (DynamoDB serves about 1,000 writes/s per partition).
pub const OUTBOX_SHARDS: u32 = 4;

pub fn program(program: &ProgramId) -> Key {
    Key::new(program_pk(program), "PROGRAM")
}

/// A partner group, with its rewards, discount and move rules in one item: every change to a
/// group is one conditional write on its version.
pub fn group(program: &ProgramId, group: &GroupId) -> Key {
    Key::new(program_pk(program), format!("{GROUP_SK_PREFIX}{group}"))
}

/// Sort-key prefix of a program's groups (`GROUPSLUG#` does not share it).
pub const GROUP_SK_PREFIX: &str = "GROUP#";

/// Claims a group slug inside a program, so that slugs are unique per program.
pub fn group_slug_claim(program: &ProgramId, slug: &str) -> Key {
    Key::new(program_pk(program), format!("GROUPSLUG#{slug}"))
}

/// The partition of a program's own records (the program, its groups and slug claims).
pub fn program_pk(program: &ProgramId) -> String {
    format!("PROG#{program}")
}

/// gsi1 partition listing every program.
pub const PROGRAMS_INDEX_PK: &str = "PROGRAMS";

/// Claims a short-link domain for one program.
pub fn domain_claim(domain: &str) -> Key {
    Key::new(format!("DOMAIN#{domain}"), "DOMAIN")
}

/// API keys are stored under the hash of the secret, so authentication is one strong read.
pub fn api_key(hashed_key: &str) -> Key {
    Key::new(format!("APIKEY#{hashed_key}"), "APIKEY")
}

/// A partner session, stored under the hash of its token (like API keys): checking a token is
/// one strong read. Expires through the TTL.
pub fn partner_session(hashed_token: &str) -> Key {
    Key::new(format!("PSESSION#{hashed_token}"), "PSESSION")
}

/// A public token of the embedded referral dashboard, under its hash like a partner session.
/// Expires through the TTL.
pub fn embed_token(hashed_token: &str) -> Key {
    Key::new(format!("EMBEDTOKEN#{hashed_token}"), "EMBEDTOKEN")
}

/// gsi1 partition listing a program's API keys (sort key: the key id).
pub fn api_keys_index_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#APIKEYS")
}

pub fn api_keys_index_sk(key: &ApiKeyId) -> String {
    key.to_string()
}

/// A domain event: the program's audit trail, ordered by time (event ids are time-ordered).
pub fn event(program: &ProgramId, event: &EventId) -> Key {
    Key::new(events_pk(program), event.to_string())
}

pub fn events_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#EVENTS")
}

/// gsi1 partition of the outbox shard an event belongs to while it waits for the relay.
pub fn outbox_index_pk(event: &EventId) -> String {
    let shard = event.as_str().bytes().fold(0u32, |hash, byte| {
        hash.wrapping_mul(31).wrapping_add(byte as u32)
    }) % OUTBOX_SHARDS;
    outbox_shard_pk(shard)
}

pub fn outbox_shard_pk(shard: u32) -> String {
    format!("OUTBOX#{shard}")
}

/// A partner application, in a partition of its own.
pub fn application(application: &ApplicationId) -> Key {
    Key::new(format!("APPLICATION#{application}"), "APPLICATION")
}

/// gsi1 partition listing a program's applications (sort key: [`applications_index_sk`]).
pub fn applications_index_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#APPLICATIONS")
}

/// Orders applications by submission time: ids made in the same millisecond are not ordered.
pub fn applications_index_sk(created_at: time::OffsetDateTime, id: &ApplicationId) -> String {
    format!("{:020}#{id}", created_at.unix_timestamp_nanos().max(0))
}

/// gsi2 partition listing a program's applications of one status (same sort key as gsi1).
pub fn applications_by_status_pk(program: &ProgramId, status: &str) -> String {
    format!("PROG#{program}#APPLICATIONS#{status}")
}

/// The latest application of an email in a program: makes "one live application per email"
/// a condition of the apply transaction.
pub fn application_email_claim(program: &ProgramId, email: &Email) -> Key {
    Key::new(format!("PROG#{program}#APPEMAIL#{email}"), "CLAIM")
}

/// A partner enrollment, in a partition of its own.
pub fn partner(partner: &PartnerId) -> Key {
    Key::new(partner_pk(partner), "PARTNER")
}

/// gsi1 partition listing a program's partners (sort key: the partner id).
pub fn partners_index_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#PARTNERS")
}

/// gsi2 partition listing a group's partners (sort key: the partner id).
pub fn group_partners_index_pk(program: &ProgramId, group: &GroupId) -> String {
    format!("PROG#{program}#GROUP#{group}#PARTNERS")
}

/// How many partitions a program's partner change feed spreads over, so that the index writes
/// of busy partners do not all land on one partition.
pub const PARTNER_FEED_SHARDS: u32 = 4;

/// gsi3 partition of the partner change feed that `partner` belongs to (sort key: the time of
/// its last change, see `partners::feed`).
pub fn partner_feed_index_pk(program: &ProgramId, partner: &PartnerId) -> String {
    let shard = partner.as_str().bytes().fold(0u32, |hash, byte| {
        hash.wrapping_mul(31).wrapping_add(byte as u32)
    }) % PARTNER_FEED_SHARDS;
    partner_feed_shard_pk(program, shard)
}

pub fn partner_feed_shard_pk(program: &ProgramId, shard: u32) -> String {
    format!("PROG#{program}#PARTNERFEED#{shard}")
}

/// The head of a program's persisted partner-list projection: which version is current.
pub fn listing_snapshot_head(program: &ProgramId) -> Key {
    Key::new(format!("PROG#{program}#LISTSNAP"), "HEAD")
}

/// One chunk of version `version` of a program's persisted partner-list projection.
pub fn listing_snapshot_chunk(program: &ProgramId, version: i64, index: usize) -> Key {
    Key::new(
        format!("PROG#{program}#LISTSNAP#{version}"),
        format!("{index:05}"),
    )
}

/// Unique per program: the partner enrolled with this email.
pub fn partner_email_claim(program: &ProgramId, email: &Email) -> Key {
    Key::new(format!("PROG#{program}#PARTNEREMAIL#{email}"), "CLAIM")
}

/// Unique per program, case-insensitive: `code` is the normalised referral code.
pub fn referral_code_claim(program: &ProgramId, normalized_code: &str) -> Key {
    Key::new(format!("PROG#{program}#REFCODE#{normalized_code}"), "CLAIM")
}

/// Unique per program: the partner whose customer account this is.
pub fn partner_customer_claim(program: &ProgramId, customer: &CustomerId) -> Key {
    Key::new(
        format!("PROG#{program}#PARTNERCUSTOMER#{customer}"),
        "CLAIM",
    )
}

/// Unique per program: the partner with this id in the business's own database.
pub fn partner_tenant_claim(program: &ProgramId, tenant_id: &str) -> Key {
    Key::new(format!("PROG#{program}#PARTNERTENANT#{tenant_id}"), "CLAIM")
}

/// A customer account, in a partition of its own.
pub fn customer(customer: &CustomerId) -> Key {
    Key::new(format!("CUSTOMER#{customer}"), "CUSTOMER")
}

/// Unique per program: the customer account with this email.
pub fn customer_email_claim(program: &ProgramId, email: &Email) -> Key {
    Key::new(format!("PROG#{program}#CUSTOMEREMAIL#{email}"), "CLAIM")
}

/// A short link, in a partition of its own.
pub fn link(link: &LinkId) -> Key {
    Key::new(format!("LINK#{link}"), "LINK")
}

/// Unique across programs: the link served at `https://{domain}/{key}` (key lower-cased).
pub fn link_key_claim(domain: &str, key: &str) -> Key {
    Key::new(format!("LINKKEY#{domain}/{key}"), "CLAIM")
}

/// The partition of a domain's link change notes (`links::repo::change_notes`): what the
/// redirect instances read every few seconds to drop the links they cached that changed.
pub fn link_changes_pk(domain: &str) -> String {
    format!("LINKCHANGES#{domain}")
}

/// gsi2 partition listing a program's links (sort key: [`time_sk`] of the creation).
pub fn program_links_index_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#LINKS")
}

/// Unique per program: the link with this external id (Dub's `externalId`).
pub fn link_external_id_claim(program: &ProgramId, external_id: &str) -> Key {
    Key::new(format!("PROG#{program}#LINKEXT#{external_id}"), "CLAIM")
}

/// Sort-key prefix of a program's link labels (tags and folders): one query of the program's
/// partition with this prefix reads them all, which every link response needs.
pub const LABEL_SK_PREFIX: &str = "LABEL#";

/// A link label of a program (`kind` is `TAG` or `FOLDER`).
pub fn link_label(program: &ProgramId, kind: &str, id: &str) -> Key {
    Key::new(program_pk(program), format!("{LABEL_SK_PREFIX}{kind}#{id}"))
}

/// Unique per program and kind: the label with this name (lower-cased). `LABELNAME#` does not
/// share the labels' prefix.
pub fn link_label_name_claim(program: &ProgramId, kind: &str, lowercase_name: &str) -> Key {
    Key::new(
        program_pk(program),
        format!("LABELNAME#{kind}#{lowercase_name}"),
    )
}

/// How many labels of each kind a program has (`TAG`, `FOLDER` counters), for the limits.
pub fn link_label_counts(program: &ProgramId) -> Key {
    Key::new(program_pk(program), "LABELCOUNTS")
}

/// A partner's discount code, in its program's partition (listed oldest first).
pub fn discount_code(program: &ProgramId, id: &DiscountCodeId) -> Key {
    Key::new(
        program_pk(program),
        format!("{DISCOUNT_CODE_SK_PREFIX}{id}"),
    )
}

pub const DISCOUNT_CODE_SK_PREFIX: &str = "DISCOUNTCODE#";

/// Unique per program: the discount code (upper-cased, as codes are typed case-insensitively),
/// naming the code's record, partner and link, so that a sale can be attributed by its code
/// with one read.
pub fn discount_code_claim(program: &ProgramId, uppercase_code: &str) -> Key {
    Key::new(
        format!("PROG#{program}#DISCOUNTCODE#{uppercase_code}"),
        "CLAIM",
    )
}

/// One discount code per link (Dub's rule): beside the link, naming its code.
pub fn link_discount_code_claim(link: &LinkId) -> Key {
    Key::new(format!("LINK#{link}"), "DISCOUNTCODE")
}

/// The partition of a program's entries of the links to one destination (by the SHA-256 of the
/// URL, which may be longer than a key allows): Dub's upsert finds a link by its `url`.
pub fn link_destination_pk(program: &ProgramId, url: &str) -> String {
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(url.as_bytes()));
    format!("PROG#{program}#LINKURL#{hash}")
}

/// A bulk link create of a program, by the SHA-256 of its items: which items it wrote, so that
/// the same request sent again writes only the rest.
pub fn link_bulk_record(program: &ProgramId, request_hash: &str) -> Key {
    Key::new(format!("PROG#{program}#LINKBULK#{request_hash}"), "CLAIM")
}

/// gsi1 partition listing a partner's links (sort key: the link id).
pub fn partner_links_index_pk(program: &ProgramId, partner: &PartnerId) -> String {
    format!("PROG#{program}#PARTNER#{partner}#LINKS")
}

/// A fixed-window request counter; expires through the table's TTL.
pub fn rate_counter(limit: &str, subject: &str, window_start: i64) -> Key {
    Key::new(format!("RATE#{limit}#{subject}"), window_start.to_string())
}

/// A program's webhook endpoint, in the program's partition so that fan-out lists a program's
/// endpoints with one query.
pub fn webhook_endpoint(program: &ProgramId, endpoint: &WebhookId) -> Key {
    Key::new(
        program_pk(program),
        format!("{WEBHOOK_SK_PREFIX}{endpoint}"),
    )
}

pub const WEBHOOK_SK_PREFIX: &str = "WEBHOOK#";

/// One event's delivery to one endpoint: its own partition, so that every attempt is one
/// conditional write on one small item.
pub fn webhook_delivery(delivery: &WebhookDeliveryId) -> Key {
    Key::new(format!("WHDELIVERY#{delivery}"), "DELIVERY")
}

/// gsi1 partition listing an endpoint's deliveries (sort key: the event id, time-ordered).
pub fn webhook_deliveries_index_pk(endpoint: &WebhookId) -> String {
    format!("WEBHOOK#{endpoint}#DELIVERIES")
}

/// gsi1 partition listing a program's tracked customers (sort key: [`time_sk`]).
pub fn customers_index_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#CUSTOMERS")
}

/// A sort key that orders by time, then id (ids made in one millisecond are not ordered).
pub fn time_sk(at: time::OffsetDateTime, id: &str) -> String {
    format!("{:020}#{id}", at.unix_timestamp_nanos().max(0))
}

/// A lead event, in a partition of its own.
pub fn lead(lead: &LeadId) -> Key {
    Key::new(format!("LEAD#{lead}"), "LEAD")
}

/// A sale event, in a partition of its own.
pub fn sale(sale: &SaleId) -> Key {
    Key::new(format!("SALE#{sale}"), "SALE")
}

/// gsi1 partition listing the leads and sales of a link (sort key: [`time_sk`]).
pub fn link_conversions_index_pk(program: &ProgramId, link: &LinkId) -> String {
    format!("PROG#{program}#LINK#{link}#CONVERSIONS")
}

/// gsi2 partition listing the leads and sales of a partner (sort key: [`time_sk`]).
pub fn partner_conversions_index_pk(program: &ProgramId, partner: &PartnerId) -> String {
    format!("PROG#{program}#PARTNER#{partner}#CONVERSIONS")
}

/// A lead or a sale, for the program's listing of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversionKind {
    Lead,
    Sale,
}

/// gsi3 partition listing a program's leads or its sales (sort key: [`time_sk`]).
pub fn program_conversions_index_pk(program: &ProgramId, kind: ConversionKind) -> String {
    match kind {
        ConversionKind::Lead => format!("PROG#{program}#LEADS"),
        ConversionKind::Sale => format!("PROG#{program}#SALES"),
    }
}

/// Unique per program, forever: the sale recorded for an invoice id, with its first response.
pub fn invoice_claim(program: &ProgramId, invoice_id: &str) -> Key {
    Key::new(format!("PROG#{program}#INVOICE#{invoice_id}"), "CLAIM")
}

/// A customer's lead of one event name (SHA-256 of the name, hex) within the dedupe window.
pub fn lead_dedupe_claim(program: &ProgramId, customer: &CustomerId, event_hash: &str) -> Key {
    Key::new(
        format!("PROG#{program}#LEADDEDUPE#{customer}#{event_hash}"),
        "CLAIM",
    )
}

/// The stored response of an `Idempotency-Key` (SHA-256 of the key, hex) in a program.
pub fn idempotency_record(program: &ProgramId, key_hash: &str) -> Key {
    Key::new(format!("PROG#{program}#IDEMPOTENCY#{key_hash}"), "CLAIM")
}

/// A commission, in a partition of its own.
pub fn commission(commission: &CommissionId) -> Key {
    Key::new(format!("COMMISSION#{commission}"), "COMMISSION")
}

/// gsi1 partition listing a program's commissions (sort key: [`time_sk`]).
pub fn commissions_index_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#COMMISSIONS")
}

/// gsi3 partition of a program's payable commissions (processed, in no payout), sorted by
/// partner then time (sort key: [`payable_sk`]): what a payout run reads.
pub fn payable_index_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#PAYABLE")
}

pub fn payable_sk(partner: &PartnerId, at: time::OffsetDateTime, id: &str) -> String {
    format!("{partner}#{}", time_sk(at, id))
}

/// gsi3 partition of a payout's commissions (sort key: [`time_sk`]).
pub fn payout_commissions_index_pk(payout: &PayoutId) -> String {
    format!("PAYOUT#{payout}#COMMISSIONS")
}

pub fn payout(payout: &PayoutId) -> Key {
    Key::new(format!("PAYOUT#{payout}"), "PAYOUT")
}

/// gsi1 partition listing a program's sealed payouts (sort key: [`time_sk`]).
pub fn payouts_index_pk(program: &ProgramId) -> String {
    format!("PROG#{program}#PAYOUTS")
}

/// gsi2 partition listing one partner's sealed payouts (sort key: [`time_sk`]).
pub fn partner_payouts_index_pk(program: &ProgramId, partner: &PartnerId) -> String {
    format!("PROG#{program}#PARTNER#{partner}#PAYOUTS")
}

/// The partner's build slot: names the payout a run is building for the partner, so that one
/// partner has one payout in the making and a crashed run's payout is resumed.
pub fn payout_build_slot(program: &ProgramId, partner: &PartnerId) -> Key {
    Key::new(
        format!("PROG#{program}#PARTNER#{partner}#PAYOUTBUILD"),
        "SLOT",
    )
}

/// The date of the program's last scheduled payout run (`lastRunOn`).
pub fn payout_schedule_state(program: &ProgramId) -> Key {
    Key::new(format!("PROG#{program}#PAYOUTSCHEDULE"), "LASTRUN")
}

/// The partition of the markers of payouts whose commissions do not follow their status yet.
pub fn unsettled_payouts_pk() -> String {
    "PAYOUTS#UNSETTLED".into()
}

pub fn unsettled_payout(payout: &PayoutId) -> Key {
    Key::new(unsettled_payouts_pk(), payout.to_string())
}

/// gsi2 partition listing one partner's commissions (sort key: [`time_sk`]).
pub fn partner_commissions_index_pk(program: &ProgramId, partner: &PartnerId) -> String {
    format!("PROG#{program}#PARTNER#{partner}#COMMISSIONS")
}

/// How many partitions the maturing markers spread over (as the outbox does).
pub const MATURING_SHARDS: u32 = 4;

/// A pending commission waiting for its holding period: the scheduled maturation queries
/// these partitions up to now, so it never scans.
pub fn maturing_marker(commission: &CommissionId, holds_until: time::OffsetDateTime) -> Key {
    let shard = commission.as_str().bytes().fold(0u32, |hash, byte| {
        hash.wrapping_mul(31).wrapping_add(byte as u32)
    }) % MATURING_SHARDS;
    Key::new(
        maturing_shard_pk(shard),
        time_sk(holds_until, commission.as_str()),
    )
}

pub fn maturing_shard_pk(shard: u32) -> String {
    format!("MATURING#{shard}")
}

/// The partition of the open commission cancellations (one per banned partner; bans are rare).
pub const COMMISSION_CANCELS_PK: &str = "COMMISSIONCANCELS";

/// A banned partner's pending commissions still to cancel: written in the ban's transaction, so
/// the cancellation survives any crash; the scheduled maturation finishes it at or after `due`
/// and then deletes it.
pub fn commission_cancel_job(
    program: &ProgramId,
    partner: &PartnerId,
    due: time::OffsetDateTime,
) -> Key {
    Key::new(
        COMMISSION_CANCELS_PK,
        time_sk(due, &format!("{program}#{partner}")),
    )
}

/// A deal a partner registered for a lead's email (StackBE): leads with that email and no
/// click go to the partner.
pub fn deal_claim(program: &ProgramId, email: &Email) -> Key {
    Key::new(format!("PROG#{program}#DEAL#{email}"), "CLAIM")
}

/// Marks one shard of a click batch as journaled: written with `attribute_not_exists` in the
/// transaction that writes the tally holding its counts, so a redelivered batch counts once.
/// Expires through the TTL (see `clicks::aggregate::MARKER_TTL`).
pub fn click_batch_marker(batch_id: &str, shard: usize) -> Key {
    Key::new(format!("CLICKBATCH#{batch_id}"), format!("SHARD#{shard}"))
}

/// The fold state of a click shard (`clicks::fold`): its last fold number, the lease of the
/// fold running and its plan.
pub fn click_fold_state(shard: usize) -> Key {
    Key::new("CLICKFOLD", format!("SHARD#{shard}"))
}

/// The partition of a partner's own records.
pub fn partner_pk(partner: &PartnerId) -> String {
    format!("PARTNER#{partner}")
}

/// What the program's Stripe account says about one of its objects (`customer`, `promo`,
/// `payment`, `charge`, `event`), under the object's Stripe id.
pub fn stripe_object(program: &ProgramId, kind: &str, stripe_id: &str) -> Key {
    Key::new(
        format!("PROG#{program}#STRIPE#{kind}#{stripe_id}"),
        "STRIPE",
    )
}

/// The partition of a program's analytics counters of one UTC day: the program's, each
/// partner's and each link's item of that day (`analytics::bucket`).
pub fn analytics_day_pk(program: &ProgramId, day: time::Date) -> String {
    format!("AN#{program}#{day}")
}

/// The day of an [`analytics_day_pk`].
pub fn analytics_day_of_pk(pk: &str) -> Option<time::Date> {
    let (_, day) = pk.strip_prefix("AN#")?.rsplit_once('#')?;
    time::Date::parse(
        day,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}
