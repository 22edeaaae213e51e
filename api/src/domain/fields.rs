//! Typed fields of records and the validation of submitted JSON values.

use crate::error::ApiError;
use base64::Engine;
use serde_json::Value;

/// The shape of a JSON-valued field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonShape {
    /// `[{"skill": "hvac", "level": 1..=5}]` (level optional, default 1).
    Skills,
    /// `{"mon": [{"start": "08:00", "end": "17:00"}], ...}` keyed by weekday.
    WorkingHours,
    /// `[{"start": RFC 3339, "end": RFC 3339, "reason"?: text}]`.
    Ranges,
    /// `[{"part": text, "quantity": number}]`.
    Parts,
}

/// The type of a field, with its bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Text up to `max` characters.
    Text { max: usize },
    /// Integer within bounds.
    Int { min: i64, max: i64 },
    /// Floating-point number within bounds.
    Float { min: f64, max: f64 },
    /// true/false.
    Bool,
    /// A UUID (references to other records).
    Uuid,
    /// `YYYY-MM-DD`.
    Date,
    /// RFC 3339 timestamp.
    Timestamp,
    /// One of the listed names.
    Enum(&'static [&'static str]),
    /// Structured JSON of a known shape.
    Json(JsonShape),
    /// Base64 PNG image data (optionally as a `data:image/png;base64,` URL).
    PngBase64,
}

impl Kind {
    /// The Postgres type a filter value is cast to.
    pub fn sql_type(self) -> &'static str {
        match self {
            Kind::Text { .. } | Kind::Enum(_) | Kind::PngBase64 => "text",
            Kind::Int { .. } => "bigint",
            Kind::Float { .. } => "double precision",
            Kind::Bool => "boolean",
            Kind::Uuid => "uuid",
            Kind::Date => "date",
            Kind::Timestamp => "timestamptz",
            Kind::Json(_) => "jsonb",
        }
    }
}

/// A writable field of a record.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Column and JSON name.
    pub name: &'static str,
    /// Type and bounds.
    pub kind: Kind,
    /// Must be present (and not null) on create and may not be set to null.
    pub required: bool,
}

/// Shorthand constructors for the resource catalogue.
pub const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}
/// An optional field.
pub const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// Checks one submitted value against its field; returns the value to store.
pub fn validate(field: &Field, value: &Value) -> Result<Value, ApiError> {
    let name = field.name;
    if value.is_null() {
        return if field.required {
            Err(ApiError::validation(name, format!("{name} is required")))
        } else {
            Ok(Value::Null)
        };
    }
    let bad = |what: &str| ApiError::validation(name, format!("{name} must be {what}"));
    match field.kind {
        Kind::Text { max } => {
            let s = value.as_str().ok_or_else(|| bad("text"))?;
            if field.required && s.trim().is_empty() {
                return Err(bad("non-empty text"));
            }
            if s.chars().count() > max {
                return Err(bad(&format!("at most {max} characters")));
            }
        }
        Kind::Int { min, max } => {
            let n = value.as_i64().ok_or_else(|| bad("an integer"))?;
            if n < min || n > max {
                return Err(bad(&format!("between {min} and {max}")));
            }
        }
        Kind::Float { min, max } => {
            let x = value.as_f64().ok_or_else(|| bad("a number"))?;
            if !(min..=max).contains(&x) {
                return Err(bad(&format!("between {min} and {max}")));
            }
        }
        Kind::Bool => {
            value.as_bool().ok_or_else(|| bad("true or false"))?;
        }
        Kind::Uuid => {
            let s = value.as_str().ok_or_else(|| bad("a UUID"))?;
            uuid::Uuid::parse_str(s).map_err(|_| bad("a UUID"))?;
        }
        Kind::Date => {
            let s = value.as_str().ok_or_else(|| bad("a date (YYYY-MM-DD)"))?;
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| bad("a date (YYYY-MM-DD)"))?;
        }
        Kind::Timestamp => {
            let s = value.as_str().ok_or_else(|| bad("an RFC 3339 timestamp"))?;
            chrono::DateTime::parse_from_rfc3339(s).map_err(|_| bad("an RFC 3339 timestamp"))?;
        }
        Kind::Enum(names) => {
            let s = value.as_str().unwrap_or_default();
            if !names.contains(&s) {
                return Err(bad(&format!("one of {}", names.join(", "))));
            }
        }
        Kind::Json(shape) => validate_json(name, shape, value)?,
        Kind::PngBase64 => {
            let s = value.as_str().ok_or_else(|| bad("base64 PNG data"))?;
            let data = s.strip_prefix("data:image/png;base64,").unwrap_or(s);
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|_| bad("base64 PNG data"))?;
            if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                return Err(bad("a PNG image"));
            }
            return Ok(Value::String(data.trim().to_string()));
        }
    }
    Ok(value.clone())
}

/// Parses a query-string filter value for a field of this kind (422 naming `name` if bad).
pub fn validate_filter(name: &str, kind: Kind, raw: &str) -> Result<(), ApiError> {
    let value = match kind {
        Kind::Int { .. } => raw.parse::<i64>().map(Value::from).unwrap_or(Value::Null),
        Kind::Float { .. } => raw.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
        Kind::Bool => raw.parse::<bool>().map(Value::from).unwrap_or(Value::Null),
        Kind::Json(_) => {
            return Err(ApiError::validation(
                name,
                format!("{name} cannot be filtered"),
            ))
        }
        _ => Value::String(raw.to_string()),
    };
    let field = Field {
        name: "value",
        kind,
        required: true,
    };
    validate(&field, &value)
        .map(|_| ())
        .map_err(|e| ApiError::validation(name, e.message))
}

fn validate_json(name: &str, shape: JsonShape, value: &Value) -> Result<(), ApiError> {
    let bad = |what: &str| ApiError::validation(name, format!("{name} must be {what}"));
    match shape {
        JsonShape::Skills => {
            let items = value
                .as_array()
                .ok_or_else(|| bad("a list of {skill, level}"))?;
            for item in items {
                let skill = item
                    .get("skill")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if skill.is_empty() {
                    return Err(bad("a list of {skill, level} with a non-empty skill"));
                }
                if let Some(level) = item.get("level") {
                    if !level.as_i64().is_some_and(|l| (1..=5).contains(&l)) {
                        return Err(bad("a list of {skill, level} with level 1..5"));
                    }
                }
            }
        }
        JsonShape::WorkingHours => {
            const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let days = value
                .as_object()
                .ok_or_else(|| bad("an object keyed by weekday"))?;
            for (day, spans) in days {
                if !DAYS.contains(&day.as_str()) {
                    return Err(bad("keyed by mon..sun"));
                }
                for span in spans
                    .as_array()
                    .ok_or_else(|| bad("lists of {start, end}"))?
                {
                    let start = span
                        .get("start")
                        .and_then(Value::as_str)
                        .and_then(parse_hhmm);
                    let end = span.get("end").and_then(Value::as_str).and_then(parse_hhmm);
                    match (start, end) {
                        (Some(s), Some(e)) if s < e => {}
                        _ => {
                            return Err(bad(
                                "lists of {start: \"HH:MM\", end: \"HH:MM\"} with start < end",
                            ))
                        }
                    }
                }
            }
        }
        JsonShape::Ranges => {
            for range in value
                .as_array()
                .ok_or_else(|| bad("a list of {start, end}"))?
            {
                let ts = |k: &str| {
                    range
                        .get(k)
                        .and_then(Value::as_str)
                        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                };
                match (ts("start"), ts("end")) {
                    (Some(s), Some(e)) if s < e => {}
                    _ => {
                        return Err(bad(
                            "a list of {start, end} RFC 3339 timestamps with start < end",
                        ))
                    }
                }
            }
        }
        JsonShape::Parts => {
            for part in value
                .as_array()
                .ok_or_else(|| bad("a list of {part, quantity}"))?
            {
                let ok = part
                    .get("part")
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
                    && part
                        .get("quantity")
                        .and_then(Value::as_f64)
                        .is_some_and(|q| q > 0.0);
                if !ok {
                    return Err(bad("a list of {part, quantity > 0}"));
                }
            }
        }
    }
    Ok(())
}

/// `"08:30"` → minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validates_kinds() {
        let f = req("priority", Kind::Enum(&["low", "high"]));
        assert!(validate(&f, &json!("low")).is_ok());
        assert_eq!(
            validate(&f, &json!("x")).unwrap_err().field.as_deref(),
            Some("priority")
        );
        assert!(validate(&f, &Value::Null).is_err());
        let skills = opt("skills", Kind::Json(JsonShape::Skills));
        assert!(validate(&skills, &json!([{"skill": "hvac", "level": 3}])).is_ok());
        assert!(validate(&skills, &json!([{"skill": "hvac", "level": 9}])).is_err());
        let hours = opt("working_hours", Kind::Json(JsonShape::WorkingHours));
        assert!(validate(
            &hours,
            &json!({"mon": [{"start": "08:00", "end": "17:00"}]})
        )
        .is_ok());
        assert!(validate(&hours, &json!({"xyz": []})).is_err());
        assert!(validate_filter("limit", Kind::Uuid, "nope").is_err());
    }
}
