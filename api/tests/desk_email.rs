//! The help desk's e-mail channel, inbound over HTTP: new tickets, threading by Message-ID and
//! by ticket number, auto-replies and loops ignored, duplicates idempotent, attachments kept,
//! and organisations kept apart. SMTP and IMAP delivery: `desk_email_delivery.rs`.

mod common;
mod common_mail;

use axum::http::{Method, StatusCode};
use common::TestApp;
use common_mail::desk::{configure, inbound, mail, messages, ticket};
use serde_json::{json, Value};

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
