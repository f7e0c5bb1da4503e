//! Dub's `/tags`, `/folders` and `/discount-codes` endpoints, and the labelled link responses.

use http::StatusCode;
use shared::auth::Principal;
use shared::context::AppContext;
use shared::discount_codes::{self, DiscountCodeQuery};
use shared::links::{folders, tags};
use shared::model::Link;
use shared::web::{ApiError, ApiRequest, ApiResponse, ErrorCode, Params, json, pages};
use shared::wire::discount_codes::DiscountCodeSchema;
use shared::wire::folders::{DeletedIdSchema, FolderSchema};
use shared::wire::links::{LinkSchema, LinkTagSchema};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelEndpoint {
    CreateTag,
    ListTags,
    UpdateTag,
    DeleteTag,
    CreateFolder,
    ListFolders,
    UpdateFolder,
    DeleteFolder,
    CreateDiscountCode,
    ListDiscountCodes,
    DeleteDiscountCode,
}

/// Links as responses show them: with their program's tags and folders as they are now.
pub async fn labelled(ctx: &AppContext, links: &[Link]) -> Result<Vec<LinkSchema>, ApiError> {
    let Some(first) = links.first() else {
        return Ok(Vec::new());
    };
    let labels = shared::links::labels::read_labels(ctx.store.as_ref(), &first.program_id)
        .await
        .map_err(shared::error::DomainError::from)?;
    Ok(links
        .iter()
        .map(|link| LinkSchema::labelled(link, &labels))
        .collect())
}

/// One labelled link.
pub async fn labelled_one(ctx: &AppContext, link: &Link) -> Result<LinkSchema, ApiError> {
    let mut schemas = labelled(ctx, std::slice::from_ref(link)).await?;
    Ok(schemas.remove(0))
}

fn bad_request(message: &str) -> ApiError {
    ApiError::new(ErrorCode::BadRequest, message)
}

/// A list parameter: comma-separated (`tagIds=a,b`) or repeated (`ids=a&ids=b`, which the
/// request reads as `a,b`).
pub fn list_query(request: &ApiRequest, name: &str) -> Vec<String> {
    request
        .query(name)
        .map(|value| {
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn tag_order(request: &ApiRequest) -> Result<tags::TagOrder, ApiError> {
    let descending = match request.query("sortOrder") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(bad_request("`sortOrder` is `asc` or `desc`.")),
    };
    Ok(match (request.query("sortBy"), descending) {
        (None | Some("name"), false) => tags::TagOrder::NameAscending,
        (None | Some("name"), true) => tags::TagOrder::NameDescending,
        (Some("createdAt"), false) => tags::TagOrder::OldestFirst,
        (Some("createdAt"), true) => tags::TagOrder::NewestFirst,
        _ => return Err(bad_request("`sortBy` is `name` or `createdAt`.")),
    })
}

pub async fn endpoint(
    ctx: &AppContext,
    principal: &Principal,
    endpoint: LabelEndpoint,
    params: &Params,
    request: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    use LabelEndpoint::*;
    let id = params.get("id");
    let page = || -> Result<(u32, u32), ApiError> {
        Ok((
            pages::page_number(request)?.unwrap_or(1),
            request.page_size(100)?,
        ))
    };
    let deleted = |id: String| json(StatusCode::OK, &DeletedIdSchema { id });
    Ok(match endpoint {
        CreateTag => {
            let tag = tags::create_tag(ctx, principal, request.json()?).await?;
            json(StatusCode::CREATED, &LinkTagSchema::of(&tag))
        }
        ListTags => {
            let (page, page_size) = page()?;
            let query = tags::TagQuery {
                search: request.query("search").map(str::to_owned),
                ids: list_query(request, "ids"),
                order: tag_order(request)?,
                page,
                page_size,
            };
            let found = tags::list_tags(ctx, principal, query).await?;
            json(
                StatusCode::OK,
                &found.iter().map(LinkTagSchema::of).collect::<Vec<_>>(),
            )
        }
        UpdateTag => {
            let tag = tags::update_tag(ctx, principal, id, request.json()?).await?;
            json(StatusCode::OK, &LinkTagSchema::of(&tag))
        }
        DeleteTag => deleted(tags::delete_tag(ctx, principal, id).await?.to_string()),
        CreateFolder => {
            let folder = folders::create_folder(ctx, principal, request.json()?).await?;
            json(StatusCode::CREATED, &FolderSchema::of(&folder))
        }
        ListFolders => {
            let (page, page_size) = page()?;
            let search = request.query("search");
            let found = folders::list_folders(ctx, principal, search, page, page_size).await?;
            json(
                StatusCode::OK,
                &found.iter().map(FolderSchema::of).collect::<Vec<_>>(),
            )
        }
        UpdateFolder => {
            let folder = folders::update_folder(ctx, principal, id, request.json()?).await?;
            json(StatusCode::OK, &FolderSchema::of(&folder))
        }
        DeleteFolder => deleted(
            folders::delete_folder(ctx, principal, id)
                .await?
                .to_string(),
        ),
        CreateDiscountCode => {
            let code =
                discount_codes::create_discount_code(ctx, principal, request.json()?).await?;
            json(StatusCode::OK, &DiscountCodeSchema::of(&code))
        }
        ListDiscountCodes => {
            let (page, page_size) = page()?;
            let text = |name: &str| request.query(name).map(str::to_owned);
            let query = DiscountCodeQuery {
                partner_id: text("partnerId"),
                discount_id: text("discountId"),
                code: text("code"),
                page,
                page_size,
            };
            let found = discount_codes::list_discount_codes(ctx, principal, query).await?;
            json(
                StatusCode::OK,
                &found.iter().map(DiscountCodeSchema::of).collect::<Vec<_>>(),
            )
        }
        DeleteDiscountCode => {
            let code = params.get("idOrCode");
            let id = discount_codes::delete_discount_code(ctx, principal, code).await?;
            deleted(id.to_string())
        }
    })
}
