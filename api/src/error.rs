//! The one error type of the service: always answered as
//! `{"error": {"code": "...", "message": "...", "field": "..."|null}}` with a fitting status.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an API client.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
    /// The request field at fault, when there is one.
    pub field: Option<String>,
    /// Seconds to wait, for 429 and 503 answers.
    pub retry_after: Option<u64>,
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }
    /// Names the request field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    /// 400: the request could not be read.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    /// 401: no or no valid credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    /// 403: authenticated, but the role may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    /// 404: no such record in the caller's organisation.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }
    /// 409: the request conflicts with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }
    /// 412: `If-Match` / `version` does not match the stored version.
    pub fn version_mismatch(current: i64) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "version_mismatch",
            format!("the record was changed meanwhile; current version is {current}"),
        )
        .with_field("version")
    }
    /// 428: a change without `If-Match` or `version`.
    pub fn version_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "version_required",
            "send If-Match with the record's ETag (or a `version` field)",
        )
        .with_field("If-Match")
    }
    /// 422: a field's value is not acceptable.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
        )
        .with_field(field)
    }
    /// 429: too many attempts.
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many failed attempts; try again later",
        );
        e.retry_after = Some(retry_after);
        e
    }
    /// 503: the database cannot be reached right now.
    pub fn unavailable(message: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            message,
        );
        e.retry_after = Some(2);
        e
    }
    /// 500: a bug or an unexpected failure (details go to the log, not the client).
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            json!({"error": {"code": self.code, "message": self.message, "field": self.field}});
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// Maps database failures: connectivity → 503, constraint violations → 409/422, else 500.
impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => {
                tracing::warn!(error = %err, "database unavailable");
                ApiError::unavailable("database unavailable; retry shortly")
            }
            sqlx::Error::Database(db) => {
                from_db_error(db.as_ref()).unwrap_or_else(|| ApiError::internal(&err))
            }
            sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => {
                tracing::warn!(error = %err, "database connection lost");
                ApiError::unavailable("database connection lost; retry shortly")
            }
            _ => ApiError::internal(&err),
        }
    }
}

fn from_db_error(db: &dyn sqlx::error::DatabaseError) -> Option<ApiError> {
    let code = db.code()?;
    let constraint = db.constraint().unwrap_or_default().to_string();
    Some(match code.as_ref() {
        // foreign_key_violation: on insert/update a reference to a missing record (or one of
        // another organisation); on delete a record still referenced.
        "23503" => {
            let field = field_of_constraint(&constraint);
            if db.message().contains("is still referenced") {
                ApiError::conflict("the record is still referenced by other records")
            } else {
                ApiError::validation(field, "references a record that does not exist")
            }
        }
        "23505" => ApiError::conflict(format!("duplicate value ({constraint})")),
        "23514" | "23502" => {
            ApiError::validation(field_of_constraint(&constraint), db.message().to_string())
        }
        "22P02" | "22007" | "22008" | "22003" => {
            ApiError::validation("body", db.message().to_string())
        }
        // admin_shutdown, crash_shutdown, cannot_connect_now: the server is restarting.
        "57P01" | "57P02" | "57P03" => ApiError::unavailable("database restarting; retry shortly"),
        _ => return None,
    })
}

/// `sites_org_id_customer_id_fkey` → `customer_id`; `work_orders_check` → `body`.
fn field_of_constraint(constraint: &str) -> String {
    if let Some(rest) = constraint.strip_suffix("_fkey") {
        if let Some(idx) = rest.find("_org_id_") {
            return rest[idx + "_org_id_".len()..].to_string();
        }
    }
    if constraint.contains("window") {
        return "window_end".into();
    }
    if constraint.contains("planned") {
        return "planned_end".into();
    }
    "body".into()
}

#[cfg(test)]
mod tests {
    use super::field_of_constraint;

    #[test]
    fn constraint_names_map_to_fields() {
        assert_eq!(
            field_of_constraint("sites_org_id_customer_id_fkey"),
            "customer_id"
        );
        assert_eq!(
            field_of_constraint("work_orders_org_id_site_id_fkey"),
            "site_id"
        );
        assert_eq!(field_of_constraint("other"), "body");
    }
}
