//! The link-admin HTTP function: Dub's `/links` and `/partners/links` endpoints, `/tags`,
//! `/folders` and `/discount-codes`, and the client-side click tracking endpoints
//! (`POST /track/click`, StackBE's `POST /v1/affiliate/track`).

mod labels;

pub mod openapi;

use http::{Method, StatusCode};
use labels::LabelEndpoint::{self, *};
use labels::{labelled, labelled_one};
use shared::auth::{AuthError, AuthenticateError, Principal, Scope};
use shared::clicks::track;
use shared::context::AppContext;
use shared::links::{self, BulkItem};
use shared::programs;
use shared::web::{
    ApiError, ApiRequest, ApiResponse, Edge, ErrorCode, Route, RouteMatch, json, pages, serve,
};
use shared::wire::domains::DomainSchema;
use shared::wire::links::{
    BulkDeletedLinksSchema, BulkLinkSchema, DeletedLinkSchema, LinkCountGroupSchema,
    LinkCountSchema, LinkSchema,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    CreateLink,
    ListLinks,
    CountLinks,
    LinkInfo,
    UpdateLink,
    DeleteLink,
    CreatePartnerLink,
    ListPartnerLinks,
    UpsertPartnerLink,
    UpsertLink,
    CreateLinks,
    UpdateLinks,
    DeleteLinks,
    ListDomains,
    ManageDomain,
    QrCode,
    TrackClick,
    TrackReferral,
    Label(LabelEndpoint),
}

pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::POST, "/links", Endpoint::CreateLink),
    Route::new(Method::GET, "/links", Endpoint::ListLinks),
    Route::new(Method::GET, "/links/count", Endpoint::CountLinks),
    Route::new(Method::GET, "/links/info", Endpoint::LinkInfo),
    Route::new(Method::PUT, "/links/upsert", Endpoint::UpsertLink),
    Route::new(Method::POST, "/links/bulk", Endpoint::CreateLinks),
    Route::new(Method::PATCH, "/links/bulk", Endpoint::UpdateLinks),
    Route::new(Method::DELETE, "/links/bulk", Endpoint::DeleteLinks),
    Route::new(Method::PATCH, "/links/{linkId}", Endpoint::UpdateLink),
    Route::new(Method::DELETE, "/links/{linkId}", Endpoint::DeleteLink),
    Route::new(Method::POST, "/partners/links", Endpoint::CreatePartnerLink),
    Route::new(Method::GET, "/partners/links", Endpoint::ListPartnerLinks),
    Route::new(
        Method::PUT,
        "/partners/links/upsert",
        Endpoint::UpsertPartnerLink,
    ),
    Route::new(Method::GET, "/qr", Endpoint::QrCode),
    Route::new(Method::GET, "/domains", Endpoint::ListDomains),
    Route::new(Method::POST, "/domains", Endpoint::ManageDomain),
    Route::new(Method::POST, "/domains/register", Endpoint::ManageDomain),
    Route::new(Method::GET, "/domains/status", Endpoint::ManageDomain),
    Route::new(Method::PATCH, "/domains/{slug}", Endpoint::ManageDomain),
    Route::new(Method::DELETE, "/domains/{slug}", Endpoint::ManageDomain),
    Route::new(Method::POST, "/track/click", Endpoint::TrackClick),
    Route::new(Method::POST, "/v1/affiliate/track", Endpoint::TrackReferral),
    Route::new(Method::POST, "/tags", Endpoint::Label(CreateTag)),
    Route::new(Method::GET, "/tags", Endpoint::Label(ListTags)),
    Route::new(Method::PATCH, "/tags/{id}", Endpoint::Label(UpdateTag)),
    Route::new(Method::DELETE, "/tags/{id}", Endpoint::Label(DeleteTag)),
    Route::new(Method::POST, "/folders", Endpoint::Label(CreateFolder)),
    Route::new(Method::GET, "/folders", Endpoint::Label(ListFolders)),
    Route::new(
        Method::PATCH,
        "/folders/{id}",
        Endpoint::Label(UpdateFolder),
    ),
    Route::new(
        Method::DELETE,
        "/folders/{id}",
        Endpoint::Label(DeleteFolder),
    ),
    Route::new(
        Method::POST,
        "/discount-codes",
        Endpoint::Label(CreateDiscountCode),
    ),
    Route::new(
        Method::GET,
        "/discount-codes",
        Endpoint::Label(ListDiscountCodes),
    ),
    Route::new(
        Method::DELETE,
        "/discount-codes/{idOrCode}",
        Endpoint::Label(DeleteDiscountCode),
    ),
];

/// Handles one request. Never fails: every error becomes a response in the error envelope.
pub async fn handle<B: AsRef<[u8]>>(
    ctx: &AppContext,
    track: &track::TrackServices,
    request: http::Request<B>,
) -> ApiResponse {
    // Repeat-click detection only: an unknown address counts each click.
    let client_ip = shared::aws::client_ip(&request, Edge::ApiGateway).unwrap_or_default();
    serve(ROUTES, ApiRequest::from_http(request), |found, request| {
        endpoint(ctx, track, found, request, client_ip)
    })
    .await
}

async fn endpoint(
    ctx: &AppContext,
    track_services: &track::TrackServices,
    found: RouteMatch<Endpoint>,
    request: ApiRequest,
    client_ip: String,
) -> Result<ApiResponse, ApiError> {
    if matches!(
        found.endpoint,
        Endpoint::TrackClick | Endpoint::TrackReferral
    ) {
        return tracking(ctx, track_services, found.endpoint, request, &client_ip).await;
    }
    if found.endpoint == Endpoint::QrCode {
        return qr_code(&request);
    }
    let principal = ctx.auth.authenticate(&request.headers).await?;
    let link_id = found.params.get("linkId");
    let response = match found.endpoint {
        Endpoint::CreateLink => json(
            StatusCode::OK,
            &labelled_one(
                ctx,
                &links::create_link(ctx, &principal, request.json()?).await?,
            )
            .await?,
        ),
        Endpoint::ListLinks => {
            let (page, size) = link_page(&request)?;
            let found =
                links::list_links(ctx, &principal, link_filter(&request)?, page, size).await?;
            json(StatusCode::OK, &labelled(ctx, &found).await?)
        }
        Endpoint::CountLinks => {
            let by = match request.query("groupBy") {
                None => links::CountBy::Nothing,
                Some("domain") => links::CountBy::Domain,
                Some("folderId") => links::CountBy::FolderId,
                Some("tagId") => links::CountBy::TagId,
                Some(_) => {
                    return Err(bad_request(
                        "`groupBy` is `domain`, `folderId` or `tagId` (users are not offered).",
                    ));
                }
            };
            match links::count_links(ctx, &principal, link_filter(&request)?, by).await? {
                links::LinkCount::Total(count) => {
                    json(StatusCode::OK, &LinkCountSchema::Total(count))
                }
                links::LinkCount::Grouped(groups) => {
                    let group = match by {
                        links::CountBy::Domain => LinkCountGroupSchema::by_domain,
                        links::CountBy::TagId => LinkCountGroupSchema::by_tag,
                        _ => LinkCountGroupSchema::by_folder,
                    };
                    let groups: Vec<_> = groups
                        .into_iter()
                        .map(|(value, count)| group(value, count))
                        .collect();
                    json(StatusCode::OK, &LinkCountSchema::Grouped(groups))
                }
            }
        }
        Endpoint::LinkInfo => json(
            StatusCode::OK,
            &labelled_one(
                ctx,
                &links::link_info(
                    ctx,
                    &principal,
                    request.query("domain"),
                    request.query("key"),
                    request.query("linkId"),
                    request.query("externalId"),
                )
                .await?,
            )
            .await?,
        ),
        Endpoint::UpdateLink => json(
            StatusCode::OK,
            &labelled_one(
                ctx,
                &links::update_link(ctx, &principal, link_id, request.json()?).await?,
            )
            .await?,
        ),
        Endpoint::DeleteLink => json(
            StatusCode::OK,
            &DeletedLinkSchema {
                id: links::delete_link(ctx, &principal, link_id).await?,
            },
        ),
        Endpoint::UpsertLink => json(
            StatusCode::OK,
            &LinkSchema::of(&links::upsert_link(ctx, &principal, request.json()?).await?),
        ),
        Endpoint::CreateLinks => {
            let created = links::create_links(ctx, &principal, request.json()?).await?;
            let answer: Vec<_> = created
                .into_iter()
                .map(|item| match item {
                    BulkItem::Link(link) => BulkLinkSchema::link(&link),
                    BulkItem::Refused { item, error } => BulkLinkSchema::refused(item, error),
                })
                .collect();
            json(StatusCode::OK, &answer)
        }
        Endpoint::UpdateLinks => json(
            StatusCode::OK,
            &links::update_links(ctx, &principal, request.json()?)
                .await?
                .iter()
                .map(LinkSchema::of)
                .collect::<Vec<_>>(),
        ),
        Endpoint::DeleteLinks => json(
            StatusCode::OK,
            &BulkDeletedLinksSchema {
                deleted_count: links::delete_links(ctx, &principal, request.query("linkIds"))
                    .await? as u64,
            },
        ),
        Endpoint::CreatePartnerLink => json(
            StatusCode::CREATED,
            &labelled_one(
                ctx,
                &links::create_partner_link(ctx, &principal, request.json()?).await?,
            )
            .await?,
        ),
        Endpoint::ListDomains => {
            let program = programs::caller_program(ctx, &principal, Scope::LinksRead).await?;
            let search = request
                .query("search")
                .unwrap_or_default()
                .to_ascii_lowercase();
            let archived = request.query("archived") == Some("true");
            let page = pages::page_number(&request)?.unwrap_or(1);
            let domain = DomainSchema::of(&program);
            let listed =
                (page == 1 && !archived && domain.slug.contains(&search)).then_some(domain);
            json(StatusCode::OK, &listed.into_iter().collect::<Vec<_>>())
        }
        Endpoint::ManageDomain => {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "A program's short-link domain is set when it is deployed (its DNS and certificate \
                 live in your account); it cannot be added, registered, changed or removed here.",
            ));
        }
        Endpoint::UpsertPartnerLink => json(
            StatusCode::OK,
            &labelled_one(
                ctx,
                &links::upsert_partner_link(ctx, &principal, request.json()?).await?,
            )
            .await?,
        ),
        Endpoint::ListPartnerLinks => {
            let partner_id = request.query("partnerId");
            let tenant_id = request.query("tenantId");
            let found = links::list_partner_links(ctx, &principal, partner_id, tenant_id).await?;
            json(StatusCode::OK, &labelled(ctx, &found).await?)
        }
        Endpoint::Label(which) => {
            labels::endpoint(ctx, &principal, which, &found.params, &request).await?
        }
        Endpoint::TrackClick | Endpoint::TrackReferral | Endpoint::QrCode => {
            unreachable!("handled above")
        }
    };
    Ok(response)
}

/// The tracking endpoints accept a request without a credential (Dub's allowed hostnames).
async fn tracking(
    ctx: &AppContext,
    services: &track::TrackServices,
    endpoint: Endpoint,
    request: ApiRequest,
    client_ip: &str,
) -> Result<ApiResponse, ApiError> {
    let principal = optional_principal(ctx, &request).await?;
    let page_host = page_host(&request);
    let caller = track::Caller {
        principal,
        page_host: page_host.as_deref(),
        user_agent: request.header("user-agent").unwrap_or_default(),
        client_ip,
        country: request.header("cloudfront-viewer-country"),
    };
    Ok(if endpoint == Endpoint::TrackClick {
        let body = request.json()?;
        json(
            StatusCode::OK,
            &track::track_click(ctx, services, caller, body).await?,
        )
    } else {
        let body = request.json()?;
        json(
            StatusCode::OK,
            &track::track_referral(ctx, services, caller, body).await?,
        )
    })
}

async fn optional_principal(
    ctx: &AppContext,
    request: &ApiRequest,
) -> Result<Option<Principal>, ApiError> {
    match ctx.auth.authenticate(&request.headers).await {
        Ok(principal) => Ok(Some(principal)),
        Err(AuthenticateError::Denied(AuthError::Missing)) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// The host of the page that called: `Origin`, else `Referer`.
fn page_host(request: &ApiRequest) -> Option<String> {
    ["origin", "referer"].iter().find_map(|name| {
        let value = request.header(name)?;
        url::Url::parse(value)
            .ok()?
            .host_str()
            .map(str::to_ascii_lowercase)
    })
}

#[cfg(test)]
mod sample_events;

fn bad_request(message: &str) -> ApiError {
    ApiError::new(ErrorCode::BadRequest, message)
}

/// Dub's link filters from the query.
fn link_filter(request: &ApiRequest) -> Result<links::LinkFilter, ApiError> {
    let show_archived = match request.query("showArchived") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(bad_request("`showArchived` must be true or false.")),
    };
    let text = |name: &str| request.query(name).map(str::to_owned);
    Ok(links::LinkFilter {
        domain: text("domain"),
        tenant_id: text("tenantId"),
        folder_id: text("folderId"),
        search: text("search").filter(|s| !s.is_empty()),
        show_archived,
        tag_ids: ["tagId", "tagIds"]
            .iter()
            .flat_map(|name| labels::list_query(request, name))
            .collect(),
        tag_names: labels::list_query(request, "tagNames"),
    })
}

/// Where the page starts (`page`, `startingAfter` or `endingBefore`: at most one) and its size
/// (`pageSize`, 1 to 100, Dub's default 100).
fn link_page(request: &ApiRequest) -> Result<(links::LinkPage, u32), ApiError> {
    let size = request.page_size(100)?;
    let after = request.query("startingAfter").map(str::to_owned);
    let before = request.query("endingBefore").map(str::to_owned);
    let number = pages::page_number(request)?;
    let page = match (number, after, before) {
        (None, None, None) => links::LinkPage::Number(1),
        (Some(number), None, None) => links::LinkPage::Number(number),
        (None, Some(after), None) => links::LinkPage::StartingAfter(after),
        (None, None, Some(before)) => links::LinkPage::EndingBefore(before),
        _ => {
            return Err(bad_request(
                "Give at most one of `page`, `startingAfter` and `endingBefore`.",
            ));
        }
    };
    Ok((page, size))
}

/// Dub's `GET /qr`: public, as it is put in `<img>` tags; the same query draws the same image,
/// so browsers and CDNs may keep it for a day.
fn qr_code(request: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let png = links::qr::QrRequest::parse(&request.query)?.render_png()?;
    let mut response = http::Response::new(png);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("image/png"),
    );
    headers.insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("public, max-age=86400"),
    );
    Ok(response)
}
