//! The help desk's e-mail channel: inbound mail, mail settings, templates, outbox, IMAP poll.

use super::{
    array, id_param, object, op, path_param, query_param, schema_ref, timestamp, uuid, Doc,
};
use serde_json::{json, Value};

fn nullable(kind: &str) -> Value {
    json!({"type": [kind, "null"]})
}

fn settings_input() -> Value {
    object(
        &["support_address"],
        json!({
            "support_address": {"type": "string", "description": "customers write here; replies come from it"},
            "support_name": {"type": "string"}, "reply_to": nullable("string"),
            "portal_url": {"type": "string", "description": "`{{ portal_url }}` in templates"},
            "smtp_host": nullable("string"), "smtp_port": nullable("integer"),
            "smtp_security": {"type": "string", "enum": ["none", "starttls", "tls"]},
            "smtp_username": nullable("string"),
            "smtp_password": {"type": ["string", "null"], "description": "write-only; absent keeps, null clears"},
            "imap_enabled": {"type": "boolean"}, "imap_host": nullable("string"),
            "imap_port": nullable("integer"),
            "imap_security": {"type": "string", "enum": ["none", "tls"]},
            "imap_username": nullable("string"),
            "imap_password": {"type": ["string", "null"], "description": "write-only; absent keeps, null clears"},
            "imap_folder": {"type": "string"},
            "poll_interval_secs": {"type": "integer", "minimum": 5, "maximum": 86400}}),
    )
}

fn settings() -> Value {
    let mut s = settings_input();
    let props = &mut s["properties"];
    if let Some(p) = props.as_object_mut() {
        p.remove("smtp_password");
        p.remove("imap_password");
    }
    props["smtp_password_set"] = json!({"type": "boolean"});
    props["imap_password_set"] = json!({"type": "boolean"});
    props["inbound_token_set"] = json!({"type": "boolean"});
    props["last_polled_at"] = json!({"type": ["string", "null"], "format": "date-time"});
    props["last_poll_error"] = nullable("string");
    props["version"] = json!({"type": "integer"});
    s
}

fn template() -> Value {
    object(
        &["kind", "subject", "body", "customised"],
        json!({"kind": {"type": "string", "enum": ["ticket_created", "agent_replied", "ticket_resolved"]},
            "subject": {"type": "string"}, "body": {"type": "string"},
            "customised": {"type": "boolean", "description": "false: the built-in default"},
            "version": {"type": "integer"}, "updated_at": {"type": ["string", "null"], "format": "date-time"}}),
    )
}

fn outbox_email() -> Value {
    object(
        &[
            "id",
            "ticket_id",
            "template",
            "message_id",
            "to_address",
            "subject",
            "status",
            "attempts",
        ],
        json!({"id": uuid(), "ticket_id": uuid(), "ticket_message_id": {"type": ["string", "null"], "format": "uuid"},
            "template": {"type": "string"}, "message_id": {"type": "string"},
            "in_reply_to": nullable("string"), "references": array(json!({"type": "string"})),
            "from_address": {"type": "string"}, "to_address": {"type": "string"},
            "subject": {"type": "string"}, "body": {"type": "string"},
            "status": {"type": "string", "enum": ["queued", "sending", "sent", "failed"]},
            "attempts": {"type": "integer"}, "next_attempt_at": timestamp(),
            "last_error": nullable("string"), "smtp_response": nullable("string"),
            "sent_at": {"type": ["string", "null"], "format": "date-time"}, "created_at": timestamp()}),
    )
}

/// Add the e-mail channel area.
pub fn describe(doc: &mut Doc) {
    doc.schema("EmailSettings", settings());
    doc.schema("EmailTemplate", template());
    doc.schema("OutboxEmail", outbox_email());
    let none = json!([]);
    let outcome = object(
        &["outcome", "message_id"],
        json!({"outcome": {"type": "string", "enum": ["created", "threaded", "ignored", "duplicate"]},
            "message_id": {"type": "string"}, "ticket_id": {"type": ["string", "null"], "format": "uuid"},
            "ticket_number": nullable("string"), "reason": nullable("string"),
            "attachments": {"type": "integer"}}),
    );
    let mut inbound = op(
        "desk-email",
        "Receive a raw RFC 5322 message from a mail gateway (inbound token as Bearer or Basic password, or an admin token): 201 new ticket, 200 threaded / ignored / duplicate",
        "201",
        outcome.clone(),
        None,
        none.clone(),
        &["401", "403", "413", "415", "422"],
    );
    inbound["requestBody"] = json!({"required": true, "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}}});
    inbound["responses"]["200"] = json!({"description": "threaded, ignored or duplicate", "content": {"application/json": {"schema": outcome}}});
    doc.add("/api/v1/inbound/email", "post", inbound);
    let settings_path = "/api/v1/desk/email/settings";
    doc.add(
        settings_path,
        "get",
        op(
            "desk-email",
            "The organisation's mail settings (admin; no passwords)",
            "200",
            schema_ref("EmailSettings"),
            None,
            none.clone(),
            &["401", "403", "404"],
        ),
    );
    doc.add(
        settings_path,
        "put",
        op(
            "desk-email",
            "Set the mail settings (admin)",
            "200",
            schema_ref("EmailSettings"),
            Some(settings_input()),
            none.clone(),
            &["400", "401", "403", "422"],
        ),
    );
    doc.add(
        "/api/v1/desk/email/inbound-token",
        "post",
        op(
            "desk-email",
            "A new inbound token for mail gateways, shown once (replaces the old one)",
            "201",
            object(&["token"], json!({"token": {"type": "string"}})),
            None,
            none.clone(),
            &["401", "403", "409"],
        ),
    );
    doc.add(
        "/api/v1/desk/email/templates",
        "get",
        op(
            "desk-email",
            "The templates in force (own or default)",
            "200",
            object(
                &["items"],
                json!({"items": array(schema_ref("EmailTemplate"))}),
            ),
            None,
            none.clone(),
            &["401", "403"],
        ),
    );
    let kind = json!([path_param(
        "kind",
        json!({"type": "string", "enum": ["ticket_created", "agent_replied", "ticket_resolved"]}),
        "template kind"
    )]);
    let tpl = "/api/v1/desk/email/templates/{kind}";
    doc.add(
        tpl,
        "get",
        op(
            "desk-email",
            "One template in force",
            "200",
            schema_ref("EmailTemplate"),
            None,
            kind.clone(),
            &["401", "403", "404"],
        ),
    );
    doc.add(
        tpl,
        "put",
        op(
            "desk-email",
            "Customise a template (minijinja; checked against every placeholder)",
            "200",
            schema_ref("EmailTemplate"),
            Some(object(
                &["subject", "body"],
                json!({"subject": {"type": "string"}, "body": {"type": "string"}}),
            )),
            kind.clone(),
            &["400", "401", "403", "404", "422"],
        ),
    );
    doc.add(
        tpl,
        "delete",
        op(
            "desk-email",
            "Back to the built-in template",
            "204",
            json!({}),
            None,
            kind,
            &["401", "403", "404"],
        ),
    );
    doc.add(
        "/api/v1/desk/email/outbox",
        "get",
        op(
            "desk-email",
            "Outgoing mail and its delivery status, newest first",
            "200",
            object(
                &["items"],
                json!({"items": array(schema_ref("OutboxEmail"))}),
            ),
            None,
            json!([
                query_param(
                    "status",
                    json!({"type": "string", "enum": ["queued", "sending", "sent", "failed"]}),
                    "only this status"
                ),
                query_param(
                    "limit",
                    json!({"type": "integer", "minimum": 1, "maximum": 500}),
                    "at most (100)"
                )
            ]),
            &["401", "403", "422"],
        ),
    );
    doc.add(
        "/api/v1/desk/email/poll",
        "post",
        op(
            "desk-email",
            "Read the IMAP mailbox now",
            "200",
            object(
                &["fetched"],
                json!({"fetched": {"type": "integer"}, "created": {"type": "integer"},
                "threaded": {"type": "integer"}, "ignored": {"type": "integer"},
                "duplicates": {"type": "integer"}, "errors": {"type": "integer"}}),
            ),
            None,
            none,
            &["401", "403", "409", "502"],
        ),
    );
    doc.add(
        "/api/v1/tickets/{id}/emails",
        "get",
        op(
            "desk-email",
            "A ticket's e-mails (Message-IDs, disposition) with their attachments",
            "200",
            object(
                &["items"],
                json!({"items": array(json!({"type": "object"}))}),
            ),
            None,
            json!([id_param()]),
            &["401", "403", "404"],
        ),
    );
}
