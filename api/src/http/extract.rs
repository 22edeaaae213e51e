//! Request extractors whose rejections are answered as [`ApiError`] JSON, plus small helpers
//! for headers: `If-Match` versions, ETags, the client address.

use crate::error::ApiError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use std::net::{IpAddr, SocketAddr};

/// `axum::Json` with JSON errors: 400 for malformed JSON, 415 for a wrong content type,
/// 422 (naming the field where serde tells it) for well-formed JSON of the wrong shape.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Path` with JSON errors (400 naming the path parameter).
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `axum::extract::Query` with JSON errors (422 naming the query parameter).
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => {
                let text = e.body_text();
                let field = text
                    .split_once(": ")
                    .map(|(path, _)| {
                        path.trim_start_matches(
                            "Failed to deserialize the JSON body into the target type",
                        )
                        .to_string()
                    })
                    .filter(|p| !p.is_empty() && !p.contains(' '))
                    .unwrap_or_else(|| "body".into());
                ApiError::validation(field, text)
            }
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "expected Content-Type: application/json",
            ),
            other => ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", other.body_text())
                .with_field("body"),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_path", rejection.body_text()).with_field("path")
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::validation("query", rejection.body_text())
    }
}

/// The client's IP address: the connection's peer, or 127.0.0.1 for in-process requests.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(ClientIp(ip))
    }
}

/// The version a change is based on: `If-Match: "7"` (or `W/"7"`), else a `version` field in the
/// body. `None` when neither is given.
pub fn expected_version(
    headers: &HeaderMap,
    body_version: Option<&serde_json::Value>,
) -> Result<Option<i64>, ApiError> {
    if let Some(value) = headers.get(header::IF_MATCH) {
        let text = value
            .to_str()
            .map_err(|_| ApiError::validation("If-Match", "If-Match is not text"))?;
        let tag = text.trim().trim_start_matches("W/").trim_matches('"');
        return tag.parse::<i64>().map(Some).map_err(|_| {
            ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "version_mismatch",
                "If-Match does not name a version of this record",
            )
            .with_field("If-Match")
        });
    }
    match body_version {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::validation("version", "version must be an integer")),
    }
}

/// Like [`expected_version`], but a change without a version is a 428.
pub fn required_version(
    headers: &HeaderMap,
    body_version: Option<&serde_json::Value>,
) -> Result<i64, ApiError> {
    expected_version(headers, body_version)?.ok_or_else(ApiError::version_required)
}

/// The ETag of a record version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// `value` as JSON with `status` and the ETag of `version`.
pub fn versioned<T: serde::Serialize>(
    status: StatusCode,
    value: &T,
    version: i64,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = (status, axum::Json(value)).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}
