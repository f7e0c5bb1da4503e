//! Link labels: a program's tags and folders. Each is an item in the program's partition under
//! `LABEL#`, with a claim on its lower-cased name (unique per program and kind) and a counter
//! per kind that caps how many a program has; every change writes them in one transaction.
//!
//! Links hold label ids only. Every link response reads the program's labels (one query) and
//! shows the labels that exist, so a renamed tag shows its new name everywhere and a deleted tag
//! or folder disappears from every link at once, without rewriting the links.

use crate::error::DomainError;
use crate::layout;
use crate::model::LinkLabels;
use crate::model::{Folder, Tag};
use crate::store::records::{from_json_item, json_item, readable};
use crate::store::{
    Condition, Consistency, Delete, Item, ItemStore, Put, Query, RangeCondition, StoreError, TxOp,
    Update, UpdateItem, get_n, get_s, n, s, schema,
};
use crate::types::ProgramId;

const OWNER: &str = "labelId";

/// The two kinds of label, with their limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelKind {
    Tag,
    Folder,
}

impl LabelKind {
    fn code(self) -> &'static str {
        match self {
            LabelKind::Tag => "TAG",
            LabelKind::Folder => "FOLDER",
        }
    }

    pub(crate) fn what(self) -> &'static str {
        match self {
            LabelKind::Tag => "Tag",
            LabelKind::Folder => "Folder",
        }
    }

    /// How many a program may have: every link response reads them all, so they stay few.
    pub(crate) fn limit(self) -> i64 {
        match self {
            LabelKind::Tag => 100,
            LabelKind::Folder => 50,
        }
    }

    /// The longest name, in characters.
    pub(crate) fn max_name(self) -> usize {
        match self {
            LabelKind::Tag => 50,
            LabelKind::Folder => 100,
        }
    }
}

/// A label's name: trimmed, 1 to the kind's maximum characters.
pub(crate) fn name(kind: LabelKind, raw: &str) -> Result<String, DomainError> {
    let name = raw.trim();
    let max = kind.max_name();
    if name.is_empty() || name.chars().count() > max || name.chars().any(char::is_control) {
        return Err(DomainError::Unprocessable(format!(
            "`name` must have 1 to {max} characters, without control characters."
        )));
    }
    Ok(name.to_owned())
}

fn name_claim(kind: LabelKind, program: &ProgramId, id: &str, name: &str) -> Item {
    let mut item =
        layout::link_label_name_claim(program, kind.code(), &name.to_lowercase()).to_item();
    item.insert(OWNER.into(), s(id));
    item
}

/// A new label: the counter (fails at the limit), the label, its name claim (fails when taken).
pub(crate) fn insert<T: serde::Serialize>(
    kind: LabelKind,
    program: &ProgramId,
    id: &str,
    name: &str,
    record: &T,
) -> Result<Vec<TxOp>, StoreError> {
    let counter = kind.code();
    Ok(vec![
        TxOp::Update(UpdateItem {
            key: layout::link_label_counts(program),
            update: Update::new().add(counter, 1),
            condition: Some(Condition::Or(vec![
                Condition::AttributeNotExists(counter.into()),
                Condition::LessThan(counter.into(), n(kind.limit())),
            ])),
        }),
        TxOp::Put(Put {
            item: json_item(&layout::link_label(program, counter, id), record, 1)?,
            condition: Some(Condition::NotExists),
        }),
        TxOp::Put(Put {
            item: name_claim(kind, program, id, name),
            condition: Some(Condition::NotExists),
        }),
    ])
}

/// A changed label read at `version`: the label if unchanged since, and, when its name changed
/// (ignoring case), the old claim released and the new one taken (the last action, which fails
/// when the name is taken).
pub(crate) fn replace<T: serde::Serialize>(
    kind: LabelKind,
    program: &ProgramId,
    id: &str,
    (old_name, new_name): (&str, &str),
    record: &T,
    version: u64,
) -> Result<Vec<TxOp>, StoreError> {
    let mut ops = vec![TxOp::Put(Put {
        item: json_item(
            &layout::link_label(program, kind.code(), id),
            record,
            version + 1,
        )?,
        condition: Some(Condition::version(version)),
    })];
    if old_name.to_lowercase() != new_name.to_lowercase() {
        ops.push(TxOp::Delete(Delete {
            key: layout::link_label_name_claim(program, kind.code(), &old_name.to_lowercase()),
            condition: Some(Condition::equals(OWNER, s(id))),
        }));
        ops.push(TxOp::Put(Put {
            item: name_claim(kind, program, id, new_name),
            condition: Some(Condition::NotExists),
        }));
    } else if old_name != new_name {
        // Same claim, new spelling: rewritten in place, still ours.
        ops.push(TxOp::Put(Put {
            item: name_claim(kind, program, id, new_name),
            condition: Some(Condition::equals(OWNER, s(id))),
        }));
    }
    Ok(ops)
}

/// The index of the new name's claim in [`replace`]'s actions (none when the name kept its
/// claim).
pub(crate) fn new_name_index(ops: &[TxOp]) -> usize {
    if ops.len() == 3 { 2 } else { usize::MAX }
}

/// Removes a label read at `version`, its name claim, and one from the counter.
pub(crate) fn remove(
    kind: LabelKind,
    program: &ProgramId,
    id: &str,
    name: &str,
    version: u64,
) -> Vec<TxOp> {
    vec![
        TxOp::Delete(Delete {
            key: layout::link_label(program, kind.code(), id),
            condition: Some(Condition::version(version)),
        }),
        TxOp::Delete(Delete {
            key: layout::link_label_name_claim(program, kind.code(), &name.to_lowercase()),
            condition: Some(Condition::equals(OWNER, s(id))),
        }),
        TxOp::Update(UpdateItem {
            key: layout::link_label_counts(program),
            update: Update::new().add(kind.code(), -1),
            condition: Some(Condition::Exists),
        }),
    ]
}

/// One label of the program and the version its next write is conditioned on.
pub(crate) async fn find<T: serde::de::DeserializeOwned>(
    store: &dyn ItemStore,
    kind: LabelKind,
    program: &ProgramId,
    id: &str,
) -> Result<Option<(T, u64)>, StoreError> {
    let item = store
        .get(
            &layout::link_label(program, kind.code(), id),
            Consistency::Strong,
        )
        .await?;
    item.map(|item| {
        let version = get_n(&item, "version").unwrap_or(1).max(1) as u64;
        Ok((from_json_item(&item)?, version))
    })
    .transpose()
}

/// What a failed label transaction means, by the failing action's index.
pub(crate) fn refusal(kind: LabelKind, failed: Option<usize>, name_index: usize) -> DomainError {
    let what = kind.what();
    match failed {
        Some(index) if index == name_index => DomainError::Conflict(format!(
            "A {} with this name already exists.",
            what.to_lowercase()
        )),
        _ => DomainError::Conflict(format!(
            "The {} changed meanwhile; retry.",
            what.to_lowercase()
        )),
    }
}

/// 403 at the limit, as Dub answers `exceeded_limit`.
pub(crate) fn limit_reached(kind: LabelKind) -> DomainError {
    DomainError::Forbidden(format!(
        "A program can have at most {} {}s; delete one first.",
        kind.limit(),
        kind.what().to_lowercase()
    ))
}

/// Reads every label of the program (strongly: a label made just before is seen).
pub async fn read_labels(
    store: &dyn ItemStore,
    program: &ProgramId,
) -> Result<LinkLabels, StoreError> {
    let mut labels = LinkLabels::default();
    let tag_prefix = format!("{}{}#", layout::LABEL_SK_PREFIX, LabelKind::Tag.code());
    let mut cursor = None;
    loop {
        let page = store
            .query(
                Query::table(layout::program_pk(program))
                    .range(RangeCondition::BeginsWith(layout::LABEL_SK_PREFIX.into()))
                    .consistent()
                    .cursor(cursor),
            )
            .await?;
        for item in &page.items {
            let is_tag = get_s(item, schema::SK).is_some_and(|sk| sk.starts_with(&tag_prefix));
            if is_tag {
                if let Some(tag) = readable(item, from_json_item::<Tag>) {
                    labels.tags.insert(tag.id.clone(), tag);
                }
            } else if let Some(folder) = readable(item, from_json_item::<Folder>) {
                labels.folders.insert(folder.id.clone(), folder);
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(labels),
        }
    }
}
