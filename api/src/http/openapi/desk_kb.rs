//! Knowledge base, public help centre, customer portal and satisfaction surveys.

use super::{array, id_param, object, op, path_param, public, query_param, timestamp, uuid, Doc};
use serde_json::{json, Value};

fn text() -> Value {
    json!({"type": "string"})
}

fn count() -> Value {
    json!({"type": "integer", "minimum": 0})
}

fn ref_(name: &str) -> Value {
    super::schema_ref(name)
}

fn search_params() -> Vec<Value> {
    vec![
        query_param("q", text(), "search text, web-search syntax (words, \"phrases\", -exclusions, or); at most 200 characters"),
        query_param("category", text(), "category id or slug"),
        query_param("tag", text(), "tag"),
        query_param("status", json!({"enum": ["draft", "published", "archived"]}), "status (editors only; others always get published)"),
        query_param("locale", text(), "language of the query, e.g. `fr` (stemming; English by default)"),
        query_param("limit", json!({"type": "integer", "minimum": 1, "maximum": 100}), "page size (default 20)"),
        query_param("offset", json!({"type": "integer", "minimum": 0, "maximum": 10000}), "rows to skip"),
    ]
}

fn range_params() -> Vec<Value> {
    vec![
        query_param(
            "from",
            text(),
            "start: a date (midnight UTC) or RFC 3339 time; default 30 days before `to`",
        ),
        query_param(
            "to",
            text(),
            "end: a date (inclusive) or RFC 3339 time (exclusive); default now",
        ),
    ]
}

fn schemas(doc: &mut Doc) {
    let tally = json!({"helpful": count(), "not_helpful": count()});
    doc.schema(
        "KbTally",
        object(&["helpful", "not_helpful"], tally.clone()),
    );
    doc.schema(
        "KbArticle",
        object(
            &["id", "title", "slug", "body", "status", "tags", "version", "helpful", "not_helpful"],
            json!({"id": uuid(), "title": text(), "slug": text(), "body": {"type": "string", "description": "Markdown subset of the editor"},
                "status": {"enum": ["draft", "published", "archived"]}, "category_id": {"type": ["string", "null"], "format": "uuid"},
                "tags": array(text()), "locale": {"type": ["string", "null"]}, "author_id": {"type": ["string", "null"], "format": "uuid"},
                "updated_by": {"type": ["string", "null"], "format": "uuid"}, "published_at": {"type": ["string", "null"], "format": "date-time"},
                "version": {"type": "integer"}, "created_at": timestamp(), "updated_at": timestamp(),
                "helpful": count(), "not_helpful": count()}),
        ),
    );
    doc.schema(
        "KbArticleInput",
        json!({"type": "object", "properties": {"title": text(), "slug": text(), "body": text(),
            "status": {"enum": ["draft", "published", "archived"]}, "category_id": {"type": ["string", "null"], "format": "uuid"},
            "tags": array(text()), "locale": {"type": ["string", "null"]}, "version": {"type": "integer"}}}),
    );
    doc.schema(
        "KbArticleVersion",
        object(
            &["article_id", "version", "title", "slug", "body", "status", "tags", "created_at"],
            json!({"article_id": uuid(), "version": {"type": "integer"}, "title": text(), "slug": text(), "body": text(),
                "status": text(), "category_id": {"type": ["string", "null"], "format": "uuid"}, "tags": array(text()),
                "locale": {"type": ["string", "null"]}, "editor_id": {"type": ["string", "null"], "format": "uuid"}, "created_at": timestamp()}),
        ),
    );
    doc.schema(
        "KbHit",
        object(
            &["id", "title", "slug", "excerpt", "status", "tags", "updated_at", "helpful", "not_helpful", "rank"],
            json!({"id": uuid(), "title": text(), "slug": text(),
                "excerpt": {"type": "string", "description": "escaped HTML with <mark> around matches"},
                "status": text(), "category_id": {"type": ["string", "null"], "format": "uuid"}, "tags": array(text()),
                "updated_at": timestamp(), "helpful": count(), "not_helpful": count(), "rank": {"type": "number"}}),
        ),
    );
    doc.schema(
        "KbHits",
        object(
            &["items"],
            json!({"items": array(ref_("KbHit")), "total": count()}),
        ),
    );
    doc.schema(
        "KbCategory",
        object(
            &["id", "name", "slug", "articles"],
            json!({"id": uuid(), "name": text(), "slug": text(), "description": text(), "position": {"type": "integer"},
                "version": {"type": "integer"}, "articles": count(), "created_at": timestamp(), "updated_at": timestamp()}),
        ),
    );
    doc.schema(
        "KbCategoryInput",
        json!({"type": "object", "properties": {"name": text(), "slug": text(), "description": text(),
            "position": {"type": "integer"}, "version": {"type": "integer"}}}),
    );
    doc.schema(
        "TicketSurvey",
        object(
            &["id", "ticket_id", "rating", "via", "created_at"],
            json!({"id": uuid(), "ticket_id": uuid(), "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                "comment": {"type": ["string", "null"]}, "customer_id": {"type": ["string", "null"], "format": "uuid"},
                "user_id": {"type": ["string", "null"], "format": "uuid"}, "via": {"enum": ["portal", "link"]}, "created_at": timestamp()}),
        ),
    );
    doc.schema(
        "TicketSurveyState",
        object(
            &["ticket", "available", "answered"],
            json!({"ticket": object(&["id", "number", "subject", "status_type"], json!({"id": uuid(), "number": text(), "subject": text(), "status_type": text()})),
                "available": {"type": "boolean"}, "answered": {"type": "boolean"},
                "survey": {"oneOf": [ref_("TicketSurvey"), {"type": "null"}]}}),
        ),
    );
    doc.schema(
        "SurveyAnswer",
        object(&["rating"], json!({"rating": {"type": "integer", "minimum": 1, "maximum": 5}, "comment": {"type": ["string", "null"]}})),
    );
}

/// Add the knowledge-base, portal and survey area.
pub fn describe(doc: &mut Doc) {
    schemas(doc);
    let id = json!([id_param()]);
    let e_read = ["401", "403", "404"];
    let e_edit = ["401", "403", "404", "409", "412", "422", "428"];
    let kb = "knowledge base";
    doc.add(
        "/api/v1/kb/articles",
        "get",
        op(
            kb,
            "Search or browse articles (readers: published only)",
            "200",
            ref_("KbHits"),
            None,
            json!(search_params()),
            &["401", "403", "422"],
        ),
    );
    doc.add(
        "/api/v1/kb/articles",
        "post",
        op(
            kb,
            "Create an article (office roles)",
            "201",
            ref_("KbArticle"),
            Some(ref_("KbArticleInput")),
            json!([]),
            &["401", "403", "409", "422"],
        ),
    );
    doc.add(
        "/api/v1/kb/articles/{id}",
        "get",
        op(
            kb,
            "Read an article (readers: published only)",
            "200",
            ref_("KbArticle"),
            None,
            id.clone(),
            &e_read,
        ),
    );
    doc.add(
        "/api/v1/kb/articles/{id}",
        "patch",
        op(
            kb,
            "Edit an article (If-Match; a new version is saved)",
            "200",
            ref_("KbArticle"),
            Some(ref_("KbArticleInput")),
            id.clone(),
            &e_edit,
        ),
    );
    doc.add(
        "/api/v1/kb/articles/{id}",
        "delete",
        op(
            kb,
            "Delete an article (If-Match)",
            "204",
            json!({}),
            None,
            id.clone(),
            &["401", "403", "404", "412", "428"],
        ),
    );
    doc.add(
        "/api/v1/kb/articles/{id}/publish",
        "post",
        op(
            kb,
            "Publish an article (If-Match optional)",
            "200",
            ref_("KbArticle"),
            None,
            id.clone(),
            &["401", "403", "404", "412"],
        ),
    );
    doc.add(
        "/api/v1/kb/articles/{id}/versions",
        "get",
        op(
            kb,
            "Saved versions, newest first (office roles)",
            "200",
            object(
                &["items"],
                json!({"items": array(ref_("KbArticleVersion"))}),
            ),
            None,
            id.clone(),
            &e_read,
        ),
    );
    doc.add(
        "/api/v1/kb/articles/{id}/versions/{version}",
        "get",
        op(
            kb,
            "One saved version (office roles)",
            "200",
            ref_("KbArticleVersion"),
            None,
            json!([
                id_param(),
                path_param("version", json!({"type": "integer"}), "version number")
            ]),
            &e_read,
        ),
    );
    doc.add(
        "/api/v1/kb/articles/{id}/feedback",
        "post",
        op(
            kb,
            "Helpful / not helpful (one vote per user; voting again replaces it)",
            "200",
            ref_("KbTally"),
            Some(object(
                &["helpful"],
                json!({"helpful": {"type": "boolean"}, "comment": text()}),
            )),
            id.clone(),
            &["401", "403", "404", "422"],
        ),
    );
    doc.add(
        "/api/v1/kb/categories",
        "get",
        op(
            kb,
            "Categories with article counts",
            "200",
            object(&["items"], json!({"items": array(ref_("KbCategory"))})),
            None,
            json!([]),
            &["401", "403"],
        ),
    );
    doc.add(
        "/api/v1/kb/categories",
        "post",
        op(
            kb,
            "Create a category (office roles)",
            "201",
            ref_("KbCategory"),
            Some(ref_("KbCategoryInput")),
            json!([]),
            &["401", "403", "409", "422"],
        ),
    );
    doc.add(
        "/api/v1/kb/categories/{id}",
        "get",
        op(
            kb,
            "Read a category (office roles)",
            "200",
            ref_("KbCategory"),
            None,
            id.clone(),
            &e_read,
        ),
    );
    doc.add(
        "/api/v1/kb/categories/{id}",
        "patch",
        op(
            kb,
            "Change a category (If-Match)",
            "200",
            ref_("KbCategory"),
            Some(ref_("KbCategoryInput")),
            id.clone(),
            &e_edit,
        ),
    );
    doc.add(
        "/api/v1/kb/categories/{id}",
        "delete",
        op(
            kb,
            "Delete an empty category (If-Match; 409 while it has articles)",
            "204",
            json!({}),
            None,
            id.clone(),
            &["401", "403", "404", "409", "412", "428"],
        ),
    );

    let pubtag = "public help centre";
    let org = path_param("org", text(), "organisation slug");
    let slug = path_param("slug", text(), "article slug");
    let org_json = object(&["name", "slug"], json!({"name": text(), "slug": text()}));
    let mut params = vec![org.clone()];
    params.extend(search_params());
    doc.add(
        "/api/v1/public/{org}/kb",
        "get",
        public(op(
            pubtag,
            "Search published articles (no sign-in; cacheable; 429 when over budget)",
            "200",
            object(
                &["org", "items", "total"],
                json!({"org": org_json, "items": array(ref_("KbHit")), "total": count()}),
            ),
            None,
            json!(params),
            &["403", "404", "422", "429"],
        )),
    );
    doc.add("/api/v1/public/{org}/kb/categories", "get", public(op(pubtag, "Categories with published-article counts", "200", object(&["org", "items"], json!({"org": org_json, "items": array(object(&["id", "name", "slug", "articles"], json!({"id": uuid(), "name": text(), "slug": text(), "description": text(), "articles": count()})))})), None, json!([org.clone()]), &["404", "429"])));
    doc.add("/api/v1/public/{org}/kb/articles/{slug}", "get", public(op(pubtag, "A published article", "200", object(&["org", "id", "title", "slug", "body", "tags", "helpful", "not_helpful"], json!({"org": org_json, "id": uuid(), "title": text(), "slug": text(), "body": text(), "category": {"type": ["object", "null"]}, "tags": array(text()), "locale": {"type": ["string", "null"]}, "published_at": {"type": ["string", "null"], "format": "date-time"}, "updated_at": timestamp(), "helpful": count(), "not_helpful": count()})), None, json!([org.clone(), slug.clone()]), &["404", "429"])));
    doc.add("/api/v1/public/{org}/kb/articles/{slug}/feedback", "post", public(op(pubtag, "Anonymous vote, one per browser session id", "200", ref_("KbTally"), Some(object(&["helpful", "session"], json!({"helpful": {"type": "boolean"}, "comment": text(), "session": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"}}))), json!([org, slug]), &["404", "422", "429"])));

    let portal = "customer portal";
    doc.add(
        "/api/v1/portal/context",
        "get",
        op(
            portal,
            "The signed-in user and organisation",
            "200",
            object(
                &["org", "user"],
                json!({"org": {"type": "object"}, "user": {"type": "object"}}),
            ),
            None,
            json!([]),
            &["401"],
        ),
    );
    doc.add(
        "/api/v1/portal/suggestions",
        "get",
        op(
            portal,
            "Up to five published articles for a ticket subject being typed",
            "200",
            object(&["items"], json!({"items": array(ref_("KbHit"))})),
            None,
            json!([query_param("q", text(), "the subject so far")]),
            &["401", "403", "422"],
        ),
    );
    doc.add("/api/v1/portal/deflections", "post", op(portal, "A suggested article answered the question (customers; once per user and article per hour: 201 counted, 200 already counted)", "201", object(&["counted"], json!({"counted": {"type": "boolean"}})), Some(object(&["article_id"], json!({"article_id": uuid(), "query": text()}))), json!([]), &["401", "403", "422"]));
    doc.add("/api/v1/portal/stats", "get", op(portal, "Deflections, portal tickets and deflection rate (office roles)", "200", object(&["deflections", "portal_tickets"], json!({"from": timestamp(), "to": timestamp(), "deflections": count(), "portal_tickets": count(), "deflection_rate": {"type": ["number", "null"]}, "top_articles": array(object(&["article_id", "title", "deflections"], json!({"article_id": uuid(), "title": text(), "deflections": count()})))})), None, json!(range_params()), &["401", "403", "422"]));

    let surveys = "satisfaction surveys";
    doc.add(
        "/api/v1/tickets/{id}/survey",
        "get",
        op(
            surveys,
            "Whether the ticket's survey is open, and its answer",
            "200",
            ref_("TicketSurveyState"),
            None,
            id.clone(),
            &e_read,
        ),
    );
    doc.add(
        "/api/v1/tickets/{id}/survey",
        "post",
        op(
            surveys,
            "The requester rates a resolved ticket, once (409 before resolution or when answered)",
            "201",
            ref_("TicketSurvey"),
            Some(ref_("SurveyAnswer")),
            id.clone(),
            &["401", "403", "404", "409", "422"],
        ),
    );
    doc.add(
        "/api/v1/tickets/{id}/survey/link",
        "post",
        op(
            surveys,
            "A 30-day survey link for e-mails (office roles)",
            "201",
            object(
                &["token", "path"],
                json!({"token": text(), "path": text(), "expires_in_days": {"type": "integer"},
                       "url": {"type": ["string", "null"], "description": "full link on the service's public URL (FIELDPATH_PUBLIC_URL); null when unset"}}),
            ),
            None,
            id,
            &e_read,
        ),
    );
    let token = json!([path_param("token", text(), "survey link token")]);
    doc.add(
        "/api/v1/public/surveys/{token}",
        "get",
        public(op(
            surveys,
            "The survey behind an e-mail link",
            "200",
            ref_("TicketSurveyState"),
            None,
            token.clone(),
            &["404", "429"],
        )),
    );
    doc.add(
        "/api/v1/public/surveys/{token}",
        "post",
        public(op(
            surveys,
            "Answer through an e-mail link",
            "201",
            ref_("TicketSurvey"),
            Some(ref_("SurveyAnswer")),
            token,
            &["404", "409", "422", "429"],
        )),
    );
    let mut params = range_params();
    params.push(query_param(
        "limit",
        json!({"type": "integer", "minimum": 1, "maximum": 1000}),
        "most answers listed (default 200)",
    ));
    doc.add("/api/v1/surveys", "get", op(surveys, "Answers in a period with count, mean rating and CSAT % (office roles)", "200", object(&["items", "summary"], json!({"from": timestamp(), "to": timestamp(), "items": array(json!({"type": "object"})), "summary": object(&["count"], json!({"count": count(), "mean_rating": {"type": ["number", "null"]}, "csat_percent": {"type": ["number", "null"]}}))})), None, json!(params), &["401", "403", "422"]));
}
