//! Accounts: login/refresh/logout, API tokens, the current user and user administration.

use super::{array, id_param, object, op, public, timestamp, uuid, Doc};
use serde_json::{json, Value};

fn user() -> Value {
    object(
        &["id", "email", "name", "role"],
        json!({"id": uuid(), "email": {"type": "string"}, "name": {"type": "string"},
            "role": {"type": "string", "enum": ["admin", "dispatcher", "agent", "technician", "customer"]},
            "org_id": uuid(), "customer_id": {"type": ["string", "null"], "format": "uuid"}}),
    )
}

fn list_of(items: Value) -> Value {
    object(
        &["items"],
        json!({"items": array(items), "page": {"type": "integer"}, "limit": {"type": "integer"}, "total": {"type": "integer"}}),
    )
}

/// Add the accounts area.
pub fn describe(doc: &mut Doc) {
    doc.schema("User", user());
    doc.schema(
        "Tokens",
        object(
            &["access_token", "token_type", "expires_in", "refresh_token"],
            json!({"access_token": {"type": "string"}, "token_type": {"type": "string", "enum": ["Bearer"]},
                "expires_in": {"type": "integer", "description": "seconds"},
                "refresh_token": {"type": "string", "description": "single use; rotated on refresh"},
                "refresh_expires_in": {"type": "integer"}, "user": super::schema_ref("User")}),
        ),
    );
    let none = json!([]);
    let id = json!([id_param()]);
    let mut login = public(op(
        "auth",
        "Log in: access + refresh tokens, and the `fieldpath_session` cookie for the web pages",
        "200",
        super::schema_ref("Tokens"),
        Some(object(
            &["email", "password"],
            json!({"email": {"type": "string"}, "password": {"type": "string"}}),
        )),
        none.clone(),
        &["400", "401", "422", "429"],
    ));
    login["responses"]["200"]["headers"] = json!({"Set-Cookie": {"schema": {"type": "string"}, "description": "fieldpath_session=...; HttpOnly"}});
    doc.add("/api/v1/auth/login", "post", login);
    doc.add(
        "/api/v1/auth/refresh",
        "post",
        public(op(
            "auth",
            "Exchange a refresh token for new tokens (the old one is revoked; reuse revokes the family)",
            "200",
            super::schema_ref("Tokens"),
            Some(object(
                &["refresh_token"],
                json!({"refresh_token": {"type": "string"}}),
            )),
            none.clone(),
            &["400", "401", "422"],
        )),
    );
    doc.add(
        "/api/v1/auth/logout",
        "post",
        op(
            "auth",
            "Revoke this login's tokens and session, clear the cookie",
            "204",
            json!({}),
            None,
            none.clone(),
            &["401"],
        ),
    );
    doc.add(
        "/api/v1/me",
        "get",
        op(
            "auth",
            "The current user",
            "200",
            object(
                &["user", "org_id"],
                json!({"user": super::schema_ref("User"), "org_id": uuid(), "token_kind": {"type": "string"}}),
            ),
            None,
            none.clone(),
            &["401"],
        ),
    );
    let api_token = object(
        &["id", "name"],
        json!({"id": uuid(), "name": {"type": "string"}, "expires_at": {"type": ["string", "null"], "format": "date-time"},
            "created_at": timestamp(), "last_used_at": {"type": ["string", "null"], "format": "date-time"}}),
    );
    doc.add(
        "/api/v1/api-tokens",
        "get",
        op(
            "auth",
            "My API tokens (never the secrets)",
            "200",
            list_of(api_token),
            None,
            none.clone(),
            &["401"],
        ),
    );
    doc.add(
        "/api/v1/api-tokens",
        "post",
        op(
            "auth",
            "Create a revocable API token (the secret is shown once)",
            "201",
            object(
                &["id", "name", "token"],
                json!({"id": uuid(), "name": {"type": "string"}, "token": {"type": "string"},
                    "expires_at": {"type": ["string", "null"], "format": "date-time"}}),
            ),
            Some(object(
                &["name"],
                json!({"name": {"type": "string"}, "expires_in_days": {"type": "integer", "minimum": 1}}),
            )),
            none.clone(),
            &["401", "403", "422"],
        ),
    );
    doc.add(
        "/api/v1/api-tokens/{id}",
        "delete",
        op(
            "auth",
            "Revoke one of my API tokens",
            "204",
            json!({}),
            None,
            id.clone(),
            &["401", "404"],
        ),
    );
    doc.add(
        "/api/v1/users",
        "get",
        op(
            "users",
            "Users of the organisation",
            "200",
            list_of(super::schema_ref("User")),
            None,
            none.clone(),
            &["401", "403"],
        ),
    );
    doc.add(
        "/api/v1/users",
        "post",
        op(
            "users",
            "Create a user (admin); password hashed with argon2",
            "201",
            super::schema_ref("User"),
            Some(object(
                &["email", "name", "role", "password"],
                json!({"email": {"type": "string"}, "name": {"type": "string"},
                    "role": {"type": "string", "enum": ["admin", "dispatcher", "agent", "technician", "customer"]},
                    "password": {"type": "string", "minLength": 8},
                    "customer_id": {"type": "string", "format": "uuid", "description": "required for role customer"}}),
            )),
            none,
            &["401", "403", "409", "422"],
        ),
    );
    doc.add(
        "/api/v1/users/{id}",
        "get",
        op(
            "users",
            "One user",
            "200",
            super::schema_ref("User"),
            None,
            id,
            &["401", "403", "404"],
        ),
    );
}
