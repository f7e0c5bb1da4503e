//! Application records: one item per application (listed by program on gsi1 and by program
//! and status on gsi2) and one claim per email and program naming its latest application.
//!
//! The claim carries the application's `status` and, once rejected, `reapplyAfter` (epoch
//! seconds; absent for `never`), so "may this email apply?" is a condition of the apply
//! transaction and two racing applications cannot both pass it.

use crate::layout;
use crate::model::{Application, ApplicationStatus, ReapplicationTimeframe};
use crate::store::records::{from_json_item, json_item, read_json};
use crate::store::{
    AttributeValue, Condition, Consistency, Item, ItemStore, Page, Put, Query, StoreError, TxOp,
    get_n, get_s, n, s, schema,
};
use crate::types::{ApplicationId, Email, ProgramId};
use time::OffsetDateTime;

/// The days a `standard` rejection makes an applicant wait.
pub const STANDARD_REAPPLY_DAYS: i64 = 30;

pub fn status_name(status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Pending => "pending",
        ApplicationStatus::Approved => "approved",
        ApplicationStatus::Rejected => "rejected",
    }
}

fn item(application: &Application) -> Result<Item, StoreError> {
    let program = &application.program_id;
    let mut item = json_item(
        &layout::application(&application.id),
        application,
        application.version,
    )?;
    item.insert("status".into(), s(status_name(application.status)));
    item.insert(
        schema::GSI1.pk.into(),
        s(layout::applications_index_pk(program)),
    );
    let sort_key = layout::applications_index_sk(application.created_at, &application.id);
    item.insert(schema::GSI1.sk.into(), s(sort_key.clone()));
    item.insert(
        schema::GSI2.pk.into(),
        s(layout::applications_by_status_pk(
            program,
            status_name(application.status),
        )),
    );
    item.insert(schema::GSI2.sk.into(), s(sort_key));
    Ok(item)
}

/// When a rejected applicant may apply again; `None` for never.
pub fn reapply_after(application: &Application) -> Option<OffsetDateTime> {
    let rejected_at = application.reviewed_at?;
    match application.reapplication_timeframe.unwrap_or_default() {
        ReapplicationTimeframe::Instant => Some(rejected_at),
        ReapplicationTimeframe::Standard => {
            Some(rejected_at + time::Duration::days(STANDARD_REAPPLY_DAYS))
        }
        ReapplicationTimeframe::Never => None,
    }
}

fn email_claim(application: &Application) -> Item {
    let mut claim =
        layout::application_email_claim(&application.program_id, &application.email).to_item();
    claim.insert("applicationId".into(), s(application.id.to_string()));
    claim.insert("status".into(), s(status_name(application.status)));
    if application.status == ApplicationStatus::Rejected
        && let Some(after) = reapply_after(application)
    {
        claim.insert("reapplyAfter".into(), n(after.unix_timestamp()));
    }
    claim
}

/// The actions that store a new application (index 0) and take its email's claim (index 1):
/// the claim is free, or its application was rejected and the wait is over.
pub fn insert(application: &Application, now: OffsetDateTime) -> Result<[TxOp; 2], StoreError> {
    let may_apply = Condition::Or(vec![
        Condition::NotExists,
        Condition::equals("status", s("rejected")).and(Condition::LessOrEqual(
            "reapplyAfter".into(),
            n(now.unix_timestamp()),
        )),
    ]);
    Ok([
        TxOp::Put(Put {
            item: item(application)?,
            condition: Some(Condition::NotExists),
        }),
        TxOp::Put(Put {
            item: email_claim(application),
            condition: Some(may_apply),
        }),
    ])
}

/// The actions that store a reviewed application read at `read` (index 0: same version and
/// status) and update its email's claim (index 1: still this application's).
pub fn replace(application: &Application, read: &Application) -> Result<[TxOp; 2], StoreError> {
    Ok([
        TxOp::Put(Put {
            item: item(application)?,
            condition: Some(
                Condition::version(read.version)
                    .and(Condition::equals("status", s(status_name(read.status)))),
            ),
        }),
        TxOp::Put(Put {
            item: email_claim(application),
            condition: Some(Condition::equals(
                "applicationId",
                AttributeValue::S(application.id.to_string()),
            )),
        }),
    ])
}

/// An application of `program`; another program's is not found.
pub async fn find(
    store: &dyn ItemStore,
    program: &ProgramId,
    id: &ApplicationId,
) -> Result<Option<Application>, StoreError> {
    let found: Option<Application> = read_json(store, &layout::application(id)).await?;
    Ok(found.filter(|application| &application.program_id == program))
}

/// What an email's claim says: its latest application and when it may apply again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailClaim {
    pub application_id: ApplicationId,
    pub status: String,
    /// Epoch seconds; absent while not rejected, or rejected for good.
    pub reapply_after: Option<i64>,
}

pub async fn find_email_claim(
    store: &dyn ItemStore,
    program: &ProgramId,
    email: &Email,
) -> Result<Option<EmailClaim>, StoreError> {
    let Some(item) = store
        .get(
            &layout::application_email_claim(program, email),
            Consistency::Strong,
        )
        .await?
    else {
        return Ok(None);
    };
    let application_id = get_s(&item, "applicationId")
        .and_then(|id| ApplicationId::parse(id).ok())
        .ok_or_else(|| StoreError::Validation("application claim without id".into()))?;
    Ok(Some(EmailClaim {
        application_id,
        status: get_s(&item, "status").unwrap_or_default().to_owned(),
        reapply_after: get_n(&item, "reapplyAfter"),
    }))
}

/// One page of a program's applications, newest first, of one status or all.
pub async fn list(
    store: &dyn ItemStore,
    program: &ProgramId,
    status: Option<ApplicationStatus>,
    oldest_first: bool,
    cursor: Option<String>,
    limit: u32,
) -> Result<(Vec<Application>, Option<String>), StoreError> {
    let query = match status {
        Some(status) => Query::index(
            schema::GSI2.name,
            layout::applications_by_status_pk(program, status_name(status)),
        ),
        None => Query::index(schema::GSI1.name, layout::applications_index_pk(program)),
    };
    let query = if oldest_first {
        query
    } else {
        query.descending()
    };
    let Page { items, next } = store.query(query.limit(limit).cursor(cursor)).await?;
    let applications = items.iter().map(from_json_item).collect::<Result<_, _>>()?;
    Ok((applications, next))
}
