//! Dub's page numbers (`page`, `pageSize`) over lists that page by cursor. A table pages by
//! key, so page N is found by reading through the N−1 pages before it: one query per page
//! passed (a cursor, `x-next-cursor`, costs one query whatever the depth, and is what the docs
//! recommend for deep lists). Every list endpoint that pages by cursor takes both.

use super::{ApiError, ApiRequest, ErrorCode};
use std::future::Future;

/// The deepest page a request may ask for: 100 pages of 100 is 10,000 items read for one
/// answer, the most a single request should cost.
pub const MAX_PAGE: u32 = 100;

/// Dub's `page`: absent, or a whole number from 1 to [`MAX_PAGE`] (400 otherwise, never
/// clamped). `page` and `cursor` together are 400: they would name two places.
pub fn page_number(request: &ApiRequest) -> Result<Option<u32>, ApiError> {
    let Some(raw) = request.query("page") else {
        return Ok(None);
    };
    if request.query("cursor").is_some() {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "Give either `page` or `cursor`, not both.",
        ));
    }
    raw.parse::<u32>()
        .ok()
        .filter(|page| (1..=MAX_PAGE).contains(page))
        .map(Some)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::BadRequest,
                format!("`page` must be a whole number from 1 to {MAX_PAGE}."),
            )
        })
}

/// Page `page` of `size` items, read with `fetch(cursor, size)` (which answers up to `size`
/// items, possibly fewer after its filters, and the next cursor). The next cursor is given only
/// when the page ended exactly where a read ended, so it continues right after the page.
pub async fn nth_page<T, E, F, Fut>(
    page: u32,
    size: u32,
    mut fetch: F,
) -> Result<(Vec<T>, Option<String>), E>
where
    F: FnMut(Option<String>, u32) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), E>>,
{
    let size = size as usize;
    let wanted = (page as usize - 1) * size;
    let mut items: Vec<T> = Vec::new();
    let mut cursor = None;
    loop {
        let (read, next) = fetch(cursor, size as u32).await?;
        items.extend(read);
        cursor = next;
        if cursor.is_none() || items.len() >= wanted + size {
            break;
        }
    }
    let exact = items.len() == wanted + size;
    let page_items: Vec<T> = items.into_iter().skip(wanted).take(size).collect();
    Ok((page_items, cursor.filter(|_| exact)))
}

/// A page of up to `size` items that `keep` keeps, read through `fetch` from `cursor` on. Each
/// read asks for no more than the page still lacks, so the page holds every kept item it read
/// and the next cursor skips none; a filter that drops much costs more reads, not lost items.
pub async fn filled_page<T, E, F, Fut>(
    cursor: Option<String>,
    size: u32,
    mut fetch: F,
    keep: impl Fn(&T) -> bool,
) -> Result<(Vec<T>, Option<String>), E>
where
    F: FnMut(Option<String>, u32) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), E>>,
{
    let mut kept: Vec<T> = Vec::new();
    let mut cursor = cursor;
    loop {
        let lacking = size - kept.len() as u32;
        let (read, next) = fetch(cursor, lacking).await?;
        kept.extend(read.into_iter().filter(|item| keep(item)));
        cursor = next;
        if cursor.is_none() || kept.len() as u32 >= size {
            return Ok((kept, cursor));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list of `total` numbers read `size` at a time, every third one filtered out.
    async fn read(
        total: u32,
        cursor: Option<String>,
        size: u32,
    ) -> Result<(Vec<u32>, Option<String>), ()> {
        let start: u32 = cursor.map_or(0, |c| c.parse().unwrap());
        let end = (start + size).min(total);
        let items = (start..end).filter(|n| n % 3 != 2).collect();
        Ok((items, (end < total).then(|| end.to_string())))
    }

    #[tokio::test]
    async fn pages_hold_the_items_after_the_pages_before_them() {
        let all: Vec<u32> = (0..50).filter(|n| n % 3 != 2).collect();
        for page in 1..=5 {
            let (items, _) = nth_page(page, 7, |c, s| read(50, c, s)).await.unwrap();
            let from = ((page - 1) * 7) as usize;
            let expected: Vec<u32> = all.iter().skip(from).take(7).copied().collect();
            assert_eq!(items, expected, "page {page}");
        }
        let (beyond, next) = nth_page(20, 7, |c, s| read(50, c, s)).await.unwrap();
        assert!(beyond.is_empty() && next.is_none());
    }

    /// Chained by their cursors, filled pages hold every kept item once, in order, and every
    /// page but the last is full.
    #[tokio::test]
    async fn filled_pages_skip_and_repeat_nothing() {
        let multiples_of_four = |n: &u32| n.is_multiple_of(4);
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let (page, next) = filled_page(cursor, 5, |c, s| read(61, c, s), multiples_of_four)
                .await
                .unwrap();
            if next.is_some() {
                assert_eq!(page.len(), 5, "a page before the end is full");
            }
            seen.extend(page);
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let expected: Vec<u32> = (0..61u32)
            .filter(|n| n % 3 != 2 && n.is_multiple_of(4))
            .collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn page_numbers_are_checked() {
        let with = |query: &str| {
            ApiRequest::from_http(
                http::Request::get(format!("/x?{query}"))
                    .body(Vec::new())
                    .unwrap(),
            )
        };
        assert_eq!(page_number(&with("a=1")).unwrap(), None);
        assert_eq!(page_number(&with("page=2")).unwrap(), Some(2));
        for bad in ["page=0", "page=101", "page=x", "page=2&cursor=abc"] {
            assert_eq!(
                page_number(&with(bad)).unwrap_err().code,
                ErrorCode::BadRequest,
                "{bad}"
            );
        }
    }
}
