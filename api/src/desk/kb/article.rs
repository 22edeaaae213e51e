//! Knowledge-base articles without I/O: the stored shape, what a create or edit may carry, and
//! the rules (slugs, tags, locales, status changes) applied before anything is written.

use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Article statuses: only `published` ones are shown to customers and the public.
pub const STATUSES: [&str; 3] = ["draft", "published", "archived"];

/// An article as stored, with its feedback counts.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Article {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// URL name, unique in the organisation.
    pub slug: String,
    /// Text (paragraphs separated by blank lines).
    pub body: String,
    /// `draft`, `published` or `archived`.
    pub status: String,
    /// Category.
    pub category_id: Option<Uuid>,
    /// Lower-case tags, sorted.
    pub tags: Vec<String>,
    /// Language (`en`, `fr-CH`, …), if set.
    pub locale: Option<String>,
    /// Who wrote it.
    pub author_id: Option<Uuid>,
    /// Who changed it last.
    pub updated_by: Option<Uuid>,
    /// First publication.
    pub published_at: Option<DateTime<Utc>>,
    /// Version, raised by every change (the ETag).
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// "Helpful" votes.
    pub helpful: i64,
    /// "Not helpful" votes.
    pub not_helpful: i64,
}

/// A saved state of an article's content.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ArticleVersion {
    /// The article.
    pub article_id: Uuid,
    /// The article's version this state had.
    pub version: i64,
    /// Title.
    pub title: String,
    /// Slug.
    pub slug: String,
    /// Text.
    pub body: String,
    /// Status.
    pub status: String,
    /// Category.
    pub category_id: Option<Uuid>,
    /// Tags.
    pub tags: Vec<String>,
    /// Locale.
    pub locale: Option<String>,
    /// Who saved it.
    pub editor_id: Option<Uuid>,
    /// Saved.
    pub created_at: DateTime<Utc>,
}

/// A new article (`POST /api/v1/kb/articles`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewArticle {
    /// Title.
    pub title: String,
    /// Slug; made from the title when missing.
    pub slug: Option<String>,
    /// Text.
    #[serde(default)]
    pub body: String,
    /// `draft` (default) or `published`.
    pub status: Option<String>,
    /// Category.
    pub category_id: Option<Uuid>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Locale.
    pub locale: Option<String>,
}

/// An edit (`PATCH /api/v1/kb/articles/{id}`): absent fields stay; `null` clears the nullable ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    /// Title.
    pub title: Option<String>,
    /// Slug.
    pub slug: Option<String>,
    /// Text.
    pub body: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Category (`null` removes it).
    #[serde(default, with = "double_option")]
    pub category_id: Option<Option<Uuid>>,
    /// Tags (replace the list).
    pub tags: Option<Vec<String>>,
    /// Locale (`null` removes it).
    #[serde(default, with = "double_option")]
    pub locale: Option<Option<String>>,
    /// The version the edit is based on (instead of `If-Match`).
    pub version: Option<serde_json::Value>,
}

/// Tells "absent" (`None`) from "null" (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// The writable content of an article after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    /// Title.
    pub title: String,
    /// Slug.
    pub slug: String,
    /// Text.
    pub body: String,
    /// Status.
    pub status: String,
    /// Category.
    pub category_id: Option<Uuid>,
    /// Tags.
    pub tags: Vec<String>,
    /// Locale.
    pub locale: Option<String>,
}

impl Content {
    /// The content of a stored article.
    pub fn of(a: &Article) -> Self {
        Content {
            title: a.title.clone(),
            slug: a.slug.clone(),
            body: a.body.clone(),
            status: a.status.clone(),
            category_id: a.category_id,
            tags: a.tags.clone(),
            locale: a.locale.clone(),
        }
    }

    /// Validated content of a new article.
    pub fn new(n: NewArticle) -> Result<Self, ApiError> {
        let title = title(&n.title)?;
        let slug = match n.slug {
            Some(s) => slug(&s)?,
            None => slugify(&title).ok_or_else(|| {
                ApiError::validation("slug", "the title has no letters or digits for a slug")
            })?,
        };
        let status = n.status.unwrap_or_else(|| "draft".into());
        Ok(Content {
            title,
            slug,
            body: body(&n.body)?,
            status: status_name(&status)?,
            category_id: n.category_id,
            tags: tags(&n.tags)?,
            locale: n.locale.map(|l| locale(&l)).transpose()?,
        })
    }

    /// This content with an edit applied.
    pub fn apply(mut self, p: ArticlePatch) -> Result<Self, ApiError> {
        if let Some(t) = p.title {
            self.title = title(&t)?;
        }
        if let Some(s) = p.slug {
            self.slug = slug(&s)?;
        }
        if let Some(b) = p.body {
            self.body = body(&b)?;
        }
        if let Some(s) = p.status {
            self.status = status_name(&s)?;
        }
        if let Some(c) = p.category_id {
            self.category_id = c;
        }
        if let Some(t) = p.tags {
            self.tags = tags(&t)?;
        }
        if let Some(l) = p.locale {
            self.locale = l.map(|l| locale(&l)).transpose()?;
        }
        Ok(self)
    }

    /// The text-search configuration for this content's language.
    pub fn search_config(&self) -> &'static str {
        search_config(self.locale.as_deref())
    }
}

fn title(t: &str) -> Result<String, ApiError> {
    let t = t.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(ApiError::validation(
            "title",
            "title must be 1–200 characters",
        ));
    }
    Ok(t.to_string())
}

fn body(b: &str) -> Result<String, ApiError> {
    if b.len() > 200_000 {
        return Err(ApiError::validation(
            "body",
            "body is longer than 200 000 bytes",
        ));
    }
    // Control characters other than line breaks and tabs are dropped (they also serve as the
    // search excerpt's match marks).
    Ok(b.trim_end()
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .collect())
}

fn status_name(s: &str) -> Result<String, ApiError> {
    if STATUSES.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(ApiError::validation(
            "status",
            "status must be draft, published or archived",
        ))
    }
}

/// A slug as given: lower-case ASCII letters and digits in dash-separated words.
pub fn slug(s: &str) -> Result<String, ApiError> {
    let ok = !s.is_empty()
        && s.len() <= 120
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(s.to_string())
    } else {
        Err(ApiError::validation(
            "slug",
            "slug must be lower-case letters and digits separated by single dashes",
        ))
    }
}

/// A slug made from a title: accents dropped where they decompose simply, other characters
/// become word breaks. `None` when nothing is left.
pub fn slugify(title: &str) -> Option<String> {
    let mut words: Vec<String> = vec![String::new()];
    for c in title.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            if let Some(w) = words.last_mut() {
                w.push(c);
            }
        } else if words.last().is_some_and(|w| !w.is_empty()) {
            words.push(String::new());
        }
    }
    let mut slug = String::new();
    for w in words.iter().filter(|w| !w.is_empty()) {
        if slug.len() + w.len() + 1 > 80 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(w);
    }
    (!slug.is_empty()).then_some(slug)
}

/// Latin letters with diacritics → their base letter (the common Western European ones; a
/// Unicode normalisation crate would be overkill for URL names).
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// Tags: trimmed, lower-case, 1–40 characters, at most 20, sorted, no duplicates.
pub fn tags(list: &[String]) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::new();
    for t in list {
        let t = t.trim().to_lowercase();
        if t.is_empty() || t.chars().count() > 40 {
            return Err(ApiError::validation("tags", "tags must be 1–40 characters"));
        }
        out.push(t);
    }
    out.sort();
    out.dedup();
    if out.len() > 20 {
        return Err(ApiError::validation("tags", "at most 20 tags"));
    }
    Ok(out)
}

/// A locale like `en` or `fr-CH`.
pub fn locale(l: &str) -> Result<String, ApiError> {
    let b = l.as_bytes();
    let lang = b.len() >= 2 && b[..2].iter().all(u8::is_ascii_lowercase);
    let ok = lang
        && (b.len() == 2
            || (b.len() == 5 && b[2] == b'-' && b[3..].iter().all(u8::is_ascii_uppercase)));
    if ok {
        Ok(l.to_string())
    } else {
        Err(ApiError::validation(
            "locale",
            "locale must look like `en` or `fr-CH`",
        ))
    }
}

/// The Postgres text-search configuration of a locale: stemming for the languages Postgres
/// ships dictionaries for, `simple` (no stemming) for the others; English when unset.
pub fn search_config(locale: Option<&str>) -> &'static str {
    let lang = locale.map(|l| l.get(..2).unwrap_or(l));
    match lang {
        None | Some("en") => "english",
        Some("fr") => "french",
        Some("de") => "german",
        Some("it") => "italian",
        Some("es") => "spanish",
        Some("pt") => "portuguese",
        Some("nl") => "dutch",
        Some("sv") => "swedish",
        Some("da") => "danish",
        Some("no") | Some("nb") => "norwegian",
        Some("fi") => "finnish",
        Some("ru") => "russian",
        _ => "simple",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_titles() {
        assert_eq!(
            slugify("Réinitialiser le thermostat — étape 2").as_deref(),
            Some("reinitialiser-le-thermostat-etape-2")
        );
        assert_eq!(slugify("  ?? ").as_deref(), None);
        assert!(slug("reset-router-2").is_ok());
        for bad in ["", "Reset", "a--b", "-a", "a-", "a b"] {
            assert!(slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_locales_and_configs() {
        assert_eq!(
            tags(&[" Wifi".into(), "router".into(), "wifi".into()]).ok(),
            Some(vec!["router".to_string(), "wifi".to_string()])
        );
        assert!(tags(&["".into()]).is_err());
        assert!(locale("fr-CH").is_ok() && locale("en").is_ok());
        assert!(locale("english").is_err() && locale("fr-ch").is_err());
        assert_eq!(search_config(Some("fr-CH")), "french");
        assert_eq!(search_config(Some("ja")), "simple");
        assert_eq!(search_config(None), "english");
    }

    #[test]
    fn patch_keeps_absent_and_clears_null() {
        let n: NewArticle = serde_json::from_value(
            serde_json::json!({"title": "Reset the router", "locale": "en", "tags": ["net"]}),
        )
        .unwrap();
        let c = Content::new(n).unwrap();
        assert_eq!(c.slug, "reset-the-router");
        assert_eq!(c.status, "draft");
        let p: ArticlePatch =
            serde_json::from_value(serde_json::json!({"locale": null, "body": "Unplug it."}))
                .unwrap();
        let d = c.clone().apply(p).unwrap();
        assert_eq!(d.locale, None);
        assert_eq!(d.tags, c.tags);
        assert_eq!(d.body, "Unplug it.");
    }
}
