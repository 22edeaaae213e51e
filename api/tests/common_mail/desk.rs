//! Shared steps of the e-mail channel tests: posting raw mail, configuring an organisation's
//! mail settings, reading tickets, delivering the outbox and reading headers.

use super::{ImapServer, SmtpSink};
use crate::common::{Org, Resp, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use fieldpath_api::desk::email::outbox;
use mail_parser::MessageParser;
use serde_json::{json, Value};

/// Posts a raw message to the inbound endpoint with `token`.
pub async fn inbound(app: &TestApp, token: &str, raw: &str) -> Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/inbound/email")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "message/rfc822")
        .body(Body::from(raw.to_string()))
        .expect("request");
    app.raw(req).await
}

/// A plain message.
pub fn mail(from: &str, subject: &str, id: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: support@desk.test\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n{extra_headers}\r\n{body}\r\n"
    )
}

/// Mail settings for the organisation (SMTP to `smtp` if given); answers its inbound token.
pub async fn configure(
    app: &TestApp,
    org: &Org,
    smtp: Option<&SmtpSink>,
    imap: Option<&ImapServer>,
) -> String {
    let mut settings = json!({
        "support_address": format!("support@{}.test", org.slug),
        "support_name": "Acme Support",
        "portal_url": "https://portal.acme.test",
    });
    if let Some(s) = smtp {
        settings["smtp_host"] = json!("127.0.0.1");
        settings["smtp_port"] = json!(s.port);
        settings["smtp_security"] = json!("none");
    }
    if let Some(i) = imap {
        settings["imap_enabled"] = json!(true);
        settings["imap_host"] = json!("127.0.0.1");
        settings["imap_port"] = json!(i.port);
        settings["imap_security"] = json!("none");
        settings["imap_username"] = json!(i.user);
        settings["imap_password"] = json!(i.password);
    }
    let r = app
        .send(
            Method::PUT,
            "/api/v1/desk/email/settings",
            Some(&org.admin),
            Some(settings),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["smtp_password_set"], false);
    let t = app
        .post("/api/v1/desk/email/inbound-token", &org.admin, json!({}))
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    t.body["token"].as_str().expect("token").to_string()
}

pub async fn ticket(app: &TestApp, org: &Org, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/tickets/{id}"), &org.agent).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

pub async fn messages(app: &TestApp, org: &Org, id: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/tickets/{id}/messages"), &org.agent)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

/// Delivers the outbox until the SMTP sink holds `n` messages (or 10 s pass) and answers
/// them. The outbox is drained by every test of a binary, so another test may be the one
/// delivering this organisation's mail, and its messages may arrive in any order.
pub async fn delivered(app: &TestApp, sink: &SmtpSink, n: usize) -> Vec<Vec<u8>> {
    for _ in 0..200 {
        let report = outbox::drain_once(&app.pool).await.expect("drain");
        assert_eq!(report.failed, 0, "{report:?}");
        let sent = sink.messages();
        if sent.len() >= n {
            return sent;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sink.messages()
}

pub fn header(raw: &[u8], name: &str) -> String {
    let msg = MessageParser::default().parse(raw).expect("parsed");
    msg.header_raw(name).unwrap_or_default().trim().to_string()
}
