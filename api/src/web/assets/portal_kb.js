// Knowledge-base rendering shared by the customer portal and the public pages: result lists,
// article bodies (the Markdown subset of the agents' editor), plain-text messages and the
// anonymous voting session.
import { el } from '/assets/util.js';
import { renderMarkdown } from '/assets/kb_editor_markdown.js';

/** Fills `list` with search hits; `hrefFor(hit)` gives each title's link. */
export function renderResults(list, items, hrefFor) {
  list.replaceChildren();
  for (const hit of items) {
    const excerpt = el('p', { class: 'excerpt' });
    // The server escapes the excerpt and only adds <mark> around matches.
    excerpt.innerHTML = hit.excerpt;
    const tags = (hit.tags || []).map((t) => el('span', { class: 'badge' }, t));
    list.append(el('li', { dataset: { slug: hit.slug, id: hit.id } },
      el('a', { class: 'title', href: hrefFor(hit) }, hit.title), excerpt,
      el('div', { class: 'row small muted' }, tags, `Updated ${new Date(hit.updated_at).toLocaleDateString()}`)));
  }
}

/** Writes an article body into `node` (the renderer escapes everything it does not format). */
export function renderArticle(node, markdown) {
  node.innerHTML = renderMarkdown(String(markdown || ''));
}

/** Writes plain text into `node`, one paragraph per blank-line-separated block. */
export function renderBody(node, text) {
  node.replaceChildren(...String(text || '').split(/\n\s*\n/).filter((p) => p.trim())
    .map((p) => el('p', {}, p.trim())));
}

/** A random id kept in this browser, so anonymous votes count once per visitor. */
export function sessionId() {
  const key = 'fieldpath-kb-session';
  let id = localStorage.getItem(key);
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(key, id);
  }
  return id;
}

/** "3 of 4 found this helpful", or nothing before the first vote. */
export function tallyText(t) {
  const all = t.helpful + t.not_helpful;
  return all ? `${t.helpful} of ${all} found this helpful` : '';
}
