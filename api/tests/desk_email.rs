//! The help desk's e-mail channel against real mail servers on loopback: inbound mail over
//! HTTP and IMAP (Dovecot) becomes tickets and replies, outbound replies and notifications reach
//! an SMTP server (aiosmtpd) with threading headers and the organisation's templates.

mod common;
mod common_mail;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{Org, Resp, TestApp};
use common_mail::{ImapServer, SmtpSink};
use fieldpath_api::desk::email::outbox;
use mail_parser::MessageParser;
use serde_json::{json, Value};

/// Posts a raw message to the inbound endpoint with `token`.
async fn inbound(app: &TestApp, token: &str, raw: &str) -> Resp {
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
fn mail(from: &str, subject: &str, id: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: support@desk.test\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n{extra_headers}\r\n{body}\r\n"
    )
}

/// Mail settings for the organisation (SMTP to `smtp` if given); answers its inbound token.
async fn configure(
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

async fn ticket(app: &TestApp, org: &Org, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/tickets/{id}"), &org.agent).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

async fn messages(app: &TestApp, org: &Org, id: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/tickets/{id}/messages"), &org.agent)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

/// Delivers the outbox and answers the parsed messages the SMTP sink holds.
async fn delivered(app: &TestApp, sink: &SmtpSink) -> Vec<Vec<u8>> {
    let report = outbox::drain_once(&app.pool).await.expect("drain");
    assert_eq!(report.failed, 0, "{report:?}");
    sink.messages()
}

fn header(raw: &[u8], name: &str) -> String {
    let msg = MessageParser::default().parse(raw).expect("parsed");
    msg.header_raw(name).unwrap_or_default().trim().to_string()
}

#[tokio::test]
async fn inbound_mail_opens_threads_ignores_and_keeps_files() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let token = configure(&app, &org, None, None).await;
    let customer = app
        .post(
            "/api/v1/customers",
            &org.dispatcher,
            json!({"name": "Ann Smith", "email": "ann@example.test"}),
        )
        .await;
    assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.body);

    // A new conversation opens an e-mail ticket for the known customer.
    let first = inbound(
        &app,
        &token,
        &mail(
            "Ann Smith <Ann@Example.test>",
            "Lift stuck",
            "m1@example.test",
            "",
            "The lift is stuck on floor 3.",
        ),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["outcome"], "created");
    let id = first.body["ticket_id"]
        .as_str()
        .expect("ticket")
        .to_string();
    let number = first.body["ticket_number"]
        .as_str()
        .expect("number")
        .to_string();
    let t = ticket(&app, &org, &id).await;
    assert_eq!(t["channel"], "email");
    assert_eq!(t["requester_email"], "ann@example.test");
    assert_eq!(t["requester_id"], customer.body["id"]);
    assert_eq!(t["subject"], "Lift stuck");
    assert!(t["description"]
        .as_str()
        .unwrap_or_default()
        .contains("floor 3"));

    // A reply naming it in In-Reply-To joins it, without the quoted history.
    let reply = mail(
        "ann@example.test",
        "Re: Lift stuck",
        "m2@example.test",
        "In-Reply-To: <m1@example.test>\r\nReferences: <m1@example.test>\r\n",
        "Still stuck.\r\n\r\nOn Tue, Ann wrote:\r\n> The lift is stuck on floor 3.",
    );
    let r = inbound(&app, &token, &reply).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["outcome"], "threaded");
    assert_eq!(r.body["ticket_id"].as_str(), Some(id.as_str()));
    let msgs = messages(&app, &org, &id).await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["body"], "Still stuck.");
    assert_eq!(msgs[0]["from_customer"], true);
    assert_eq!(msgs[0]["author_email"], "ann@example.test");

    // The same Message-ID again changes nothing.
    let again = inbound(&app, &token, &reply).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["outcome"], "duplicate");
    assert_eq!(messages(&app, &org, &id).await.len(), 1);

    // The ticket number in the subject threads mail from the requester ...
    let by_number = inbound(
        &app,
        &token,
        &mail(
            "ann@example.test",
            &format!("Re: [{number}] Lift stuck"),
            "m3@example.test",
            "",
            "Any news?",
        ),
    )
    .await;
    assert_eq!(by_number.body["outcome"], "threaded", "{}", by_number.body);
    assert_eq!(by_number.body["ticket_id"].as_str(), Some(id.as_str()));
    let short = number.trim_start_matches("TK-").trim_start_matches('0');
    let hash_form = inbound(
        &app,
        &token,
        &mail(
            "ann@example.test",
            &format!("[#TK-{short}] again"),
            "m3b@example.test",
            "",
            "Hello?",
        ),
    )
    .await;
    assert_eq!(
        hash_form.body["ticket_id"].as_str(),
        Some(id.as_str()),
        "{}",
        hash_form.body
    );
    // ... but not from a stranger guessing numbers.
    let stranger = inbound(
        &app,
        &token,
        &mail(
            "eve@evil.test",
            &format!("Re: [{number}] Lift stuck"),
            "m4@evil.test",
            "",
            "Let me in",
        ),
    )
    .await;
    assert_eq!(stranger.body["outcome"], "created", "{}", stranger.body);
    assert_ne!(stranger.body["ticket_id"].as_str(), Some(id.as_str()));
    assert_eq!(messages(&app, &org, &id).await.len(), 3);

    // Auto-replies, bulk mail and our own address are ignored.
    for (i, headers) in [
        "Auto-Submitted: auto-replied\r\n",
        "X-Autoreply: yes\r\n",
        "Precedence: bulk\r\n",
        "X-Auto-Response-Suppress: All\r\n",
    ]
    .iter()
    .enumerate()
    {
        let r = inbound(
            &app,
            &token,
            &mail(
                "ann@example.test",
                "Out of office",
                &format!("auto{i}@example.test"),
                headers,
                "I am away.",
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["outcome"], "ignored", "{headers}: {}", r.body);
    }
    let own = inbound(
        &app,
        &token,
        &mail(
            &format!("support@{}.test", org.slug),
            "Loop",
            "loop@x.test",
            "",
            "x",
        ),
    )
    .await;
    assert_eq!(own.body["outcome"], "ignored");
    assert_eq!(own.body["reason"], "own_address");
    assert_eq!(messages(&app, &org, &id).await.len(), 3);

    // Attachments are kept in the attachment store and listed with the e-mail.
    let with_file = "From: ann@example.test\r\nSubject: Photo\r\nMessage-ID: <m5@example.test>\r\n\
        In-Reply-To: <m1@example.test>\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n\
        See the photo.\r\n--b1\r\nContent-Type: image/png; name=\"lift.png\"\r\n\
        Content-Disposition: attachment; filename=\"lift.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
        iVBORw0KGgpmaWVsZHBhdGg=\r\n--b1--\r\n";
    let r = inbound(&app, &token, with_file).await;
    assert_eq!(r.body["outcome"], "threaded", "{}", r.body);
    assert_eq!(r.body["attachments"], 1);
    let emails = app
        .get(&format!("/api/v1/tickets/{id}/emails"), &org.agent)
        .await;
    assert_eq!(emails.status, StatusCode::OK, "{}", emails.body);
    let files: Vec<Value> = emails.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .flat_map(|e| e["attachments"].as_array().cloned().unwrap_or_default())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["filename"], "lift.png");
    assert_eq!(files[0]["content_type"], "image/png");
    let content = app
        .get(
            &format!(
                "/api/v1/attachments/{}/content",
                files[0]["id"].as_str().expect("id")
            ),
            &org.agent,
        )
        .await;
    assert_eq!(content.status, StatusCode::OK);
    assert_eq!(content.bytes, b"\x89PNG\r\n\x1a\nfieldpath".to_vec());

    // Authentication and input checks.
    assert_eq!(
        inbound(
            &app,
            "fp_inbound_wrong",
            &mail("a@b.test", "x", "z@x", "", "x")
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        inbound(&app, &org.agent, &mail("a@b.test", "x", "z@x", "", "x"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let by_admin = inbound(
        &app,
        &org.admin,
        &mail("new@b.test", "Via admin token", "adm@x.test", "", "x"),
    )
    .await;
    assert_eq!(by_admin.status, StatusCode::CREATED, "{}", by_admin.body);
    let json_body = app
        .send(
            Method::POST,
            "/api/v1/inbound/email",
            Some(&token),
            Some(json!({"x": 1})),
            &[],
        )
        .await;
    assert_eq!(
        json_body.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        json_body.body
    );
    let garbage = inbound(&app, &token, "\u{1}\u{2}").await;
    assert_eq!(
        garbage.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        garbage.body
    );
}

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
    let sent = delivered(&app, &sink).await;
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
    let sent = delivered(&app, &sink).await;
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
    let sent = delivered(&app, &sink).await;
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
    let sent = delivered(&app, &sink).await;
    assert_eq!(sent.len(), 4);
    assert_eq!(
        header(&sent[3], "Subject"),
        format!("[{number}] Resolved: Heating broken")
    );
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

#[tokio::test]
async fn organisations_are_isolated() {
    let app = TestApp::new().await;
    let a = app.org().await;
    let b = app.org().await;
    let token_a = configure(&app, &a, None, None).await;
    let token_b = configure(&app, &b, None, None).await;

    let r = inbound(
        &app,
        &token_a,
        &mail(
            "x@example.test",
            "For A",
            "iso1@example.test",
            "",
            "hello A",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id_a = r.body["ticket_id"].as_str().expect("id").to_string();
    let number = r.body["ticket_number"]
        .as_str()
        .expect("number")
        .to_string();

    // B's token files into B; A's Message-IDs and numbers mean nothing there.
    let reply = mail(
        "x@example.test",
        &format!("Re: [{number}] For A"),
        "iso2@example.test",
        "In-Reply-To: <iso1@example.test>\r\n",
        "hello B",
    );
    let r = inbound(&app, &token_b, &reply).await;
    assert_eq!(r.body["outcome"], "created", "{}", r.body);
    assert_ne!(r.body["ticket_id"].as_str(), Some(id_a.as_str()));
    // The same Message-ID is new to each organisation.
    let r = inbound(
        &app,
        &token_b,
        &mail(
            "x@example.test",
            "For A",
            "iso1@example.test",
            "",
            "hello A",
        ),
    )
    .await;
    assert_eq!(r.body["outcome"], "created", "{}", r.body);

    assert_eq!(
        app.get(&format!("/api/v1/tickets/{id_a}/emails"), &b.agent)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(messages(&app, &a, &id_a).await.len(), 0);
    let custom = app
        .send(
            Method::PUT,
            "/api/v1/desk/email/templates/ticket_created",
            Some(&a.admin),
            Some(json!({"subject": "A only {{ ticket.number }}", "body": "x"})),
            &[],
        )
        .await;
    assert_eq!(custom.status, StatusCode::OK, "{}", custom.body);
    let b_template = app
        .get("/api/v1/desk/email/templates/ticket_created", &b.admin)
        .await;
    assert_eq!(b_template.body["customised"], false, "{}", b_template.body);
    let b_settings = app.get("/api/v1/desk/email/settings", &b.admin).await;
    assert_eq!(
        b_settings.body["support_address"],
        format!("support@{}.test", b.slug)
    );
    assert_eq!(
        app.get("/api/v1/desk/email/settings", &b.agent)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
