// The ticket page's side actions and suggestions: create a work order, merge into another
// ticket, split a message off, and the assist panel (GET /api/v1/tickets/{id}/suggestions:
// articles, similar tickets, category/priority guesses, sentiment; hidden when absent).
import { api } from '/assets/api.js';
import { el, toast } from '/assets/util.js';
import { dialog, optional } from '/assets/desk_common.js';

const $ = (id) => document.getElementById(id);

/** Shows the suggestions panel; `applyPriority(p)` puts a suggested priority in the form. */
export async function showSuggestions(ticket, applyPriority) {
  let s = null;
  try {
    s = await optional('GET', `/api/v1/tickets/${ticket.id}/suggestions`);
  } catch {
    s = null;
  }
  const panel = $('suggestions');
  if (!s) { panel.hidden = true; return; }
  const parts = [];
  const best = (list) => (Array.isArray(list) && list.length ? list[0] : null);
  const pct = (p) => `${Math.round((p || 0) * 100)} %`;
  const prio = best(s.priority);
  if (prio && prio.value !== ticket.priority) {
    parts.push(el('p', { class: 'props small' }, `Suggested priority: ${prio.value} (${pct(prio.probability)}) `,
      el('button', { type: 'button', class: 'btn btn-sm', id: 'apply-priority', onclick: () => applyPriority(prio.value) }, 'Use')));
  }
  const cat = best(s.category);
  if (cat) parts.push(el('p', { class: 'props small' }, `Likely category: ${cat.value} (${pct(cat.probability)})`));
  if (s.sentiment?.label) parts.push(el('p', { class: 'props small' }, `Customer sentiment: ${s.sentiment.label}`));
  const articles = s.articles || [];
  parts.push(el('h3', { class: 'props small muted' }, 'Articles'));
  parts.push(articles.length
    ? el('ul', { class: 'suggest-list', id: 'suggested-articles' }, articles.map((a) => el('li', {},
      el('a', { href: `/desk/kb?article=${encodeURIComponent(a.id)}`, target: '_blank' }, a.title))))
    : el('p', { class: 'props muted small' }, 'No matching article.'));
  const similar = s.similar_tickets || [];
  parts.push(el('h3', { class: 'props small muted' }, 'Similar tickets'));
  parts.push(similar.length
    ? el('ul', { class: 'suggest-list', id: 'similar-tickets' }, similar.map((t) => el('li', {},
      el('a', { href: `/desk/tickets/${t.id}` }, `${t.number} ${t.subject}`))))
    : el('p', { class: 'props muted small' }, 'None found.'));
  $('suggest-body').replaceChildren(...parts);
  panel.hidden = false;
}

/** "Create work order": pick the site (the requester's first), then POST /work-order. */
export async function createWorkOrder(ticket, onDone) {
  let sites = [];
  try {
    const q = ticket.requester_id ? `customer_id=${ticket.requester_id}&limit=200` : 'limit=200';
    sites = (await api('GET', `/api/v1/sites?${q}`)).items;
    if (!sites.length && ticket.requester_id) sites = (await api('GET', '/api/v1/sites?limit=200')).items;
  } catch (e) {
    toast(`Could not load sites: ${e.message}`, 'error');
    return;
  }
  const site = el('select', { id: 'wo-site' }, sites.map((s) => el('option', { value: s.id }, s.name)));
  const title = el('input', { id: 'wo-title', value: ticket.subject, maxlength: 200 });
  const error = el('p', { class: 'error', hidden: true });
  let result = null;
  const check = async () => {
    try {
      result = await api('POST', `/api/v1/tickets/${ticket.id}/work-order`, { site_id: site.value, title: title.value });
      return true;
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      return false;
    }
  };
  const body = el('div', { style: { display: 'flex', flexDirection: 'column', gap: '10px' } },
    el('p', { class: 'muted small' }, 'The dispatcher gets it in the board\'s queue; ticket and work order link to each other.'),
    el('label', {}, 'Site', site), el('label', {}, 'Title', title), error);
  const ok = await dialog('action-dialog', 'Create work order', body, [
    { label: 'Cancel', value: null },
    { label: 'Create', value: 'ok', primary: true, id: 'wo-create', check: sites.length ? check : async () => false },
  ]);
  if (ok && result) {
    toast(`Work order ${result.work_order.number || ''} created`, 'ok');
    await onDone();
  }
}

/** "Merge into…": find the target by number or text, then POST /merge and open the target. */
export async function mergeTicket(ticket) {
  const search = el('input', { id: 'merge-search', type: 'search', placeholder: 'Ticket number or subject' });
  const results = el('select', { id: 'merge-target', size: 6, style: { minWidth: '380px' } });
  const error = el('p', { class: 'error', hidden: true });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = search.value.trim();
      if (!q) { results.replaceChildren(); return; }
      const r = await api('GET', `/api/v1/desk/tickets?limit=20&q=${encodeURIComponent(q)}`);
      results.replaceChildren(...r.items.filter((t) => t.id !== ticket.id)
        .map((t) => el('option', { value: t.id }, `${t.number} — ${t.subject}`)));
    }, 200);
  });
  let target = null;
  const check = async () => {
    if (!results.value) { error.textContent = 'Pick the ticket to merge into.'; error.hidden = false; return false; }
    try {
      target = await api('POST', `/api/v1/tickets/${ticket.id}/merge`, { target_id: results.value });
      return true;
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      return false;
    }
  };
  const body = el('div', { style: { display: 'flex', flexDirection: 'column', gap: '10px' } },
    el('p', { class: 'muted small' }, `Replies of ${ticket.number} move to the chosen ticket; ${ticket.number} is closed with a link.`),
    search, results, error);
  const ok = await dialog('action-dialog', `Merge ${ticket.number} into…`, body, [
    { label: 'Cancel', value: null },
    { label: 'Merge', value: 'ok', primary: true, id: 'merge-confirm', check },
  ]);
  if (ok && target) location.href = `/desk/tickets/${target.id}`;
}

/** Splits a message off into a new linked ticket and opens it. */
export async function splitMessage(ticket, message) {
  if (!confirm('Split this message off into a new ticket?')) return;
  try {
    const created = await api('POST', `/api/v1/tickets/${ticket.id}/split`, { message_id: message.id });
    location.href = `/desk/tickets/${created.id}`;
  } catch (e) {
    toast(`Could not split: ${e.message}`, 'error');
  }
}
