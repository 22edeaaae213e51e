//! Custom ticket fields, typed per organisation (text, number, date, select), and the
//! validation of submitted values: a wrong value is a 422 naming `custom_fields.<key>`.

use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The kinds of custom field.
pub const KINDS: [&str; 4] = ["text", "number", "date", "select"];

/// Longest text value.
const MAX_TEXT: usize = 2000;

/// A custom field definition of an organisation.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct TicketField {
    /// Id.
    pub id: Uuid,
    /// Key in `custom_fields`.
    pub key: String,
    /// Display label.
    pub label: String,
    /// `text`, `number`, `date` or `select`.
    pub kind: String,
    /// Allowed values of a `select`.
    pub options: Vec<String>,
    /// Whether a ticket must have a value.
    pub required: bool,
}

fn bad(key: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(format!("custom_fields.{key}"), message)
}

fn check_value(def: &TicketField, value: &Value) -> Result<(), ApiError> {
    let key = &def.key;
    match (def.kind.as_str(), value) {
        ("text", Value::String(s)) if s.chars().count() <= MAX_TEXT => Ok(()),
        ("text", _) => Err(bad(
            key,
            format!("{key} must be text of at most {MAX_TEXT} characters"),
        )),
        ("number", Value::Number(_)) => Ok(()),
        ("number", _) => Err(bad(key, format!("{key} must be a number"))),
        ("date", Value::String(s)) if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() => {
            Ok(())
        }
        ("date", _) => Err(bad(key, format!("{key} must be a date (YYYY-MM-DD)"))),
        ("select", Value::String(s)) if def.options.contains(s) => Ok(()),
        ("select", _) => Err(bad(
            key,
            format!("{key} must be one of: {}", def.options.join(", ")),
        )),
        (other, _) => Err(ApiError::internal(format!("unknown field kind {other}"))),
    }
}

/// Merges `submitted` into `current` (a `null` value removes a field) and checks the result
/// against the organisation's definitions: unknown keys, wrong types and missing required
/// fields are 422 errors naming `custom_fields.<key>`.
pub fn apply(
    defs: &[TicketField],
    current: &Map<String, Value>,
    submitted: &Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let mut merged = current.clone();
    for (key, value) in submitted {
        let def = defs
            .iter()
            .find(|d| &d.key == key)
            .ok_or_else(|| bad(key, format!("unknown custom field `{key}`")))?;
        if value.is_null() {
            merged.remove(key);
        } else {
            check_value(def, value)?;
            merged.insert(key.clone(), value.clone());
        }
    }
    if let Some(missing) = defs
        .iter()
        .find(|d| d.required && !merged.contains_key(&d.key))
    {
        return Err(bad(&missing.key, format!("{} is required", missing.key)));
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(key: &str, kind: &str, required: bool) -> TicketField {
        TicketField {
            id: Uuid::nil(),
            key: key.into(),
            label: key.into(),
            kind: kind.into(),
            options: vec!["a".into(), "b".into()],
            required,
        }
    }

    #[test]
    fn validates_by_kind() {
        let defs = [
            def("serial", "text", false),
            def("units", "number", false),
            def("visit", "date", false),
            def("tier", "select", true),
        ];
        let obj = |v: Value| v.as_object().cloned().unwrap_or_default();
        let ok = apply(
            &defs,
            &Map::new(),
            &obj(json!({"serial": "X1", "units": 3, "visit": "2025-02-01", "tier": "a"})),
        )
        .expect("valid");
        assert_eq!(ok.len(), 4);
        let field = |v: Value| apply(&defs, &ok, &obj(v)).unwrap_err().field;
        assert_eq!(
            field(json!({"units": "three"})).as_deref(),
            Some("custom_fields.units")
        );
        assert_eq!(
            field(json!({"visit": "01/02/2025"})).as_deref(),
            Some("custom_fields.visit")
        );
        assert_eq!(
            field(json!({"tier": "c"})).as_deref(),
            Some("custom_fields.tier")
        );
        assert_eq!(
            field(json!({"tier": null})).as_deref(),
            Some("custom_fields.tier")
        );
        assert_eq!(
            field(json!({"colour": "red"})).as_deref(),
            Some("custom_fields.colour")
        );
        let removed = apply(&defs, &ok, &obj(json!({"serial": null}))).expect("removal");
        assert!(!removed.contains_key("serial"));
    }
}
