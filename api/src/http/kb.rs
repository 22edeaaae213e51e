//! `/api/v1/kb`: knowledge-base articles (search, create, read, edit with If-Match, delete,
//! publish, versions, feedback) and categories. Office roles (admin, dispatcher, agent) edit
//! and see every status; technicians and customers read published articles only.

use super::auth::AuthUser;
use super::extract::{expected_version, required_version, ApiJson, ApiPath, ApiQuery};
use crate::desk::kb::article::{Article, ArticlePatch, Content, NewArticle};
use crate::desk::kb::categories::{self, CategoryFields, CategoryInput};
use crate::desk::kb::feedback::{self, Voter};
use crate::desk::kb::search::{self, SearchQuery, MAX_QUERY_CHARS};
use crate::desk::kb::{article, store};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kb/articles", get(list).post(create))
        .route(
            "/api/v1/kb/articles/{id}",
            get(read).patch(change).delete(remove),
        )
        .route("/api/v1/kb/articles/{id}/publish", post(publish))
        .route("/api/v1/kb/articles/{id}/versions", get(versions))
        .route(
            "/api/v1/kb/articles/{id}/versions/{version}",
            get(read_version),
        )
        .route("/api/v1/kb/articles/{id}/feedback", post(vote))
        .route(
            "/api/v1/kb/categories",
            get(list_categories).post(create_category),
        )
        .route(
            "/api/v1/kb/categories/{id}",
            get(read_category)
                .patch(change_category)
                .delete(remove_category),
        )
}

/// Whether the caller edits the knowledge base (and sees drafts and archived articles).
fn editor(auth: &AuthUser) -> bool {
    sets::OFFICE.contains(&auth.role)
}

/// `?q=&category=&tag=&status=&locale=&limit=&offset=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Search text.
    pub q: Option<String>,
    /// Category id or slug.
    pub category: Option<String>,
    /// Tag.
    pub tag: Option<String>,
    /// Status (editors only; others always get published articles).
    pub status: Option<String>,
    /// Language of the query (chooses stemming; English by default).
    pub locale: Option<String>,
    /// Page size (1–100, default 20).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Turns list parameters into a search; `published_only` pins the status.
pub async fn search_query(
    st: &AppState,
    org_id: Uuid,
    q: ListQuery,
    published_only: bool,
) -> ApiResult<SearchQuery> {
    if q.q
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_QUERY_CHARS)
    {
        return Err(ApiError::validation(
            "q",
            format!("q is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let status = match (q.status, published_only) {
        (None, true) => Some("published".to_string()),
        (Some(s), true) if s != "published" => {
            return Err(ApiError::forbidden(
                "only knowledge-base editors see drafts and archived articles",
            ))
        }
        (Some(s), _) if !article::STATUSES.contains(&s.as_str()) => {
            return Err(ApiError::validation(
                "status",
                "status must be draft, published or archived",
            ))
        }
        (s, _) => s,
    };
    let category_id = match q.category.as_deref() {
        None | Some("") => None,
        Some(c) => match Uuid::parse_str(c) {
            Ok(id) => Some(id),
            // An unknown slug matches nothing (nil id) rather than everything.
            Err(_) => Some(
                categories::id_by_slug(&st.db, org_id, c)
                    .await?
                    .unwrap_or_else(Uuid::nil),
            ),
        },
    };
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation("limit", "limit must be 1 to 100"));
    }
    let offset = q.offset.unwrap_or(0);
    if !(0..=10_000).contains(&offset) {
        return Err(ApiError::validation("offset", "offset must be 0 to 10000"));
    }
    let locale = q.locale.as_deref().map(article::locale).transpose()?;
    Ok(SearchQuery {
        text: q.q,
        status,
        category_id,
        tag: q.tag.filter(|t| !t.is_empty()),
        config: article::search_config(locale.as_deref()),
        limit,
        offset,
    })
}

/// `GET /api/v1/kb/articles`: search or browse.
async fn list(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::EVERYONE)?;
    let query = search_query(&st, auth.org_id, q, !editor(&auth)).await?;
    let (items, total) = search::search(&st.db, auth.org_id, &query).await?;
    Ok(Json(json!({ "items": items, "total": total })))
}

/// An article answered with its ETag.
fn article_response(status: StatusCode, a: &Article) -> Response {
    super::extract::versioned(status, a, a.version)
}

/// A duplicate slug names the field.
fn slug_conflict(e: sqlx::Error) -> ApiError {
    let e = ApiError::from(e);
    if e.status == StatusCode::CONFLICT && e.message.contains("slug") {
        ApiError::conflict("another article already uses this slug").with_field("slug")
    } else {
        e
    }
}

async fn create(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<NewArticle>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let content = Content::new(body)?;
    let mut tx = st.db.begin().await?;
    let id = store::insert(&mut tx, auth.org_id, &content, Some(auth.user_id))
        .await
        .map_err(slug_conflict)?;
    tx.commit().await?;
    let a = store::get(&st.db, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("article"))?;
    Ok(article_response(StatusCode::CREATED, &a))
}

/// An article the caller may read: 404 for other organisations and, for readers, unpublished ones.
async fn readable(st: &AppState, auth: &AuthUser, id: Uuid) -> ApiResult<Article> {
    auth.require(sets::EVERYONE)?;
    store::get(&st.db, auth.org_id, id)
        .await?
        .filter(|a| editor(auth) || a.status == "published")
        .ok_or_else(|| ApiError::not_found("article"))
}

async fn read(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let a = readable(&st, &auth, id).await?;
    Ok(article_response(StatusCode::OK, &a))
}

/// Locks the article, checks the version, applies `edit` and saves (nothing when unchanged).
async fn edit_article(
    st: &AppState,
    auth: &AuthUser,
    id: Uuid,
    expected: Option<i64>,
    edit: impl FnOnce(Content) -> ApiResult<Content>,
) -> ApiResult<Article> {
    let mut tx = st.db.begin().await?;
    let before = store::lock(&mut tx, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("article"))?;
    if let Some(v) = expected {
        if v != before.version {
            return Err(ApiError::version_mismatch(before.version));
        }
    }
    let current = Content::of(&before);
    let next = edit(current.clone())?;
    if next == current {
        return Ok(before);
    }
    store::update(&mut tx, auth.org_id, id, &next, auth.user_id)
        .await
        .map_err(slug_conflict)?;
    tx.commit().await?;
    store::get(&st.db, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("article"))
}

async fn change(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ArticlePatch>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let expected = required_version(&headers, body.version.as_ref())?;
    let a = edit_article(&st, &auth, id, Some(expected), |c| c.apply(body)).await?;
    Ok(article_response(StatusCode::OK, &a))
}

/// `POST …/publish`: makes the article visible (If-Match optional).
async fn publish(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let expected = expected_version(&headers, None)?;
    let a = edit_article(&st, &auth, id, expected, |mut c| {
        c.status = "published".into();
        Ok(c)
    })
    .await?;
    Ok(article_response(StatusCode::OK, &a))
}

async fn remove(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    auth.require(sets::OFFICE)?;
    let expected = required_version(&headers, None)?;
    let mut tx = st.db.begin().await?;
    let before = store::lock(&mut tx, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("article"))?;
    if before.version != expected {
        return Err(ApiError::version_mismatch(before.version));
    }
    store::delete(&mut tx, auth.org_id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn versions(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    readable(&st, &auth, id).await?;
    let items = store::versions(&st.db, auth.org_id, id).await?;
    Ok(Json(json!({ "items": items })))
}

async fn read_version(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath((id, version)): ApiPath<(Uuid, i64)>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let v = store::version(&st.db, auth.org_id, id, version)
        .await?
        .ok_or_else(|| ApiError::not_found("article version"))?;
    Ok(Json(json!(v)))
}

/// `{"helpful": bool, "comment"?: text}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    /// Whether the article helped.
    pub helpful: bool,
    /// Optional remark (at most 2000 characters).
    pub comment: Option<String>,
}

impl VoteBody {
    /// The trimmed comment, or a 422.
    pub fn comment(&self) -> ApiResult<Option<&str>> {
        let c = self
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if c.is_some_and(|c| c.chars().count() > 2000) {
            return Err(ApiError::validation(
                "comment",
                "comment is longer than 2000 characters",
            ));
        }
        Ok(c)
    }
}

/// Helpful / not helpful from a signed-in user (one vote per user; voting again replaces it).
async fn vote(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<VoteBody>,
) -> ApiResult<Json<Value>> {
    let a = readable(&st, &auth, id).await?;
    let tally = feedback::vote(
        &st.db,
        auth.org_id,
        a.id,
        &Voter::User(auth.user_id),
        body.helpful,
        body.comment()?,
    )
    .await?;
    Ok(Json(json!(tally)))
}

async fn list_categories(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::EVERYONE)?;
    let items = categories::list(&st.db, auth.org_id, !editor(&auth)).await?;
    Ok(Json(json!({ "items": items })))
}

fn category_response(status: StatusCode, c: &categories::Category) -> Response {
    super::extract::versioned(status, c, c.version)
}

async fn category(st: &AppState, auth: &AuthUser, id: Uuid) -> ApiResult<categories::Category> {
    categories::get(&st.db, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("category"))
}

async fn create_category(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<CategoryInput>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let fields = CategoryFields::new(&body)?;
    let id = categories::insert(&st.db, auth.org_id, &fields)
        .await
        .map_err(slug_conflict)?;
    Ok(category_response(
        StatusCode::CREATED,
        &category(&st, &auth, id).await?,
    ))
}

async fn read_category(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    Ok(category_response(
        StatusCode::OK,
        &category(&st, &auth, id).await?,
    ))
}

async fn change_category(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CategoryInput>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let expected = required_version(&headers, body.version.as_ref())?;
    let before = category(&st, &auth, id).await?;
    if before.version != expected {
        return Err(ApiError::version_mismatch(before.version));
    }
    let fields = CategoryFields::of(&before).apply(&body)?;
    if !categories::update(&st.db, auth.org_id, id, expected, &fields)
        .await
        .map_err(slug_conflict)?
    {
        let now = category(&st, &auth, id).await?;
        return Err(ApiError::version_mismatch(now.version));
    }
    Ok(category_response(
        StatusCode::OK,
        &category(&st, &auth, id).await?,
    ))
}

async fn remove_category(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    auth.require(sets::OFFICE)?;
    let expected = required_version(&headers, None)?;
    let before = category(&st, &auth, id).await?;
    if before.version != expected {
        return Err(ApiError::version_mismatch(before.version));
    }
    if before.articles > 0 {
        return Err(ApiError::conflict(format!(
            "the category still has {} article(s); move or delete them first",
            before.articles
        )));
    }
    if !categories::delete(&st.db, auth.org_id, id, expected).await? {
        return Err(ApiError::conflict("the category was changed meanwhile"));
    }
    Ok(StatusCode::NO_CONTENT)
}
