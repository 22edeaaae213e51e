//! Help-desk assist and reports: suggestions, sentiment, LLM drafts and settings, the desk
//! report in JSON and CSV.

use super::{array, id_param, object, op, query_param, uuid, Doc};
use serde_json::{json, Value};

fn suggestion_list() -> Value {
    array(object(
        &["value", "probability"],
        json!({"value": {"type": "string"}, "probability": {"type": "number", "minimum": 0, "maximum": 1}}),
    ))
}

fn sentiment() -> Value {
    object(
        &["score", "label"],
        json!({"score": {"type": "number", "minimum": -1, "maximum": 1, "description": "VADER compound score"},
            "label": {"enum": ["negative", "neutral", "positive"]}}),
    )
}

fn report_params() -> Vec<Value> {
    vec![
        query_param(
            "from",
            json!({"type": "string", "format": "date"}),
            "first day (default: 29 days before `to`)",
        ),
        query_param(
            "to",
            json!({"type": "string", "format": "date"}),
            "last day, inclusive (default: today); at most 366 days",
        ),
        query_param(
            "tz",
            json!({"type": "string"}),
            "IANA time zone the days are cut in (default UTC)",
        ),
        query_param(
            "group",
            json!({"enum": ["agent", "team", "none"]}),
            "rows per agent, per team, or totals only",
        ),
    ]
}

/// Add the assist and reports area.
pub fn describe(doc: &mut Doc) {
    let ticket = json!([id_param()]);
    doc.schema(
        "DeskSuggestions",
        object(
            &["category", "priority", "sentiment", "similar_tickets", "articles", "model"],
            json!({
                "category": suggestion_list(),
                "priority": suggestion_list(),
                "sentiment": sentiment(),
                "similar_tickets": array(object(&["id", "number", "subject", "score"], json!({
                    "id": uuid(), "number": {"type": "string"}, "subject": {"type": "string"},
                    "score": {"type": "number", "description": "TF-IDF cosine similarity, 0..1"}}))),
                "articles": array(object(&["id", "title", "slug", "score"], json!({
                    "id": uuid(), "title": {"type": "string"}, "slug": {"type": "string"},
                    "score": {"type": "number", "description": "full-text rank mapped into 0..1"}}))),
                "model": {"type": "object", "description": "per classifier: `status` (`ready` or `not_enough_data`), `examples`, `min_examples`"},
            }),
        ),
    );
    doc.add(
        "/api/v1/tickets/{id}/suggestions",
        "get",
        op("desk assist", "Category and priority suggestions learnt from the organisation's resolved tickets, sentiment, similar tickets and articles",
            "200", super::schema_ref("DeskSuggestions"), None, ticket.clone(), &["401", "403", "404"]),
    );
    doc.add(
        "/api/v1/tickets/{id}/assist",
        "get",
        op("desk assist", "Sentiment of the description and of every customer reply (stored), and whether the LLM is configured",
            "200", object(&["ticket_id", "sentiment", "messages", "llm"], json!({
                "ticket_id": uuid(), "sentiment": sentiment(),
                "messages": array(json!({"type": "object"})), "llm": {"type": "object"}})),
            None, ticket.clone(), &["401", "403", "404"]),
    );
    let mut draft = op(
        "desk assist",
        "Reply draft or summary from the configured OpenAI-compatible LLM (nothing is saved)",
        "200",
        object(
            &["kind", "text", "model"],
            json!({"kind": {"enum": ["reply", "summary"]},
            "text": {"type": "string"}, "model": {"type": "string"}}),
        ),
        Some(
            json!({"type": "object", "properties": {"kind": {"enum": ["reply", "summary"]},
            "instructions": {"type": "string", "maxLength": 2000}}}),
        ),
        ticket,
        &["401", "403", "404", "422"],
    );
    for (code, text) in [
        (
            "501",
            "assist LLM not configured (`assist_llm_not_configured`)",
        ),
        ("502", "the LLM endpoint failed (`assist_llm_failed`)"),
    ] {
        draft["responses"][code] = json!({"description": text,
            "content": {"application/json": {"schema": super::schema_ref("Error")}}});
    }
    doc.add("/api/v1/tickets/{id}/assist/draft", "post", draft);
    let settings = object(
        &["source"],
        json!({"llm_url": {"type": ["string", "null"]},
        "llm_model": {"type": ["string", "null"]}, "llm_api_key_set": {"type": "boolean"},
        "source": {"enum": ["organisation", "service", "off"]}}),
    );
    doc.add(
        "/api/v1/assist/settings",
        "get",
        op(
            "desk assist",
            "The LLM endpoint in force (admin; the key is never shown)",
            "200",
            settings.clone(),
            None,
            json!([]),
            &["401", "403"],
        ),
    );
    doc.add("/api/v1/assist/settings", "put",
        op("desk assist", "Set or clear the organisation's LLM endpoint (admin)", "200", settings,
            Some(json!({"type": "object", "properties": {"llm_url": {"type": ["string", "null"]},
                "llm_model": {"type": "string"}, "llm_api_key": {"type": "string", "description": "omit to keep, empty to remove"}}})),
            json!([]), &["401", "403", "422"]));
    doc.add(
        "/api/v1/reports/desk",
        "get",
        op("desk reports", "First response and resolution times (wall clock), SLA compliance, backlog and satisfaction, per agent or team, with a daily series",
            "200", object(&["from", "to", "tz", "group", "clock", "totals", "groups", "series"], json!({
                "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                "tz": {"type": "string"}, "group": {"enum": ["agent", "team", "none"]}, "clock": {"const": "wall"},
                "totals": {"type": "object"}, "groups": array(json!({"type": "object"})),
                "series": array(object(&["date", "created", "resolved", "backlog"], json!({
                    "date": {"type": "string", "format": "date"}, "created": {"type": "integer"},
                    "resolved": {"type": "integer"}, "backlog": {"type": "integer"}})))})),
            None, json!(report_params()), &["401", "403", "422"]),
    );
    let mut params = report_params();
    params.push(query_param(
        "section",
        json!({"enum": ["groups", "series"]}),
        "rows per group (default) or per day",
    ));
    let mut csv = op(
        "desk reports",
        "The desk report as CSV",
        "200",
        json!({}),
        None,
        json!(params),
        &["401", "403", "422"],
    );
    csv["responses"]["200"] = json!({"description": "CSV download", "content": {"text/csv": {"schema": {"type": "string"}}}});
    doc.add("/api/v1/reports/desk.csv", "get", csv);
}
