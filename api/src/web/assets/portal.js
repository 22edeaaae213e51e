// The customer portal (/portal): sign in, search the knowledge base, write a request with
// article suggestions (an article read and a request abandoned counts as a deflection), follow
// and answer own requests, and rate resolved ones. Views are chosen by the URL hash.
import { api } from '/assets/api.js';
import { el, debounce } from '/assets/util.js';
import { renderResults, renderBody, renderArticle, tallyText } from '/assets/portal_kb.js';

const $ = (id) => document.getElementById(id);
const VIEWS = ['login', 'kb', 'article', 'new', 'tickets', 'ticket'];
let me = null;
/** The suggested article opened while writing a request: {id, query}, until submit or deflection. */
let opened = null;

function show(view) {
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== view;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.view === view || (view === 'article' && a.dataset.view === 'kb')
      || (view === 'ticket' && a.dataset.view === 'tickets'));
  }
}

function fail(node, e) {
  node.textContent = e.message;
  node.hidden = false;
}

async function start() {
  try {
    const ctx = await api('GET', '/api/v1/portal/context');
    me = ctx.user;
    $('org-name').textContent = ctx.org.name;
    document.title = `${ctx.org.name} — support`;
    $('user-name').textContent = me.name;
    $('logout').hidden = false;
    $('nav').hidden = false;
  } catch (e) {
    if (e.status !== 401) throw e;
    me = null;
  }
  await route();
  document.body.dataset.loaded = '1';
}

async function route() {
  if (!me) return show('login');
  const [, view, id] = location.hash.split('/');
  if (view !== 'new') leaveNewRequest();
  if (view === 'kb' && id) return openArticle(decodeURIComponent(id));
  if (view === 'new') return newRequest();
  if (view === 'tickets' && id) return openTicket(id);
  if (view === 'tickets') return listTickets();
  return searchKb(new URLSearchParams(location.hash.split('?')[1] || '').get('q') || '');
}

// ---- sign in ----
$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('login-error').hidden = true;
  try {
    await api('POST', '/api/v1/auth/login', { email: $('email').value, password: $('password').value });
    await start();
  } catch (e) {
    fail($('login-error'), e.status === 401 ? { message: 'Wrong e-mail or password.' } : e);
  }
});
$('logout').addEventListener('click', async () => {
  try { await api('POST', '/api/v1/auth/logout'); } catch { /* already signed out */ }
  location.href = '/portal';
});

// ---- knowledge base ----
async function searchKb(q) {
  show('kb');
  $('kb-q').value = q;
  const res = await api('GET', `/api/v1/kb/articles?limit=20${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  $('kb-summary').textContent = q ? `${res.total} article(s) for “${q}”` : 'Latest articles';
  renderResults($('kb-results'), res.items, (h) => `#/kb/${h.id}`);
}
$('kb-search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = $('kb-q').value.trim();
  location.hash = q ? `#/kb?q=${encodeURIComponent(q)}` : '#/kb';
});

async function openArticle(id) {
  show('article');
  const a = await api('GET', `/api/v1/kb/articles/${id}`);
  $('article-title').textContent = a.title;
  $('article-meta').textContent = `Updated ${new Date(a.updated_at).toLocaleDateString()} · ${a.tags.join(', ')}`;
  renderArticle($('article-body'), a.body);
  $('vote-result').textContent = tallyText(a);
  const vote = async (helpful) => {
    const t = await api('POST', `/api/v1/kb/articles/${id}/feedback`, { helpful });
    $('vote-result').textContent = `Thanks! ${tallyText(t)}`;
  };
  $('vote-yes').onclick = () => vote(true);
  $('vote-no').onclick = () => vote(false);
}

// ---- new request with suggestions and deflection ----
function newRequest() {
  show('new');
  $('ticket-form').hidden = false;
  $('deflected').hidden = true;
  $('ticket-error').hidden = true;
}

$('new-again').addEventListener('click', newRequest);

const suggest = debounce(async () => {
  const q = $('t-subject').value.trim();
  if (q.length < 3) { $('suggest').hidden = true; return; }
  const res = await api('GET', `/api/v1/portal/suggestions?q=${encodeURIComponent(q)}`);
  $('suggest-list').replaceChildren(...res.items.map((h) => el('li', {},
    el('a', { href: '#', dataset: { id: h.id }, onclick: (ev) => { ev.preventDefault(); showSuggested(h.id, q); } }, h.title))));
  $('suggest').hidden = res.items.length === 0;
}, 250);
$('t-subject').addEventListener('input', suggest);

async function showSuggested(id, query) {
  const a = await api('GET', `/api/v1/kb/articles/${id}`);
  opened = { id, query };
  $('sa-title').textContent = a.title;
  renderArticle($('sa-body'), a.body);
  $('suggest-article').hidden = false;
}
$('sa-close').addEventListener('click', () => { $('suggest-article').hidden = true; });
$('sa-solved').addEventListener('click', async () => {
  await recordDeflection();
  $('ticket-form').reset();
  $('suggest').hidden = true;
  $('suggest-article').hidden = true;
  $('ticket-form').hidden = true;
  $('deflected').hidden = false;
});

/** Counts the opened article as a deflection (once) when the request is not submitted. */
async function recordDeflection(keepalive = false) {
  if (!opened) return;
  const body = JSON.stringify({ article_id: opened.id, query: opened.query });
  opened = null;
  if (keepalive) {
    fetch('/api/v1/portal/deflections', { method: 'POST', keepalive: true, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body }).catch(() => {});
    return;
  }
  try { await api('POST', '/api/v1/portal/deflections', JSON.parse(body)); } catch { /* best effort */ }
}

/** Leaving the form after reading a suggestion abandons the request. */
function leaveNewRequest() {
  if (opened && $('t-subject').value.trim() !== '') recordDeflection();
  else opened = null;
  $('suggest-article').hidden = true;
}
window.addEventListener('pagehide', () => {
  if (opened && !$('view-new').hidden) recordDeflection(true);
});

$('ticket-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('ticket-error').hidden = true;
  try {
    const t = await api('POST', '/api/v1/tickets', {
      subject: $('t-subject').value.trim(),
      description: $('t-description').value,
      priority: $('t-priority').value,
    });
    opened = null;
    $('ticket-form').reset();
    $('suggest').hidden = true;
    location.hash = `#/tickets/${t.id}`;
  } catch (e) {
    fail($('ticket-error'), e);
  }
});

// ---- own requests ----
const STATUS = { open: 'Open', pending: 'Waiting for you', on_hold: 'On hold', resolved: 'Resolved', closed: 'Closed' };

async function listTickets() {
  show('tickets');
  const res = await api('GET', '/api/v1/tickets?limit=100&sort=-updated_at');
  const items = res.items || [];
  $('tickets-empty').hidden = items.length > 0;
  $('ticket-rows').replaceChildren(...items.map((t) => el('tr', {
    dataset: { id: t.id, number: t.number }, onclick: () => { location.hash = `#/tickets/${t.id}`; },
  }, el('td', {}, t.number), el('td', {}, el('a', { href: `#/tickets/${t.id}` }, t.subject)),
  el('td', {}, el('span', { class: 'badge' }, STATUS[t.status_type] || t.status)),
  el('td', {}, new Date(t.updated_at).toLocaleString()))));
}

async function openTicket(id) {
  show('ticket');
  const [t, msgs, survey] = await Promise.all([
    api('GET', `/api/v1/tickets/${id}`),
    api('GET', `/api/v1/tickets/${id}/messages`),
    api('GET', `/api/v1/tickets/${id}/survey`),
  ]);
  $('tk-title').textContent = `${t.number} · ${t.subject}`;
  $('tk-meta').textContent = `${STATUS[t.status_type] || t.status} · opened ${new Date(t.created_at).toLocaleString()}`;
  renderBody($('tk-description'), t.description);
  $('tk-messages').replaceChildren(...msgs.items.map((m) => {
    const body = el('div');
    renderBody(body, m.body);
    return el('li', { class: m.from_customer ? 'mine' : '' },
      el('div', { class: 'who' }, `${m.from_customer ? 'You' : 'Support'} · ${new Date(m.created_at).toLocaleString()}`), body);
  }));
  $('reply-form').hidden = t.status_type === 'closed';
  $('reply-form').onsubmit = async (ev) => {
    ev.preventDefault();
    $('reply-error').hidden = true;
    try {
      await api('POST', `/api/v1/tickets/${id}/messages`, { body: $('reply-body').value });
      $('reply-body').value = '';
      await openTicket(id);
    } catch (e) { fail($('reply-error'), e); }
  };
  showSurvey(id, survey);
}

function showSurvey(id, s) {
  const form = $('survey-form');
  form.hidden = !s.available;
  $('survey-done').hidden = !s.answered;
  if (s.answered) $('survey-done').textContent = `You rated this request ${s.survey.rating}/5. Thank you!`;
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    $('survey-error').hidden = true;
    const rating = Number(new FormData(form).get('rating'));
    try {
      const answer = await api('POST', `/api/v1/tickets/${id}/survey`, { rating, comment: form.comment.value || null });
      showSurvey(id, { available: false, answered: true, survey: answer });
    } catch (e) { fail($('survey-error'), e); }
  };
}

window.addEventListener('hashchange', () => { route().catch((e) => console.error(e)); });
start().catch((e) => { console.error(e); document.body.dataset.loaded = 'error'; });
