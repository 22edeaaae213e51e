// The knowledge-base editor (/desk/kb): article list with search and status filter, create and
// edit (title, category, tags, Markdown body with preview), save as draft (If-Match on
// edits), publish. Talks to /api/v1/kb/*; when the server has no knowledge base (404) the page
// says so and shows nothing else.
import { api } from '/assets/api.js';
import { el, toast, debounce } from '/assets/util.js';
import { startPage, optional, when } from '/assets/desk_common.js';
import { renderMarkdown } from '/assets/kb_editor_markdown.js';

const $ = (id) => document.getElementById(id);
const state = { article: null, items: [] };

async function loadList() {
  const p = new URLSearchParams({ limit: '100' });
  if ($('kb-q').value.trim()) p.set('q', $('kb-q').value.trim());
  if ($('kb-status').value) p.set('status', $('kb-status').value);
  const data = await optional('GET', `/api/v1/kb/articles?${p}`);
  if (!data) return false;
  state.items = data.items || [];
  renderList();
  return true;
}

function renderList() {
  const items = state.items.map((a) => el('li', { class: state.article?.id === a.id ? 'current' : '', dataset: { id: a.id, title: a.title } },
    el('button', { type: 'button', onclick: () => open(a.id) },
      el('strong', {}, a.title),
      el('span', { class: 'small' }, el('span', { class: `badge kb-${a.status}` }, a.status), ' ', when(a.updated_at)),
      a.excerpt ? el('span', { class: 'excerpt' }, a.excerpt.replace(/<[^>]*>/g, '')) : '')));
  if (!items.length) items.push(el('li', { class: 'empty' }, 'No articles.'));
  $('kb-list').replaceChildren(...items);
}

function fill(a) {
  state.article = a;
  $('kb-heading').textContent = a ? 'Edit article' : 'New article';
  $('kb-title').value = a?.title || '';
  $('kb-body').value = a?.body || '';
  $('kb-tags').value = (a?.tags || []).join(', ');
  $('kb-category').value = a?.category_id || '';
  $('kb-state').replaceChildren(a ? el('span', { class: `badge kb-${a.status}`, id: 'kb-article-status' }, a.status) : '');
  $('kb-saved').textContent = a ? `Version ${a.version} · saved ${when(a.updated_at)}` : '';
  $('kb-error').hidden = true;
  showPreview(false);
  renderList();
  const url = a ? `/desk/kb?article=${a.id}` : '/desk/kb';
  history.replaceState(null, '', url);
}

async function open(id) {
  try {
    fill(await api('GET', `/api/v1/kb/articles/${id}`));
  } catch (e) {
    toast(`Could not open the article: ${e.message}`, 'error');
  }
}

function content() {
  return {
    title: $('kb-title').value.trim(),
    body: $('kb-body').value,
    tags: $('kb-tags').value.split(',').map((t) => t.trim()).filter(Boolean),
    category_id: $('kb-category').value || null,
  };
}

function showError(e) {
  const box = $('kb-error');
  box.replaceChildren(e.isConflict
    ? el('span', {}, 'Someone else saved this article meanwhile; your text was not saved. ',
      el('button', { type: 'button', class: 'btn btn-sm', onclick: () => open(state.article.id) }, 'Load their version'))
    : `${e.field ? `${e.field}: ` : ''}${e.message}`);
  box.hidden = false;
}

/** Saves the form (a new draft, or the edit with If-Match); the saved article, or null. */
async function save() {
  $('kb-error').hidden = true;
  const c = content();
  if (!c.title) { $('kb-title').focus(); return null; }
  try {
    const a = state.article
      ? await api('PATCH', `/api/v1/kb/articles/${state.article.id}`, c, { ifMatch: state.article.version })
      : await api('POST', '/api/v1/kb/articles', { ...c, status: 'draft' });
    fill(a);
    await loadList();
    return a;
  } catch (e) {
    showError(e);
    return null;
  }
}

async function publish() {
  const a = await save();
  if (!a) return;
  try {
    fill(await api('POST', `/api/v1/kb/articles/${a.id}/publish`, undefined, { ifMatch: a.version }));
    await loadList();
    toast('Article published', 'ok');
  } catch (e) {
    showError(e);
  }
}

function showPreview(on) {
  $('kb-tab-write').setAttribute('aria-selected', String(!on));
  $('kb-tab-preview').setAttribute('aria-selected', String(on));
  $('kb-body').hidden = on;
  $('kb-preview').hidden = !on;
  if (!on) return;
  $('kb-preview').replaceChildren(el('h1', {}, $('kb-title').value));
  $('kb-preview').insertAdjacentHTML('beforeend', renderMarkdown($('kb-body').value));
}

async function main() {
  await startPage();
  let available = false;
  try {
    available = await loadList();
  } catch (e) {
    toast(`Could not load articles: ${e.message}`, 'error');
    available = true;
  }
  if (!available) {
    for (const id of ['kb-list-panel', 'kb-editor-panel']) $(id).hidden = true;
    $('kb-unavailable').hidden = false;
    document.body.dataset.kb = 'unavailable';
    document.body.dataset.loaded = String(Date.now());
    return;
  }
  document.body.dataset.kb = 'ready';
  const categories = await optional('GET', '/api/v1/kb/categories').catch(() => null);
  $('kb-category').append(...(categories?.items || []).map((c) => el('option', { value: c.id }, c.name)));
  $('kb-q').addEventListener('input', debounce(() => loadList(), 250));
  $('kb-status').addEventListener('change', () => loadList());
  $('kb-new').addEventListener('click', () => { fill(null); $('kb-title').focus(); });
  $('kb-form').addEventListener('submit', async (ev) => { ev.preventDefault(); if (await save()) toast('Draft saved', 'ok'); });
  $('kb-publish').addEventListener('click', publish);
  $('kb-tab-write').addEventListener('click', () => showPreview(false));
  $('kb-tab-preview').addEventListener('click', () => showPreview(true));
  const wanted = new URLSearchParams(location.search).get('article');
  if (wanted) await open(wanted); else fill(null);
  document.body.dataset.loaded = String(Date.now());
}

main();
