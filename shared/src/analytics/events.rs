//! `GET /events`: a program's leads or sales, newest first, as Dub lists them.
//!
//! Clicks are counted, not stored one by one (see `clicks::aggregate`), so `event=clicks`, the
//! SDKs' default, is a 422 that points at `GET /analytics`. An event is listed with its link
//! and its customer; Dub's model requires a link, so leads and sales that came without one (a
//! registered deal, a discount code of no link) are left out here and shown by the commissions
//! and customers endpoints.
//!
//! Reads: one index query over the window (the program's leads or sales on gsi3, a link's on
//! gsi1, a partner's on gsi2), then one batch read of the page's links and one of its
//! customers.

use super::query::{AnalyticsQuery, Event, GroupBy};
use super::retrieve::{Target, target};
use super::window::Window;
use crate::auth::{Principal, Scope as AuthScope};
use crate::context::AppContext;
use crate::model::Conversion;
use crate::model::CustomerActivity;
use crate::model::ListedEvent;

use crate::customers::tracked::customer_of;
use crate::error::DomainError;
use crate::layout::{self, ConversionKind};
use crate::links::repo as links;
use crate::model::{Customer, Link};
use crate::programs::caller_program;
use crate::store::records::from_json_item;
use crate::store::{Item, ItemStore, Key, Query, RangeCondition, StoreError, get_s, schema};
use crate::types::{CustomerId, LinkId};
use std::collections::{HashMap, HashSet};

/// Dub's default and largest page.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1_000;
/// Pages are read through from the first: at most this many events are skipped.
const MAX_SKIPPED: usize = 10_000;

/// A checked `GET /events` query.
#[derive(Debug, Clone)]
pub struct EventsQuery {
    pub window: AnalyticsQuery,
    pub kind: ConversionKind,
    pub page: usize,
    pub limit: usize,
    pub ascending: bool,
    pub customer_id: Option<String>,
}

fn unprocessable(message: impl Into<String>) -> DomainError {
    DomainError::Unprocessable(message.into())
}

fn number(
    query: &HashMap<String, String>,
    name: &str,
    max: usize,
) -> Result<Option<usize>, DomainError> {
    match query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .map(Some)
            .ok_or_else(|| {
                unprocessable(format!("`{name}` must be a whole number from 1 to {max}."))
            }),
    }
}

impl EventsQuery {
    pub fn parse(query: &HashMap<String, String>) -> Result<Self, DomainError> {
        // The window, the link or partner and the checks of unkept filters are the analytics'.
        let mut without_event = query.clone();
        without_event.remove("event");
        without_event.remove("customerId");
        let window = AnalyticsQuery::parse(&without_event)?;
        if window.filter.is_some() {
            return Err(unprocessable(
                "Events are not filtered by country, device, browser, OS or referer: a click's details are counted, not stored with the event.",
            ));
        }
        if query.contains_key("groupBy") && window.group_by != GroupBy::Count {
            return Err(unprocessable("`groupBy` is for GET /analytics."));
        }
        let kind = match query.get("event").map(|v| v.trim()).unwrap_or("clicks") {
            "leads" => ConversionKind::Lead,
            "sales" => ConversionKind::Sale,
            "clicks" | "" => {
                return Err(unprocessable(
                    "Clicks are counted, not stored one by one: GET /analytics gives their counts by time, link, partner, country, device, browser, OS and referer. `event` may be `leads` or `sales`.",
                ));
            }
            _ => return Err(unprocessable("`event` must be one of: leads, sales.")),
        };
        let limit = number(query, "limit", MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT);
        let page = number(query, "page", MAX_SKIPPED)?.unwrap_or(1);
        if (page - 1) * limit > MAX_SKIPPED {
            return Err(unprocessable(format!(
                "At most {MAX_SKIPPED} events are skipped: narrow the window instead."
            )));
        }
        let ascending = match query
            .get("sortOrder")
            .or(query.get("order"))
            .map(|v| v.trim())
        {
            None | Some("") | Some("desc") => false,
            Some("asc") => true,
            Some(_) => return Err(unprocessable("`sortOrder` must be asc or desc.")),
        };
        if let Some(sort) = query.get("sortBy").map(|v| v.trim())
            && !sort.is_empty()
            && sort != "timestamp"
        {
            return Err(unprocessable("`sortBy` must be timestamp."));
        }
        Ok(EventsQuery {
            window: AnalyticsQuery {
                event: Event::Composite,
                ..window
            },
            kind,
            page,
            limit,
            ascending,
            customer_id: query
                .get("customerId")
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
        })
    }
}

/// A lead or sale item read back, if the item is one.
fn conversion_of(item: &Item) -> Option<Conversion> {
    let pk = get_s(item, schema::PK)?;
    if pk.starts_with("LEAD#") {
        from_json_item(item).ok().map(Conversion::Lead)
    } else if pk.starts_with("SALE#") {
        from_json_item(item).ok().map(Conversion::Sale)
    } else {
        None
    }
}

fn kind_of(conversion: &Conversion) -> ConversionKind {
    match conversion {
        Conversion::Lead(_) => ConversionKind::Lead,
        Conversion::Sale(_) => ConversionKind::Sale,
    }
}

/// `GET /events`.
pub async fn list_events(
    ctx: &AppContext,
    principal: &Principal,
    query: &EventsQuery,
) -> Result<Vec<ListedEvent>, DomainError> {
    let program = caller_program(ctx, principal, AuthScope::AnalyticsRead).await?;
    let window = Window::resolve(&query.window, ctx.clock.now(), program.created_at)?;
    let store = ctx.store.as_ref();
    let index = match target(store, &program, &query.window.subject).await? {
        Target::Program => Query::index(
            schema::GSI3.name,
            layout::program_conversions_index_pk(&program.id, query.kind),
        ),
        Target::Link(link) => Query::index(
            schema::GSI1.name,
            layout::link_conversions_index_pk(&program.id, &link.id),
        ),
        Target::Partner(partner) => Query::index(
            schema::GSI2.name,
            layout::partner_conversions_index_pk(&program.id, &partner.id),
        ),
    };
    let customer = match query.customer_id.as_deref() {
        None => None,
        Some(id) => match crate::customers::tracked::customer_id_named(&program.id, id) {
            Some(id) => Some(id),
            None => return Ok(Vec::new()), // names no customer: no events
        },
    };
    let range = RangeCondition::Between(
        format!("{:020}", window.start.unix_timestamp_nanos().max(0)),
        format!("{:020}", window.end.unix_timestamp_nanos().max(0)),
    );
    let wanted = (query.page - 1) * query.limit + query.limit;
    let mut found = Vec::new();
    let mut cursor = None;
    let index = if query.ascending {
        index
    } else {
        index.descending()
    };
    loop {
        let page = store
            .query(index.clone().range(range.clone()).cursor(cursor))
            .await?;
        found.extend(page.items.iter().filter_map(conversion_of).filter(|c| {
            kind_of(c) == query.kind
                && c.link().is_some()
                && customer.as_ref().is_none_or(|id| c.customer() == id)
        }));
        match page.next {
            Some(next) if found.len() < wanted => cursor = Some(next),
            _ => break,
        }
    }
    let page: Vec<Conversion> = found
        .into_iter()
        .skip((query.page - 1) * query.limit)
        .take(query.limit)
        .collect();
    hydrate(store, &program.id, page).await
}

/// The page's links and customers, one batch read each; an event whose link is gone is left
/// out (Dub's model requires one).
async fn hydrate(
    store: &dyn ItemStore,
    program: &crate::types::ProgramId,
    page: Vec<Conversion>,
) -> Result<Vec<ListedEvent>, DomainError> {
    let link_keys: HashSet<Key> = page
        .iter()
        .filter_map(|c| c.link().map(layout::link))
        .collect();
    let customer_keys: HashSet<Key> = page
        .iter()
        .map(|c| layout::customer(c.customer()))
        .collect();
    let links: HashMap<LinkId, Link> = read_all(store, link_keys)
        .await?
        .iter()
        .filter_map(|item| links::link_of(item).ok())
        .filter(|stored| &stored.link.program_id == program)
        .map(|stored| (stored.link.id.clone(), stored.link))
        .collect();
    let customers: HashMap<CustomerId, (Customer, CustomerActivity)> =
        read_all(store, customer_keys)
            .await?
            .iter()
            .filter_map(|item| customer_of(item).ok())
            .map(|(customer, activity)| (customer.id.clone(), (customer, activity)))
            .collect();
    Ok(page
        .into_iter()
        .filter_map(|conversion| {
            let link = links.get(conversion.link()?)?.clone();
            let customer = customers.get(conversion.customer()).cloned();
            Some(ListedEvent {
                conversion,
                link,
                customer,
            })
        })
        .collect())
}

async fn read_all(store: &dyn ItemStore, keys: HashSet<Key>) -> Result<Vec<Item>, StoreError> {
    store.batch_get(keys.into_iter().collect()).await
}
