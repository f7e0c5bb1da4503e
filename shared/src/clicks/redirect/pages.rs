//! The small pages the redirect answers with when it does not redirect.

pub const NOT_FOUND: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Link not found</title>\
<meta name=\"robots\" content=\"noindex\"></head><body style=\"font-family:sans-serif;text-align:center;padding-top:15vh\">\
<h1>Link not found</h1><p>This link does not exist or has been disabled.</p></body></html>";

pub const EXPIRED: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Link expired</title>\
<meta name=\"robots\" content=\"noindex\"></head><body style=\"font-family:sans-serif;text-align:center;padding-top:15vh\">\
<h1>Link expired</h1><p>This link has expired.</p></body></html>";

pub const UNAVAILABLE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Try again</title>\
<meta name=\"robots\" content=\"noindex\"></head><body style=\"font-family:sans-serif;text-align:center;padding-top:15vh\">\
<h1>Something went wrong</h1><p>Please try again in a moment.</p></body></html>";
