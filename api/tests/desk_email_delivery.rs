//! The help desk's e-mail channel against real mail servers on loopback: agents' replies and
//! notifications reach an SMTP server (aiosmtpd) threaded and rendered from the organisation's
//! templates; an IMAP mailbox (Dovecot) is polled into tickets and its mail marked seen.

mod common;
mod common_mail;

use axum::http::{Method, StatusCode};
use common::desk::resolve;
use common::TestApp;
use common_mail::desk::{configure, delivered, header, inbound, mail};
use common_mail::{ImapServer, SmtpSink};
use mail_parser::MessageParser;
use serde_json::json;

#[tokio::test]
async fn agent_replies_reach_smtp_threaded_and_templated() {
    let sink = SmtpSink::start();
    let app = TestApp::new().await;
    let org = app.org().await;
    let token = configure(&app, &org, Some(&sink), None).await;

    let first = inbound(
        &app,
        &token,
        &mail(
            "Bob <bob@example.test>",
            "Heating broken",
            "c1@example.test",
            "",
            "No heat since Monday.",
        ),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let id = first.body["ticket_id"]
        .as_str()
        .expect("ticket")
        .to_string();
    let number = first.body["ticket_number"]
        .as_str()
        .expect("number")
        .to_string();

    // The acknowledgement answers the customer's message.
    let sent = delivered(&app, &sink, 1).await;
    assert_eq!(sent.len(), 1);
    let ack = &sent[0];
    assert_eq!(header(ack, "In-Reply-To"), "<c1@example.test>");
    assert_eq!(header(ack, "Auto-Submitted"), "auto-generated");
    assert!(header(ack, "Subject").contains(&number));
    assert!(header(ack, "From").contains(&format!("support@{}.test", org.slug)));
    assert_eq!(header(ack, "To"), "bob@example.test");
    let ack_id = header(ack, "Message-ID");

    // An agent's public reply goes out threaded on the conversation; a note does not.
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/messages"),
            &org.agent,
            json!({"body": "A technician comes tomorrow."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let note = app
        .post(
            &format!("/api/v1/tickets/{id}/messages"),
            &org.agent,
            json!({"kind": "note", "body": "internal"}),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);
    let sent = delivered(&app, &sink, 2).await;
    assert_eq!(sent.len(), 2);
    let reply = &sent[1];
    assert_eq!(header(reply, "In-Reply-To"), ack_id);
    let references = header(reply, "References");
    assert!(
        references.starts_with("<c1@example.test>") && references.contains(&ack_id),
        "{references}"
    );
    assert_eq!(
        header(reply, "Subject"),
        format!("Re: [{number}] Heating broken")
    );
    assert!(header(reply, "Auto-Submitted").is_empty());
    let parsed = MessageParser::default().parse(reply).expect("parsed");
    let text = parsed.body_text(0).expect("text").to_string();
    assert!(
        text.contains("A technician comes tomorrow.") && !text.contains("internal"),
        "{text}"
    );
    assert!(
        text.contains("agent@"),
        "signed with the agent's name: {text}"
    );
    let reply_id = header(reply, "Message-ID");

    // The delivery status is recorded.
    let outbox = app
        .get("/api/v1/desk/email/outbox?status=sent", &org.admin)
        .await;
    assert_eq!(outbox.status, StatusCode::OK, "{}", outbox.body);
    assert_eq!(outbox.body["items"].as_array().map(Vec::len), Some(2));
    assert!(outbox.body["items"][0]["smtp_response"]
        .as_str()
        .unwrap_or_default()
        .starts_with("250"));

    // The customer's answer to our reply threads back onto the ticket.
    let answer = mail(
        "bob@example.test",
        "Re: Heating broken",
        "c2@example.test",
        &format!("In-Reply-To: {reply_id}\r\n"),
        "Great, thanks!",
    );
    let r = inbound(&app, &token, &answer).await;
    assert_eq!(r.body["outcome"], "threaded", "{}", r.body);
    assert_eq!(r.body["ticket_id"].as_str(), Some(id.as_str()));

    // An edited template changes the next e-mail; a broken one is refused.
    let bad = app
        .send(
            Method::PUT,
            "/api/v1/desk/email/templates/agent_replied",
            Some(&org.admin),
            Some(json!({"subject": "{{ ticket.nope }}", "body": "x"})),
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.field(), "subject");
    let by_agent = app
        .send(
            Method::PUT,
            "/api/v1/desk/email/templates/agent_replied",
            Some(&org.agent),
            Some(json!({"subject": "x", "body": "x"})),
            &[],
        )
        .await;
    assert_eq!(by_agent.status, StatusCode::FORBIDDEN);
    let custom = app
        .send(
            Method::PUT,
            "/api/v1/desk/email/templates/agent_replied",
            Some(&org.admin),
            Some(json!({"subject": "Update on {{ ticket.subject }}", "body": "Dear {{ requester.name }},\n{{ message.body }}\nTrack: {{ portal_url }}/t/{{ ticket.number }}"})),
            &[],
        )
        .await;
    assert_eq!(custom.status, StatusCode::OK, "{}", custom.body);
    assert_eq!(custom.body["customised"], true);
    app.post(
        &format!("/api/v1/tickets/{id}/messages"),
        &org.agent,
        json!({"body": "Parts ordered."}),
    )
    .await;
    let sent = delivered(&app, &sink, 3).await;
    assert_eq!(sent.len(), 3);
    let templated = &sent[2];
    assert_eq!(
        header(templated, "Subject"),
        format!("Update on Heating broken [{number}]")
    );
    let text = MessageParser::default()
        .parse(templated)
        .expect("parsed")
        .body_text(0)
        .expect("text")
        .to_string();
    assert!(
        text.contains("Dear bob,\nParts ordered.\nTrack: https://portal.acme.test/t/"),
        "{text}"
    );
    assert!(header(templated, "References").contains(&reply_id));

    // Resolving notifies with the resolved template; back to the default after a reset.
    let reset = app
        .delete("/api/v1/desk/email/templates/agent_replied", &org.admin, "")
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let etag = app
        .get(&format!("/api/v1/tickets/{id}"), &org.agent)
        .await
        .etag();
    let resolved = app
        .patch(
            &format!("/api/v1/tickets/{id}"),
            &org.agent,
            &etag,
            json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);
    let sent = delivered(&app, &sink, 4).await;
    assert_eq!(sent.len(), 4);
    assert_eq!(
        header(&sent[3], "Subject"),
        format!("[{number}] Resolved: Heating broken")
    );
    assert!(
        !text_of(&sent[3]).contains("/portal/survey/"),
        "no survey link without the service's public URL"
    );
}

fn text_of(raw: &[u8]) -> String {
    MessageParser::default()
        .parse(raw)
        .expect("parsed")
        .body_text(0)
        .expect("text")
        .to_string()
}

/// The survey link of a resolved e-mail, if any, split into (full URL, token).
fn survey_link(text: &str, base: &str) -> Option<(String, String)> {
    let prefix = format!("{base}/portal/survey/");
    let start = text.find(&prefix)?;
    let url: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let token = url[prefix.len()..].to_string();
    Some((url, token))
}

#[tokio::test]
async fn resolved_mail_carries_a_survey_link_that_lets_the_customer_rate() {
    let base = "https://help.acme.test/desk";
    let sink = SmtpSink::start();
    let app = TestApp::with_config(|c| c.public_url = Some(base.into())).await;
    let org = app.org().await;
    let token = configure(&app, &org, Some(&sink), None).await;
    let first = inbound(
        &app,
        &token,
        &mail(
            "dana@example.test",
            "Gate stuck",
            "s1@example.test",
            "",
            "The gate does not open.",
        ),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let id = first.body["ticket_id"]
        .as_str()
        .expect("ticket")
        .to_string();
    resolve(&app, &org, &id).await;
    let sent = delivered(&app, &sink, 2).await;
    assert_eq!(sent.len(), 2, "acknowledgement and resolved e-mail");
    let resolved_mails = resolved_of(&sent);
    assert_eq!(resolved_mails.len(), 1);
    let resolved_mail = resolved_mails[0].clone();
    let text = text_of(&resolved_mail);
    let (url, link_token) = survey_link(&text, base).expect("survey link in the e-mail");
    assert!(
        text.contains(&format!("Rate our help in one click: {url}")),
        "{text}"
    );

    // Following the link: the portal page, then the public survey API behind it.
    let path = url.strip_prefix(base).expect("on the public URL");
    let page = app.send(Method::GET, path, None, None, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&page.bytes).contains("<html"));
    let public = format!("/api/v1/public/surveys/{link_token}");
    let state = app.send(Method::GET, &public, None, None, &[]).await;
    assert_eq!(state.status, StatusCode::OK, "{}", state.body);
    assert_eq!(
        (
            state.body["available"].as_bool(),
            state.body["ticket"]["id"].as_str()
        ),
        (Some(true), Some(id.as_str()))
    );
    let answer = json!({"rating": 5, "comment": "Fixed the same day"});
    let r = app
        .send(Method::POST, &public, None, Some(answer), &[])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["via"].as_str(), r.body["rating"].as_i64()),
        (Some("link"), Some(5))
    );

    // Reopened by the customer and resolved again: the survey was answered, so no new link.
    let again = inbound(
        &app,
        &token,
        &mail(
            "dana@example.test",
            "Re: Gate stuck",
            "s2@example.test",
            &format!("In-Reply-To: {}\r\n", header(&resolved_mail, "Message-ID")),
            "It is stuck again.",
        ),
    )
    .await;
    assert_eq!(again.body["outcome"], "threaded", "{}", again.body);
    resolve(&app, &org, &id).await;
    let sent = delivered(&app, &sink, 3).await;
    assert_eq!(sent.len(), 3);
    let resolved_mails = resolved_of(&sent);
    assert_eq!(resolved_mails.len(), 2);
    let links: Vec<Option<(String, String)>> = resolved_mails
        .iter()
        .map(|m| survey_link(&text_of(m), base))
        .collect();
    assert_eq!(
        links.iter().filter(|l| l.is_some()).count(),
        1,
        "only the first resolved e-mail carries a link: {links:?}"
    );
    assert!(links.contains(&Some((url, link_token))));
}

/// The "resolved" e-mails among `sent` (which may have arrived in any order).
fn resolved_of(sent: &[Vec<u8>]) -> Vec<Vec<u8>> {
    sent.iter()
        .filter(|m| header(m, "Subject").contains("Resolved:"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn imap_poll_reads_unseen_mail_and_marks_it_seen() {
    let imap = ImapServer::start();
    let app = TestApp::new().await;
    let org = app.org().await;
    configure(&app, &org, None, Some(&imap)).await;

    imap.append(
        mail(
            "carol@example.test",
            "Door sensor faulty",
            "i1@example.test",
            "",
            "The sensor beeps.",
        )
        .as_bytes(),
    )
    .await;
    imap.append(
        mail(
            "carol@example.test",
            "Away",
            "i2@example.test",
            "Auto-Submitted: auto-replied\r\n",
            "Away",
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(imap.counts().await, (2, 2));

    let poll = app
        .post("/api/v1/desk/email/poll", &org.admin, json!({}))
        .await;
    assert_eq!(poll.status, StatusCode::OK, "{}", poll.body);
    assert_eq!(poll.body["fetched"], 2);
    assert_eq!(poll.body["created"], 1);
    assert_eq!(poll.body["ignored"], 1);
    assert_eq!(imap.counts().await, (0, 2), "processed mail is marked seen");
    let list = app.get("/api/v1/tickets?channel=email", &org.agent).await;
    assert_eq!(list.body["total"], 1, "{}", list.body);
    assert_eq!(list.body["items"][0]["subject"], "Door sensor faulty");

    // Nothing new: the next poll reads nothing; a new reply threads.
    let again = app
        .post("/api/v1/desk/email/poll", &org.admin, json!({}))
        .await;
    assert_eq!(again.body["fetched"], 0, "{}", again.body);
    imap.append(
        mail(
            "carol@example.test",
            "Re: Door sensor faulty",
            "i3@example.test",
            "In-Reply-To: <i1@example.test>\r\n",
            "Now it is silent.",
        )
        .as_bytes(),
    )
    .await;
    let third = app
        .post("/api/v1/desk/email/poll", &org.admin, json!({}))
        .await;
    assert_eq!(third.body["threaded"], 1, "{}", third.body);
    let settings = app.get("/api/v1/desk/email/settings", &org.admin).await;
    assert!(
        settings.body["last_polled_at"].is_string() && settings.body["last_poll_error"].is_null(),
        "{}",
        settings.body
    );
    assert_eq!(settings.body["imap_password_set"], true);
    assert!(settings.body.get("imap_password").is_none());

    // `fieldpath mail poll` reads the mailbox once from the command line.
    imap.append(
        mail(
            "dave@example.test",
            "Window broken",
            "i4@example.test",
            "",
            "Glass everywhere.",
        )
        .as_bytes(),
    )
    .await;
    let data = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fieldpath"))
        .args(["mail", "poll", "--org", &org.slug])
        .env("DATABASE_URL", common::database_url())
        .env("FIELDPATH_DATA_DIR", data.path())
        .output()
        .expect("fieldpath mail poll");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&org.slug) && stdout.contains("\"created\":1"),
        "{stdout}"
    );
    assert_eq!(imap.counts().await, (0, 4));

    // A wrong password is reported, not hidden.
    let mut broken = app
        .get("/api/v1/desk/email/settings", &org.admin)
        .await
        .body;
    for k in [
        "last_polled_at",
        "last_poll_error",
        "inbound_token_set",
        "version",
        "smtp_password_set",
        "imap_password_set",
    ] {
        broken.as_object_mut().expect("object").remove(k);
    }
    broken["imap_password"] = json!("wrong");
    let r = app
        .send(
            Method::PUT,
            "/api/v1/desk/email/settings",
            Some(&org.admin),
            Some(broken),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let failed = app
        .post("/api/v1/desk/email/poll", &org.admin, json!({}))
        .await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY, "{}", failed.body);
    let settings = app.get("/api/v1/desk/email/settings", &org.admin).await;
    assert!(
        settings.body["last_poll_error"]
            .as_str()
            .unwrap_or_default()
            .contains("login"),
        "{}",
        settings.body
    );
}
