// Public help centre, no sign-in: /portal/{org} (search and categories), /portal/{org}/kb/{slug}
// (an article with helpful / not helpful) and /portal/survey/{token} (a satisfaction survey
// opened from an e-mail link). Data from /api/v1/public/….
import { api } from '/assets/api.js';
import { el } from '/assets/util.js';
import { renderResults, renderArticle, sessionId, tallyText } from '/assets/portal_kb.js';

const $ = (id) => document.getElementById(id);
const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent); // ['portal', org, 'kb', slug]

function show(view) {
  for (const v of ['home', 'article', 'survey']) $(`view-${v}`).hidden = v !== view;
}

function setOrg(org) {
  $('org-name').textContent = `${org.name} — help centre`;
  document.title = `${org.name} — help centre`;
}

async function home(org) {
  show('home');
  const base = `/api/v1/public/${encodeURIComponent(org)}/kb`;
  $('home-link').href = `/portal/${encodeURIComponent(org)}`;
  const params = new URLSearchParams(location.search);
  const q = params.get('q') || '';
  const category = params.get('category') || '';
  $('kb-q').value = q;
  const query = new URLSearchParams({ limit: '20' });
  if (q) query.set('q', q);
  if (category) query.set('category', category);
  const [cats, res] = await Promise.all([api('GET', `${base}/categories`), api('GET', `${base}?${query}`)]);
  setOrg(res.org);
  $('kb-cats').replaceChildren(...cats.items.filter((c) => c.articles > 0).map((c) => el('a', {
    class: `btn${c.slug === category ? ' active' : ''}`, href: `?category=${encodeURIComponent(c.slug)}`,
  }, `${c.name} (${c.articles})`)));
  $('kb-summary').textContent = q ? `${res.total} article(s) for “${q}”` : 'Articles';
  renderResults($('kb-results'), res.items, (h) => `/portal/${encodeURIComponent(org)}/kb/${encodeURIComponent(h.slug)}`);
  $('kb-search').onsubmit = (ev) => {
    ev.preventDefault();
    const v = $('kb-q').value.trim();
    location.search = v ? `?q=${encodeURIComponent(v)}` : '';
  };
}

async function article(org, slug) {
  show('article');
  const base = `/api/v1/public/${encodeURIComponent(org)}/kb/articles/${encodeURIComponent(slug)}`;
  const a = await api('GET', base);
  setOrg(a.org);
  $('home-link').href = $('back-link').href = `/portal/${encodeURIComponent(org)}`;
  document.title = `${a.title} — ${a.org.name}`;
  $('article-title').textContent = a.title;
  $('article-meta').textContent = [a.category && a.category.name, `Updated ${new Date(a.updated_at).toLocaleDateString()}`]
    .filter(Boolean).join(' · ');
  renderArticle($('article-body'), a.body);
  $('vote-result').textContent = tallyText(a);
  const vote = async (helpful) => {
    const t = await api('POST', `${base}/feedback`, { helpful, session: sessionId() });
    $('vote-result').textContent = `Thanks! ${tallyText(t)}`;
  };
  $('vote-yes').onclick = () => vote(true);
  $('vote-no').onclick = () => vote(false);
}

async function survey(token) {
  show('survey');
  const path = `/api/v1/public/surveys/${encodeURIComponent(token)}`;
  const s = await api('GET', path);
  $('survey-ticket').textContent = `${s.ticket.number} · ${s.ticket.subject}`;
  const done = (text) => { $('survey-form').hidden = true; $('survey-note').textContent = text; $('survey-note').hidden = false; };
  if (s.answered) return done(`You rated this request ${s.survey.rating}/5. Thank you!`);
  if (!s.available) return done('The survey opens once your request is resolved.');
  $('survey-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const form = $('survey-form');
    const rating = Number(new FormData(form).get('rating'));
    try {
      const answer = await api('POST', path, { rating, comment: form.comment.value || null });
      done(`You rated this request ${answer.rating}/5. Thank you!`);
    } catch (e) { $('page-error').textContent = e.message; $('page-error').hidden = false; }
  };
}

async function main() {
  if (parts[1] === 'survey' && parts[2]) return survey(parts[2]);
  if (parts[2] === 'kb' && parts[3]) return article(parts[1], parts[3]);
  return home(parts[1]);
}

main().catch((e) => {
  $('page-error').textContent = e.status === 404 ? 'Not found.' : e.message;
  $('page-error').hidden = false;
}).finally(() => { document.body.dataset.loaded = '1'; });
