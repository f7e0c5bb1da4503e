//! The API's OpenAPI document, from every HTTP function's routes: the local stack serves all of
//! them, so this is where they meet. The test below keeps `docs/openapi.json` (the copy that
//! program-admin serves at `GET /openapi.json`) equal to what the code describes.

/// The document as committed: pretty JSON and a final newline.
pub fn document_json() -> String {
    let routes = [
        program_admin::openapi::routes(),
        partner_applications::openapi::routes(),
        link_admin::openapi::routes(),
        webhook_admin::openapi::routes(),
        partner_portal::openapi::routes(),
        partner_admin::openapi::routes(),
        conversion_tracking::openapi::routes(),
        commission_admin::openapi::routes(),
        stripe_webhook::openapi::routes(),
        analytics::openapi::routes(),
    ]
    .concat();
    let document = shared::web::openapi::document(routes);
    let mut text = document.to_pretty_json().expect("the document serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");

    /// Run with `UPDATE_OPENAPI=1` to rewrite the committed copy after changing a route or a
    /// wire model; review the diff as part of the change.
    #[test]
    fn the_committed_document_is_the_one_the_code_describes() {
        let generated = document_json();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            // program-admin's embedded copy is rebuilt from this file by the next build.
            std::fs::write(COMMITTED, &generated).expect("docs/openapi.json is writable");
            return;
        }
        let committed = std::fs::read_to_string(COMMITTED).expect("docs/openapi.json exists");
        assert!(
            committed == generated,
            "docs/openapi.json differs from the routes and wire models: run \
             `UPDATE_OPENAPI=1 cargo test -p local-stack openapi` and commit the result"
        );
        assert_eq!(program_admin::OPENAPI_DOCUMENT, committed);
    }

    /// Every route of every HTTP function is an operation of the document, once.
    #[test]
    fn the_document_lists_every_route() {
        let document: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
        let operations: usize = document["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| item.as_object().unwrap().len())
            .sum();
        let routes = program_admin::ROUTES.len()
            + partner_applications::ROUTES.len()
            + link_admin::ROUTES.len()
            + webhook_admin::ROUTES.len()
            + partner_portal::ROUTES.len()
            + partner_admin::ROUTES.len()
            + conversion_tracking::ROUTES.len()
            + commission_admin::ROUTES.len()
            + stripe_webhook::ROUTES.len()
            + analytics::ROUTES.len();
        assert_eq!(operations, routes);
    }
}
