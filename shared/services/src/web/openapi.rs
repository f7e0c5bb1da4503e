//! The API's OpenAPI 3.1 document, assembled from the routes themselves.
//!
//! Each HTTP function describes its endpoints with an exhaustive `match` over its `Endpoint`
//! enum (`functions/*/src/openapi.rs`), so an endpoint cannot be added without a description;
//! methods and paths come from the function's `ROUTES` table, so the document cannot list a
//! route the router does not serve, or miss one it does. Request and response schemas are the
//! wire models' own types (`shared::wire`, derived with utoipa), the same structs that write the
//! responses. `local-stack`'s `openapi` test writes the document to `docs/openapi.json` and fails
//! when the committed copy differs; program-admin serves that copy at `GET /openapi.json`.

use super::{ErrorCode, Route};
use http::{Method, StatusCode};
use std::collections::BTreeMap;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, Content, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, Paths, Ref, RefOr,
    Required, ResponseBuilder, Schema,
};
use utoipa::{PartialSchema, ToSchema};

/// Who may call an operation. Every credential is a bearer token in `Authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No credential (the short link's QR code, StackBE's apply form, this document).
    Public,
    /// A program API key (`plk_…`, with the scope the operation names) or the admin token.
    ProgramKey,
    /// The admin token only (creating programs and keys).
    AdminToken,
    /// A partner's session (`POST /partners/sessions`).
    PartnerSession,
    /// No credential from an allowed page, or a program key from a backend (click tracking).
    PageOrProgramKey,
    /// No header, but a one-time token in the body (the embed page's session trade): a bad
    /// token is 401.
    TokenInBody,
}

/// What a successful response carries.
#[derive(Clone)]
enum Payload {
    Json(Box<RefOr<Schema>>),
    Png,
    Csv,
    /// A page or one of its assets, of this media type.
    Text(&'static str),
    Nothing,
}

/// One endpoint's description: everything but its method and path, which its route gives.
#[derive(Clone)]
pub struct Operation {
    summary: &'static str,
    access: Access,
    query: Vec<(&'static str, bool, RefOr<Schema>, &'static str)>,
    body: Option<RefOr<Schema>>,
    status: StatusCode,
    payload: Payload,
    schemas: BTreeMap<String, RefOr<Schema>>,
}

impl Operation {
    pub fn new(summary: &'static str, access: Access) -> Self {
        Self {
            summary,
            access,
            query: Vec::new(),
            body: None,
            status: StatusCode::OK,
            payload: Payload::Nothing,
            schemas: BTreeMap::new(),
        }
    }

    /// An optional query parameter of type `T` (`String`, `u32`, `bool`, or a wire enum).
    pub fn query<T: PartialSchema>(mut self, name: &'static str, about: &'static str) -> Self {
        self.query.push((name, false, T::schema(), about));
        self
    }

    /// A query parameter the operation cannot do without.
    pub fn required_query<T: PartialSchema>(
        mut self,
        name: &'static str,
        about: &'static str,
    ) -> Self {
        self.query.push((name, true, T::schema(), about));
        self
    }

    /// Dub's list paging: `page` and `pageSize` (1 to 100).
    pub fn paged(self) -> Self {
        self.query::<u32>("page", "Page number, from 1 (at most 100).")
            .query::<u32>("pageSize", "Items per page, 1 to 100.")
    }

    /// A JSON request body of type `T`.
    pub fn body<T: ToSchema>(mut self) -> Self {
        self.body = Some(self.component::<T>());
        self
    }

    /// A JSON response of type `T` with this status.
    pub fn returns<T: ToSchema>(mut self, status: StatusCode) -> Self {
        self.payload = Payload::Json(Box::new(self.component::<T>()));
        self.status = status;
        self
    }

    /// A JSON array of `T` (200).
    pub fn returns_list<T: ToSchema>(mut self) -> Self {
        let items = self.component::<T>();
        self.payload = Payload::Json(Box::new(ArrayBuilder::new().items(items).into()));
        self.status = StatusCode::OK;
        self
    }

    /// A JSON value described inline (a count, a small object without a named schema).
    pub fn returns_inline<T: PartialSchema>(mut self, status: StatusCode) -> Self {
        self.payload = Payload::Json(Box::new(T::schema()));
        self.status = status;
        self
    }

    /// A PNG image (200).
    pub fn returns_png(mut self) -> Self {
        self.payload = Payload::Png;
        self.status = StatusCode::OK;
        self
    }

    /// A CSV file (200).
    pub fn returns_csv(mut self) -> Self {
        self.payload = Payload::Csv;
        self.status = StatusCode::OK;
        self
    }

    /// A page (`text/html`) or a page's script or style sheet (200).
    pub fn returns_text(mut self, media_type: &'static str) -> Self {
        self.payload = Payload::Text(media_type);
        self.status = StatusCode::OK;
        self
    }

    /// No content (204).
    pub fn returns_nothing(mut self) -> Self {
        self.payload = Payload::Nothing;
        self.status = StatusCode::NO_CONTENT;
        self
    }

    /// Registers `T` and the schemas it refers to; answers a reference to it.
    fn component<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let mut found = Vec::new();
        T::schemas(&mut found);
        self.schemas.extend(found);
        self.schemas.insert(T::name().into_owned(), T::schema());
        RefOr::Ref(Ref::from_schema_name(T::name()))
    }
}

/// An operation at its method and path, with the name of the function that serves it.
#[derive(Clone)]
pub struct DocumentedRoute {
    pub method: Method,
    pub path: &'static str,
    pub function: &'static str,
    pub operation: Operation,
}

/// A function's routes, each described by `describe` (an exhaustive match on its endpoints).
pub fn document_routes<E: Copy>(
    function: &'static str,
    routes: &[Route<E>],
    describe: fn(E) -> Operation,
) -> Vec<DocumentedRoute> {
    routes
        .iter()
        .map(|route| DocumentedRoute {
            method: route.method.clone(),
            path: route.pattern,
            function,
            operation: describe(route.endpoint),
        })
        .collect()
}

/// The whole document from every function's routes.
pub fn document(routes: impl IntoIterator<Item = DocumentedRoute>) -> OpenApi {
    let mut paths = Paths::new();
    let mut schemas = BTreeMap::new();
    for route in routes {
        schemas.extend(route.operation.schemas.clone());
        let method = http_method(&route.method);
        let operation = operation(&route);
        let item = paths.paths.entry(route.path.to_owned()).or_default();
        let before = serde_json::to_value(&*item).expect("a path item serialises");
        assert!(
            before
                .get(route.method.as_str().to_ascii_lowercase())
                .is_none(),
            "{} {} is served by two functions",
            route.method,
            route.path
        );
        item.merge_operations(PathItem::new(method, operation));
    }
    let mut components = ComponentsBuilder::new()
        .schema("Error", error_envelope())
        .security_scheme(
            "programKey",
            bearer("A program API key (`plk_…`; `x-api-key` is accepted too)."),
        )
        .security_scheme("adminToken", bearer("The deployment's admin JWT (RS256)."))
        .security_scheme(
            "partnerSession",
            bearer("A partner's session token (`POST /partners/sessions`)."),
        );
    for (name, schema) in schemas {
        components = components.schema(name, schema);
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Partnerline API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "A partner and affiliate program API, compatible with Dub's partner-program \
                     endpoints and StackBE's `/v1/affiliate` endpoints. Errors use Dub's envelope. \
                     Short links are served on the program's own domain, not by this API.",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components.build()))
        .build()
}

fn http_method(method: &Method) -> HttpMethod {
    match *method {
        Method::GET => HttpMethod::Get,
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::PATCH => HttpMethod::Patch,
        Method::DELETE => HttpMethod::Delete,
        _ => unreachable!("routes use GET, POST, PUT, PATCH and DELETE only"),
    }
}

/// `get_links_count`, `patch_links_linkId`: unique, since method and path are.
fn operation_id(method: &Method, path: &str) -> String {
    let slug: String = path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let slug = slug
        .split('_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    format!("{}_{slug}", method.as_str().to_ascii_lowercase())
}

fn operation(route: &DocumentedRoute) -> utoipa::openapi::path::Operation {
    let described = &route.operation;
    let mut builder = OperationBuilder::new()
        .operation_id(Some(operation_id(&route.method, route.path)))
        .summary(Some(described.summary))
        .tag(route.function)
        .securities(Some(security(described.access)));
    for name in path_parameters(route.path) {
        builder = builder.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(String::schema())),
        );
    }
    for (name, required, schema, about) in &described.query {
        builder = builder.parameter(
            ParameterBuilder::new()
                .name(*name)
                .parameter_in(ParameterIn::Query)
                .required(if *required {
                    Required::True
                } else {
                    Required::False
                })
                .description(Some(*about))
                .schema(Some(schema.clone())),
        );
    }
    if let Some(body) = &described.body {
        builder = builder.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("application/json", Content::new(Some(body.clone())))
                .build(),
        ));
    }
    builder = builder.response(described.status.as_str(), success(&described.payload));
    for status in error_statuses(described) {
        builder = builder.response(
            status.as_str(),
            ResponseBuilder::new()
                .description(status.canonical_reason().unwrap_or("Error"))
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("Error"))),
                ),
        );
    }
    builder.build()
}

fn success(payload: &Payload) -> utoipa::openapi::Response {
    let response = ResponseBuilder::new().description("Success");
    match payload {
        Payload::Json(schema) => response.content(
            "application/json",
            Content::new(Some(schema.as_ref().clone())),
        ),
        Payload::Png => response.content(
            "image/png",
            Content::new(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .content_media_type("image/png"),
            )),
        ),
        Payload::Csv => response.content(
            "text/csv",
            Content::new(Some(ObjectBuilder::new().schema_type(Type::String))),
        ),
        Payload::Text(media_type) => response.content(
            *media_type,
            Content::new(Some(ObjectBuilder::new().schema_type(Type::String))),
        ),
        Payload::Nothing => response,
    }
    .build()
}

/// The errors an operation can answer, all in Dub's envelope. Every operation may meet bad
/// input, a missing record, a conflict, a limit or rate limit; a credential adds 401 and 403.
fn error_statuses(operation: &Operation) -> Vec<StatusCode> {
    let mut statuses = vec![
        StatusCode::BAD_REQUEST,
        StatusCode::NOT_FOUND,
        StatusCode::CONFLICT,
        StatusCode::GONE,
        StatusCode::UNPROCESSABLE_ENTITY,
        StatusCode::TOO_MANY_REQUESTS,
    ];
    if operation.access != Access::Public {
        statuses.extend([StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN]);
    }
    if operation.body.is_some() {
        statuses.extend([
            StatusCode::PAYLOAD_TOO_LARGE,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ]);
    }
    statuses.sort();
    statuses
}

fn security(access: Access) -> Vec<SecurityRequirement> {
    let scheme = |name: &str| SecurityRequirement::new(name, Vec::<String>::new());
    match access {
        Access::Public => vec![SecurityRequirement::default()],
        Access::ProgramKey => vec![scheme("programKey"), scheme("adminToken")],
        Access::AdminToken => vec![scheme("adminToken")],
        Access::PartnerSession => vec![scheme("partnerSession")],
        Access::PageOrProgramKey => vec![SecurityRequirement::default(), scheme("programKey")],
        Access::TokenInBody => vec![SecurityRequirement::default()],
    }
}

fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
}

fn bearer(about: &str) -> SecurityScheme {
    let mut http = Http::new(HttpAuthScheme::Bearer);
    http.description = Some(about.to_owned());
    SecurityScheme::Http(http)
}

/// Dub's error envelope: `{"error": {"code", "message", "doc_url"}}`.
fn error_envelope() -> Schema {
    let codes = ErrorCode::ALL.map(|code| code.as_str());
    let error = ObjectBuilder::new()
        .property(
            "code",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(codes)),
        )
        .property("message", ObjectBuilder::new().schema_type(Type::String))
        .property("doc_url", ObjectBuilder::new().schema_type(Type::String))
        .required("code")
        .required("message")
        .required("doc_url");
    ObjectBuilder::new()
        .property("error", error)
        .required("error")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_follow_method_and_path() {
        assert_eq!(
            operation_id(&Method::GET, "/links/count"),
            "get_links_count"
        );
        assert_eq!(
            operation_id(&Method::PATCH, "/links/{linkId}"),
            "patch_links_linkId"
        );
    }

    #[test]
    fn path_parameters_are_the_braced_segments() {
        let names: Vec<_> = path_parameters("/programs/{programId}/groups/{groupId}").collect();
        assert_eq!(names, ["programId", "groupId"]);
    }
}
