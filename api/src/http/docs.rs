//! `/api/v1/openapi.json` and a self-contained docs page at `/api/v1/docs` (no CDN: the page
//! renders the operations from the JSON with a few lines of inline script).

use super::openapi;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(spec))
        .route("/api/v1/docs", get(page))
}

async fn spec() -> Response {
    axum::Json(openapi::document()).into_response()
}

async fn page() -> Html<&'static str> {
    Html(DOCS_PAGE)
}

const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fieldpath API</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:960px;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}.op{border:1px solid #ddd;border-radius:6px;margin:.4rem 0}
.op summary{cursor:pointer;padding:.45rem .6rem;display:flex;gap:.7rem;align-items:center}
.m{font-weight:700;width:4.5rem;text-transform:uppercase}.get{color:#0a7}.post{color:#06c}
.patch,.put{color:#b70}.delete{color:#c22}code,pre{background:#f6f6f6;border-radius:4px}
pre{padding:.6rem;overflow:auto;margin:.4rem .6rem}.tag{margin-top:1.6rem;border-bottom:2px solid #eee}
</style></head><body>
<h1>Fieldpath API</h1>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).
Authenticate with <code>POST /api/v1/auth/login</code>, then send <code>Authorization: Bearer &lt;access_token&gt;</code>.
Changes need <code>If-Match: "&lt;version&gt;"</code>; errors are <code>{"error":{"code","message","field"}}</code>.</p>
<div id="ops">Loading…</div>
<script>
fetch('/api/v1/openapi.json').then(r=>r.json()).then(doc=>{
  const byTag={};
  for(const [path,item] of Object.entries(doc.paths||{}))
    for(const [method,op] of Object.entries(item)){
      if(typeof op!=='object'||!op.responses) continue;
      const tag=(op.tags||['other'])[0];(byTag[tag]=byTag[tag]||[]).push([method,path,op]);}
  const esc=s=>String(s).replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
  let html='';
  for(const [tag,ops] of Object.entries(byTag)){
    html+=`<h2 class="tag">${esc(tag)}</h2>`;
    for(const [m,p,op] of ops){
      const params=(op.parameters||[]).map(x=>`${x.name} (${x.in})`).join(', ');
      const codes=Object.keys(op.responses).join(', ');
      html+=`<details class="op"><summary><span class="m ${m}">${m}</span><code>${esc(p)}</code> ${esc(op.summary||'')}</summary>`+
        (params?`<p style="margin:.3rem .6rem">Parameters: ${esc(params)}</p>`:'')+
        `<p style="margin:.3rem .6rem">Responses: ${esc(codes)}</p>`+
        (op.requestBody?`<pre>${esc(JSON.stringify(op.requestBody.content,null,2))}</pre>`:'')+`</details>`;}
  }
  document.getElementById('ops').innerHTML=html;
}).catch(e=>{document.getElementById('ops').textContent='Could not load the API description: '+e;});
</script></body></html>"#;
