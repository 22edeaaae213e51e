//! Attachment upload and download. Metadata rows are generic records (list, get, rename,
//! delete through [`super::records`]); the bytes live in the object store under
//! `<org id>/<attachment id>`.
//!
//! Upload: `POST /api/v1/attachments?work_order_id=..|service_report_id=..&filename=photo.jpg`
//! with the raw file as body and its `Content-Type`, or as `multipart/form-data` with a `file` part.
//! Download: `GET /api/v1/attachments/{id}/content`.

use super::auth::AuthUser;
use super::extract::{ApiPath, ApiQuery};
use super::records::record_response;
use crate::db::{self, activity::Change, records::Scope};
use crate::domain::resources::ATTACHMENTS;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use object_store::path::Path as StorePath;
use object_store::PutPayload;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

/// Routes (with the upload size limit from the settings).
pub fn routes(max_upload_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/attachments",
            post(upload).layer(DefaultBodyLimit::max(max_upload_bytes)),
        )
        .route("/api/v1/attachments/{id}/content", get(download))
}

fn object_key(org_id: Uuid, id: Uuid) -> StorePath {
    StorePath::from(format!("{org_id}/{id}"))
}

async fn read_upload(
    st: &AppState,
    request: Request,
    filename: Option<String>,
) -> ApiResult<(String, String, Bytes)> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, st)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()).with_field("body"))?;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()).with_field("body"))?
        {
            if field.name() != Some("file") {
                continue;
            }
            let name = filename
                .clone()
                .or_else(|| field.file_name().map(str::to_string))
                .unwrap_or_else(|| "upload".into());
            let part_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::bad_request(e.body_text()).with_field("file"))?;
            return Ok((name, part_type, bytes));
        }
        return Err(ApiError::validation(
            "file",
            "multipart upload needs a `file` part",
        ));
    }
    let name = filename
        .ok_or_else(|| ApiError::validation("filename", "filename is required for a raw upload"))?;
    let bytes = Bytes::from_request(request, st).await.map_err(|e| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            e.body_text(),
        )
        .with_field("body")
    })?;
    Ok((name, content_type, bytes))
}

async fn upload(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(mut query): ApiQuery<HashMap<String, String>>,
    request: Request,
) -> ApiResult<Response> {
    auth.require(ATTACHMENTS.write)?;
    let mut fields = Map::new();
    for link in ["work_order_id", "service_report_id"] {
        if let Some(raw) = query.remove(link) {
            let id = Uuid::parse_str(&raw)
                .map_err(|_| ApiError::validation(link, format!("{link} must be a UUID")))?;
            fields.insert(link.into(), Value::String(id.to_string()));
        }
    }
    if fields.is_empty() {
        return Err(ApiError::validation(
            "work_order_id",
            "give work_order_id or service_report_id",
        ));
    }
    let filename = query.remove("filename");
    if let Some(unknown) = query.keys().next() {
        return Err(ApiError::validation(
            unknown,
            format!("unknown query parameter `{unknown}`"),
        ));
    }
    let (filename, content_type, bytes) = read_upload(&st, request, filename).await?;
    if filename.trim().is_empty() || filename.len() > 255 {
        return Err(ApiError::validation(
            "filename",
            "filename must be 1..255 characters",
        ));
    }
    let id = Uuid::new_v4();
    let key = object_key(auth.org_id, id);
    fields.insert("id".into(), Value::String(id.to_string()));
    fields.insert("filename".into(), Value::String(filename));
    fields.insert("content_type".into(), Value::String(content_type));
    fields.insert("size_bytes".into(), Value::from(bytes.len()));
    fields.insert(
        "sha256".into(),
        Value::String(format!("{:x}", Sha256::digest(&bytes))),
    );
    fields.insert("object_key".into(), Value::String(key.to_string()));

    let mut tx = st.db.begin().await?;
    let row = db::records::insert(&mut tx, &ATTACHMENTS, auth.org_id, &fields).await?;
    st.store
        .put(&key, PutPayload::from(bytes))
        .await
        .map_err(ApiError::internal)?;
    db::activity::record(
        &mut tx,
        Change {
            org_id: auth.org_id,
            actor_id: Some(auth.user_id),
            entity: ATTACHMENTS.entity,
            entity_id: id,
            action: "upload",
            before: None,
            after: Some(&row),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(record_response(StatusCode::CREATED, row))
}

async fn download(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    auth.require(ATTACHMENTS.read)?;
    let scope = Scope {
        org_id: auth.org_id,
        customer: None,
    };
    let row = db::records::get(&st.db, &ATTACHMENTS, &scope, id)
        .await?
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    let text = |k: &str| {
        row.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let object = st
        .store
        .get(&object_key(auth.org_id, id))
        .await
        .map_err(|e| match e {
            object_store::Error::NotFound { .. } => ApiError::not_found("attachment content"),
            other => ApiError::internal(other),
        })?;
    let bytes = object.bytes().await.map_err(ApiError::internal)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&text("content_type")) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let safe_name: String = text("filename")
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
