//! The browser pages, embedded in the binary (no build step, nothing else to start):
//! `/` login, `/board` the dispatcher's Gantt board with map, `/tech` the technician's route
//! page, `/sw.js` its service worker, and `/assets/*` the ES modules and stylesheets.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

/// An embedded file: name under `/assets/`, content type, content.
type Asset = (&'static str, &'static str, &'static str);

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

macro_rules! asset {
    ($name:literal, $ty:expr) => {
        ($name, $ty, include_str!(concat!("assets/", $name)))
    };
}

/// Every file under `/assets/`.
static ASSETS: &[Asset] = &[
    asset!("app.css", CSS),
    asset!("board.css", CSS),
    asset!("tech.css", CSS),
    asset!("api.js", JS),
    asset!("login.js", JS),
    asset!("board.js", JS),
    asset!("gantt.js", JS),
    asset!("queue.js", JS),
    asset!("dnd.js", JS),
    asset!("map.js", JS),
    asset!("live.js", JS),
    asset!("optimize.js", JS),
    asset!("tech.js", JS),
    asset!("stops.js", JS),
    asset!("outbox.js", JS),
    asset!("signature.js", JS),
    asset!("report.js", JS),
    asset!("util.js", JS),
    asset!("desk.css", CSS),
    asset!("desk.js", JS),
    asset!("desk_common.js", JS),
    asset!("desk_ticket.js", JS),
    asset!("desk_compose.js", JS),
    asset!("desk_presence.js", JS),
    asset!("desk_side.js", JS),
    asset!("kb_editor.js", JS),
    asset!("kb_editor_markdown.js", JS),
    asset!("plans.css", CSS),
    asset!("plans.js", JS),
    asset!("charts.js", JS),
    asset!("dashboard.js", JS),
    asset!("manifest.webmanifest", "application/manifest+json"),
    asset!("icon.svg", "image/svg+xml"),
    asset!("portal.css", CSS),
    asset!("portal.js", JS),
    asset!("portal_kb.js", JS),
    asset!("kb_public.js", JS),
    asset!("desk_reports.css", CSS),
    asset!("desk_reports.js", JS),
];

const LOGIN_PAGE: &str = include_str!("assets/index.html");
const BOARD_PAGE: &str = include_str!("assets/board.html");
const TECH_PAGE: &str = include_str!("assets/tech.html");
const DESK_PAGE: &str = include_str!("assets/desk.html");
const DESK_TICKET_PAGE: &str = include_str!("assets/desk_ticket.html");
const KB_EDITOR_PAGE: &str = include_str!("assets/kb_editor.html");
const PLANS_PAGE: &str = include_str!("assets/plans.html");
const DASHBOARD_PAGE: &str = include_str!("assets/dashboard.html");
/// The portal pages (customer app and public help centre) share their head: each page file
/// starts with its `<title>` and is served after `portal_head.html`.
const PORTAL_PAGE: &str = concat!(
    include_str!("assets/portal_head.html"),
    include_str!("assets/portal.html")
);
const KB_PUBLIC_PAGE: &str = concat!(
    include_str!("assets/portal_head.html"),
    include_str!("assets/kb_public.html")
);
const DESK_REPORTS_PAGE: &str = include_str!("assets/desk_reports.html");
const SERVICE_WORKER: &str = include_str!("assets/sw.js");

/// Page routes (no authentication here: the pages call the API, which checks it).
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(|| async { page(LOGIN_PAGE) }))
        .route("/login", get(|| async { Redirect::to("/") }))
        .route("/board", get(|| async { page(BOARD_PAGE) }))
        .route("/tech", get(|| async { page(TECH_PAGE) }))
        .route("/plans", get(|| async { page(PLANS_PAGE) }))
        .route("/dashboard", get(|| async { page(DASHBOARD_PAGE) }))
        .route("/desk", get(|| async { page(DESK_PAGE) }))
        .route(
            "/desk/tickets/{id}",
            get(|| async { page(DESK_TICKET_PAGE) }),
        )
        .route("/desk/kb", get(|| async { page(KB_EDITOR_PAGE) }))
        .route("/desk/reports", get(|| async { page(DESK_REPORTS_PAGE) }))
        .route("/portal", get(|| async { page(PORTAL_PAGE) }))
        .route("/portal/{org}", get(|| async { page(KB_PUBLIC_PAGE) }))
        .route(
            "/portal/{org}/kb/{slug}",
            get(|| async { page(KB_PUBLIC_PAGE) }),
        )
        .route(
            "/portal/survey/{token}",
            get(|| async { page(KB_PUBLIC_PAGE) }),
        )
        .route("/sw.js", get(service_worker))
        .route("/assets/{name}", get(asset))
}

fn page(html: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HTML),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response()
}

async fn service_worker() -> Response {
    let mut response = ([(header::CONTENT_TYPE, JS)], SERVICE_WORKER).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("service-worker-allowed", HeaderValue::from_static("/"));
    response
}

/// The embedded file `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|(n, _, _)| *n == name)
}

async fn asset(Path(name): Path<String>) -> Response {
    match find(&name) {
        Some((_, ty, body)) => (
            [
                (header::CONTENT_TYPE, *ty),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
        None => crate::error::ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no asset {name}"),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_pages_are_whole_documents_with_their_own_title() {
        for (html, title) in [
            (PORTAL_PAGE, "<title>Support portal</title>"),
            (KB_PUBLIC_PAGE, "<title>Help centre</title>"),
        ] {
            assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset"));
            assert_eq!(html.matches("<title>").count(), 1);
            let head_end = html.find("</head>").expect("head closed");
            assert!(html.find(title).is_some_and(|at| at < head_end));
            assert!(html
                .find("/assets/portal.css")
                .is_some_and(|at| at < head_end));
        }
    }

    #[test]
    fn pages_reference_only_embedded_assets() {
        for html in [
            LOGIN_PAGE,
            BOARD_PAGE,
            TECH_PAGE,
            SERVICE_WORKER,
            DESK_PAGE,
            DESK_TICKET_PAGE,
            KB_EDITOR_PAGE,
            PORTAL_PAGE,
            KB_PUBLIC_PAGE,
            DESK_REPORTS_PAGE,
            PLANS_PAGE,
            DASHBOARD_PAGE,
        ] {
            for part in html.split("/assets/").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
                    .collect();
                // `startsWith('/assets/')` in the service worker is a prefix test, not a file.
                if name.is_empty() {
                    continue;
                }
                assert!(find(&name).is_some(), "missing embedded asset {name}");
            }
        }
    }
}
