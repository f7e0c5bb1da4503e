//! Analytics: Dub's `GET /analytics`, `GET /partners/analytics` and `GET /events`.
//!
//! - [`bucket`]: the counters, one item per scope (program, partner, link) and UTC day, added
//!   to by the click aggregator (in its exactly-once batch transactions) and by every lead and
//!   sale (in the conversion's own transaction, so a replay adds nothing).
//! - [`query`]: the query parameters, checked (422 in the envelope for anything unknown).
//! - [`window`]: an interval or a start and end, in a time zone, as UTC hours and local buckets.
//! - [`read`]: the items a query needs: a batch read of one scope's days, or one query per day
//!   for the tops.
//! - [`answer`]: the pure arithmetic from items to Dub's shapes.

pub mod answer;
pub mod bucket;
pub mod conversion;
pub mod daily_clicks;
pub mod events;
pub mod query;
pub mod retrieve;
pub mod tops;
pub mod window;
