//! Board endpoints against the real PostgreSQL: preview validation, saving moves with
//! versions, lock/unassign, technician stop status, live events over SSE, org scoping, pages.

mod board_support;
mod common;

use axum::http::{Method, StatusCode};
use board_support::{codes, request, App};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;
use tower::ServiceExt;

const DAY: &str = "2031-03-04";

#[tokio::test]
async fn preview_reports_skills_shift_window_and_overlaps() {
    let app = App::new().await;
    let f = app.fixture().await;
    let wo = app.work_order(&f, DAY, 9, 11, "plumbing").await;

    let ok = app
        .post(
            "/api/v1/board/preview",
            &f.dispatcher,
            json!({"work_order_id": wo, "technician_id": f.tech, "start": format!("{DAY}T09:30:00Z")}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(codes(&ok.body).is_empty(), "{}", ok.body);
    assert_eq!(ok.body["planned_end"], json!("2031-03-04T10:30:00Z"));
    assert_eq!(
        ok.body["travel_before"]["estimator"],
        json!("straight_line")
    );

    let wrong = app
        .post(
            "/api/v1/board/preview",
            &f.dispatcher,
            json!({"work_order_id": wo, "technician_id": f.other_tech, "start": format!("{DAY}T16:30:00Z")}),
        )
        .await;
    let c = codes(&wrong.body);
    assert!(c.contains(&"skill".into()), "{c:?}");
    assert!(c.contains(&"time_window".into()), "{c:?}");
    assert!(c.contains(&"outside_shift".into()), "{c:?}");

    let lunch = app
        .post(
            "/api/v1/board/preview",
            &f.dispatcher,
            json!({"work_order_id": wo, "technician_id": f.tech, "start": format!("{DAY}T11:30:00Z")}),
        )
        .await;
    assert!(
        codes(&lunch.body).contains(&"break".into()),
        "{}",
        lunch.body
    );

    // A second job right on top of the first one overlaps once the first is saved.
    let saved = app
        .post(
            "/api/v1/board/moves",
            &f.dispatcher,
            json!({"work_order_id": wo, "technician_id": f.tech, "start": format!("{DAY}T09:30:00Z")}),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let second = app.work_order(&f, DAY, 9, 11, "hvac").await;
    let clash = app
        .post(
            "/api/v1/board/preview",
            &f.dispatcher,
            json!({"work_order_id": second, "technician_id": f.tech, "start": format!("{DAY}T10:00:00Z")}),
        )
        .await;
    assert!(
        codes(&clash.body).contains(&"overlap".into()),
        "{}",
        clash.body
    );

    // Agents and technicians may not plan.
    let denied = app
        .post(
            "/api/v1/board/preview",
            &f.technician,
            json!({"work_order_id": wo, "technician_id": f.tech, "start": format!("{DAY}T09:30:00Z")}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn moves_persist_with_versions_and_locks() {
    let app = App::new().await;
    let f = app.fixture().await;
    let wo = app.work_order(&f, DAY, 8, 16, "hvac").await;
    let start = format!("{DAY}T09:00:00Z");
    let created = app
        .post(
            "/api/v1/board/moves",
            &f.dispatcher,
            json!({"work_order_id": wo, "technician_id": f.tech, "start": start}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let a = created.body["assignment"].clone();
    let id = a["id"].as_str().unwrap_or_default().to_string();
    let version = a["version"].as_i64().unwrap_or_default();

    // The day view shows it, with the job out of the queue.
    let day = app
        .get(&format!("/api/v1/board/day?date={DAY}"), &f.dispatcher)
        .await;
    assert_eq!(day.status, StatusCode::OK);
    assert_eq!(day.body["assignments"][0]["id"], json!(id));
    assert!(day.body["unassigned"].as_array().is_some_and(Vec::is_empty));

    // Someone else planning the same job without knowing → 409.
    let again = app
        .post(
            "/api/v1/board/moves",
            &f.dispatcher,
            json!({"work_order_id": wo, "technician_id": f.tech, "start": start}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // A move based on a stale version → 412.
    let stale = app
        .post(
            "/api/v1/board/moves",
            &f.dispatcher,
            json!({"work_order_id": wo, "assignment_id": id, "version": version - 1, "technician_id": f.tech, "start": format!("{DAY}T10:00:00Z")}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    // Violations need the dispatcher's confirmation.
    let skill = app
        .post(
            "/api/v1/board/moves",
            &f.dispatcher,
            json!({"work_order_id": wo, "assignment_id": id, "version": version, "technician_id": f.other_tech, "start": start}),
        )
        .await;
    assert_eq!(skill.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(skill.body["error"]["code"], json!("violations"));

    let moved = app
        .post(
            "/api/v1/board/moves",
            &f.dispatcher,
            json!({"work_order_id": wo, "assignment_id": id, "version": version, "technician_id": f.tech, "start": format!("{DAY}T10:00:00Z")}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let version = moved.body["assignment"]["version"]
        .as_i64()
        .unwrap_or_default();

    let locked = app
        .post(
            &format!("/api/v1/board/assignments/{id}/lock"),
            &f.dispatcher,
            json!({"locked": true, "version": version}),
        )
        .await;
    assert_eq!(locked.status, StatusCode::OK, "{}", locked.body);
    assert_eq!(locked.body["locked"], json!(true));
    let version = locked.body["version"].as_i64().unwrap_or_default();

    let blocked = app
        .post(
            "/api/v1/board/moves",
            &f.dispatcher,
            json!({"work_order_id": wo, "assignment_id": id, "version": version, "technician_id": f.tech, "start": format!("{DAY}T11:00:00Z"), "accept_violations": true}),
        )
        .await;
    assert_eq!(
        blocked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        blocked.body
    );
    let unassign = app
        .post(
            &format!("/api/v1/board/assignments/{id}/unassign"),
            &f.dispatcher,
            json!({"version": version}),
        )
        .await;
    assert_eq!(unassign.status, StatusCode::CONFLICT);

    let unlocked = app
        .post(
            &format!("/api/v1/board/assignments/{id}/lock"),
            &f.dispatcher,
            json!({"locked": false, "version": version}),
        )
        .await;
    let version = unlocked.body["version"].as_i64().unwrap_or_default();
    let removed = app
        .post(
            &format!("/api/v1/board/assignments/{id}/unassign"),
            &f.dispatcher,
            json!({"version": version}),
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let day = app
        .get(&format!("/api/v1/board/day?date={DAY}"), &f.dispatcher)
        .await;
    assert_eq!(day.body["unassigned"][0]["id"], json!(wo));
}

/// Reads SSE frames until one of `kind` arrives (or times out).
async fn next_event(
    stream: &mut (impl futures_util::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin),
    kind: &str,
) -> Option<Value> {
    let mut buffer = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(pos) = buffer.find(&format!("event: {kind}\n")) {
            let rest = &buffer[pos..];
            if let Some(end) = rest.find("\n\n") {
                let data = rest[..end].lines().find_map(|l| l.strip_prefix("data: "))?;
                return serde_json::from_str(data).ok();
            }
        }
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .ok()??
            .ok()?;
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn live_events_reach_the_own_organisation_only() {
    let app = App::new().await;
    let f = app.fixture().await;
    let stranger = app.fixture().await;
    let open = |token: &str| {
        app.router
            .clone()
            .oneshot(request(Method::GET, "/api/v1/events", token, None))
    };
    let mine = open(&f.dispatcher).await.expect("events");
    assert_eq!(mine.status(), StatusCode::OK);
    let mut mine = mine.into_body().into_data_stream();
    let mut theirs = open(&stranger.dispatcher)
        .await
        .expect("events")
        .into_body()
        .into_data_stream();
    assert!(next_event(&mut mine, "ready").await.is_some());
    assert!(next_event(&mut theirs, "ready").await.is_some());

    let wo = app.work_order(&f, DAY, 8, 16, "hvac").await;
    let saved = app
        .post(
            "/api/v1/board/moves",
            &f.dispatcher,
            json!({"work_order_id": wo, "technician_id": f.tech, "start": format!("{DAY}T09:00:00Z")}),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED);
    let event = next_event(&mut mine, "assignment.changed")
        .await
        .expect("event");
    assert_eq!(event["work_order_id"], json!(wo));

    // The technician reports progress: the work order moves along and the board hears it.
    for (status, wo_status) in [
        ("on_my_way", "dispatched"),
        ("arrived", "in_progress"),
        ("completed", "completed"),
    ] {
        let r = app
            .post(
                &format!("/api/v1/board/my-route/stops/{wo}/status"),
                &f.technician,
                json!({"status": status, "client_id": format!("c-{status}")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["work_order_status"], json!(wo_status));
        let e = next_event(&mut mine, "stop.status")
            .await
            .expect("stop event");
        assert_eq!(e["status"], json!(status));
    }
    // The offline queue may send the same update twice.
    let dup = app
        .post(
            &format!("/api/v1/board/my-route/stops/{wo}/status"),
            &f.technician,
            json!({"status": "completed", "client_id": "c-completed"}),
        )
        .await;
    assert_eq!(dup.body["duplicate"], json!(true));

    let position = app
        .post(
            "/api/v1/board/position",
            &f.technician,
            json!({"lat": 43.74, "lon": 7.43}),
        )
        .await;
    assert_eq!(position.status, StatusCode::OK, "{}", position.body);
    let e = next_event(&mut mine, "position")
        .await
        .expect("position event");
    assert_eq!(e["technician_id"], json!(f.tech));

    // Nothing of this reached the other organisation.
    let quiet = tokio::time::timeout(Duration::from_millis(300), theirs.next()).await;
    assert!(quiet.is_err(), "the other organisation got an event");
}

#[tokio::test]
async fn data_is_scoped_to_the_organisation() {
    let app = App::new().await;
    let f = app.fixture().await;
    let other = app.fixture().await;
    let wo = app.work_order(&f, DAY, 8, 16, "hvac").await;
    let foreign = app
        .post(
            "/api/v1/board/preview",
            &other.dispatcher,
            json!({"work_order_id": wo, "technician_id": other.tech, "start": format!("{DAY}T09:00:00Z")}),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let day = app
        .get(&format!("/api/v1/board/day?date={DAY}"), &other.dispatcher)
        .await;
    assert!(day.body["unassigned"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(day.body["technicians"].as_array().map(Vec::len), Some(2));
    let status = app
        .post(
            &format!("/api/v1/board/my-route/stops/{wo}/status"),
            &other.technician,
            json!({"status": "on_my_way"}),
        )
        .await;
    assert_eq!(status.status, StatusCode::NOT_FOUND);
    let denied = app.get("/api/v1/board/day", &f.technician).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let agent = app.get("/api/v1/board/day", &f.agent).await;
    assert_eq!(agent.status, StatusCode::OK);
}

#[tokio::test]
async fn technician_route_lists_stops_in_order() {
    let app = App::new().await;
    let f = app.fixture().await;
    let late = app.work_order(&f, DAY, 8, 16, "hvac").await;
    let early = app.work_order(&f, DAY, 8, 16, "hvac").await;
    for (wo, hour) in [(late, 14), (early, 9)] {
        let r = app
            .post(
                "/api/v1/board/moves",
                &f.dispatcher,
                json!({"work_order_id": wo, "technician_id": f.tech, "start": format!("{DAY}T{hour}:00:00Z")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let route = app
        .get(&format!("/api/v1/board/my-route?date={DAY}"), &f.technician)
        .await;
    assert_eq!(route.status, StatusCode::OK, "{}", route.body);
    assert_eq!(route.body["stops"][0]["work_order"]["id"], json!(early));
    assert_eq!(route.body["stops"][1]["work_order"]["id"], json!(late));
    assert_eq!(route.body["stops"][1]["sequence"], json!(1));
    assert!(route.body["stops"][0]["nav"]["geo"]
        .as_str()
        .is_some_and(|g| g.starts_with("geo:")));
    assert!(route.body["geometry"]
        .as_array()
        .is_some_and(|g| g.len() >= 3));
}

#[tokio::test]
async fn pages_and_assets_are_served() {
    let app = App::new().await;
    for (path, ty) in [
        ("/", "text/html"),
        ("/board", "text/html"),
        ("/tech", "text/html"),
        ("/sw.js", "text/javascript"),
        ("/assets/board.js", "text/javascript"),
        ("/assets/app.css", "text/css"),
    ] {
        let res = app
            .router
            .clone()
            .oneshot(
                axum::http::Request::get(path)
                    .body(axum::body::Body::empty())
                    .expect("request"),
            )
            .await
            .expect("router");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(content_type.starts_with(ty), "{path}: {content_type}");
    }
    let missing = app.get("/assets/nope.js", "x").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
