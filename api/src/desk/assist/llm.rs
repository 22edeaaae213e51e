//! The optional language model: any OpenAI-compatible `chat/completions` endpoint (OpenAI,
//! a local llama.cpp / vLLM / Ollama server...). Off unless the organisation's assist settings
//! or the service's `FIELDPATH_ASSIST_LLM_URL` name an endpoint; the desk works fully without it.

use serde::Serialize;
use serde_json::{json, Value};
use std::time::Duration;

/// How long one completion may take.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Service-wide endpoint base URL, e.g. `http://127.0.0.1:8000/v1`.
pub const ENV_URL: &str = "FIELDPATH_ASSIST_LLM_URL";
/// Service-wide model name.
pub const ENV_MODEL: &str = "FIELDPATH_ASSIST_LLM_MODEL";
/// Service-wide bearer key.
pub const ENV_KEY: &str = "FIELDPATH_ASSIST_LLM_API_KEY";
/// Model used when none is named.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// Where and how to call the model.
#[derive(Debug, Clone)]
pub struct LlmEndpoint {
    /// Base URL; `/chat/completions` is appended.
    pub url: String,
    /// Model name.
    pub model: String,
    /// Bearer key, if the endpoint wants one.
    pub api_key: Option<String>,
}

/// The endpoint in force: the organisation's row `(url, model, key)` if it names a URL,
/// otherwise the service's environment, otherwise none (assist LLM off).
pub fn resolve(org_row: Option<(Option<String>, String, Option<String>)>) -> Option<LlmEndpoint> {
    if let Some((Some(url), model, api_key)) = org_row {
        if !url.trim().is_empty() {
            return Some(LlmEndpoint {
                url,
                model,
                api_key,
            });
        }
    }
    let url = std::env::var(ENV_URL)
        .ok()
        .filter(|u| !u.trim().is_empty())?;
    Some(LlmEndpoint {
        url,
        model: std::env::var(ENV_MODEL).unwrap_or_else(|_| DEFAULT_MODEL.into()),
        api_key: std::env::var(ENV_KEY).ok().filter(|k| !k.is_empty()),
    })
}

/// Checks an endpoint URL typed by an admin: absolute http(s) without credentials.
pub fn validate_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("the URL must start with http:// or https://".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("put the key in api_key, not in the URL".into());
    }
    Ok(())
}

/// A completion.
#[derive(Debug, Clone, Serialize)]
pub struct Completion {
    /// The generated text.
    pub text: String,
    /// The model that answered (as the endpoint reports it).
    pub model: String,
}

/// Why a completion failed.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The endpoint could not be reached or timed out.
    #[error("the assist LLM endpoint could not be reached: {0}")]
    Unreachable(String),
    /// It answered with an error status or an unexpected body.
    #[error("the assist LLM endpoint answered badly: {0}")]
    BadAnswer(String),
}

fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .unwrap_or_default()
    })
}

/// Asks the model: one system prompt, one user message.
pub async fn complete(
    endpoint: &LlmEndpoint,
    system: &str,
    user: &str,
) -> Result<Completion, LlmError> {
    let url = format!("{}/chat/completions", endpoint.url.trim_end_matches('/'));
    let body = json!({
        "model": endpoint.model,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
        "temperature": 0.2,
    });
    let mut request = client().post(&url).json(&body);
    if let Some(key) = &endpoint.api_key {
        request = request.bearer_auth(key);
    }
    let response = request
        .send()
        .await
        .map_err(|e| LlmError::Unreachable(e.without_url().to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(LlmError::BadAnswer(format!("HTTP {status}")));
    }
    let answer: Value = response
        .json()
        .await
        .map_err(|e| LlmError::BadAnswer(e.without_url().to_string()))?;
    let text = answer["choices"][0]["message"]["content"]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| LlmError::BadAnswer("no choices[0].message.content".into()))?;
    Ok(Completion {
        text: text.to_string(),
        model: answer["model"]
            .as_str()
            .unwrap_or(&endpoint.model)
            .to_string(),
    })
}
