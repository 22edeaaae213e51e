// The reply box of a ticket page: public reply vs internal note, @mention suggestions, canned
// responses (GET /api/v1/macros, applied with POST /api/v1/tickets/{id}/macros/{macro_id};
// the dropdown stays hidden when the server has no macros endpoint).
import { api } from '/assets/api.js';
import { el, toast } from '/assets/util.js';
import { optional } from '/assets/desk_common.js';

const $ = (id) => document.getElementById(id);

/** The @handle of a user: the local part of the e-mail (what the server resolves). */
export function handleOf(user) {
  return (user.email || '').split('@')[0].toLowerCase();
}

/**
 * Wires the composer. `people` are the office users; `onSent()` reloads the ticket;
 * `onTyping(replying)` tells whether there is a draft (for the collision notice).
 */
export function wireComposer(ticketId, people, { onSent, onTyping }) {
  const box = $('reply-body');
  let kind = 'reply';

  function setKind(next) {
    kind = next;
    $('mode-reply').classList.toggle('active', kind === 'reply');
    $('mode-note').classList.toggle('active', kind === 'note');
    $('mode-reply').setAttribute('aria-pressed', String(kind === 'reply'));
    $('mode-note').setAttribute('aria-pressed', String(kind === 'note'));
    $('composer').classList.toggle('note-mode', kind === 'note');
    $('send').textContent = kind === 'note' ? 'Add internal note' : 'Send reply';
    box.placeholder = kind === 'note' ? 'Internal note — only agents see it. @mention a colleague to notify them.' : 'Write a reply to the customer…';
    $('composer-hint').textContent = kind === 'note' ? 'Internal: the customer never sees notes.' : 'Type @ to mention a colleague.';
  }
  $('mode-reply').addEventListener('click', () => setKind('reply'));
  $('mode-note').addEventListener('click', () => setKind('note'));

  async function send() {
    const body = box.value.trim();
    if (!body) { box.focus(); return; }
    $('send').disabled = true;
    try {
      await api('POST', `/api/v1/tickets/${ticketId}/messages`, { kind, body });
      box.value = '';
      onTyping(false);
      toast(kind === 'note' ? 'Note added' : 'Reply sent', 'ok');
      await onSent();
    } catch (e) {
      toast(`Could not send: ${e.message}`, 'error');
    } finally {
      $('send').disabled = false;
    }
  }
  $('send').addEventListener('click', send);
  box.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); send(); }
  });
  box.addEventListener('input', () => onTyping(box.value.trim().length > 0));
  wireMentions(box, people);
  wireMacros(ticketId, onSent);
  return { setKind };
}

/** Suggests colleagues while an `@word` is being typed before the caret. */
function wireMentions(box, people) {
  const hint = $('mention-hint');
  let matches = [];
  let active = 0;
  const word = () => {
    const before = box.value.slice(0, box.selectionStart);
    const m = before.match(/(^|[^\w.])@([\w.+-]*)$/);
    return m ? m[2].toLowerCase() : null;
  };
  function close() { hint.hidden = true; matches = []; }
  function choose(user) {
    const caret = box.selectionStart;
    const before = box.value.slice(0, caret).replace(/@[\w.+-]*$/, `@${handleOf(user)} `);
    box.value = before + box.value.slice(caret);
    box.selectionStart = box.selectionEnd = before.length;
    close();
    box.focus();
  }
  function show() {
    const w = word();
    if (w === null) { close(); return; }
    matches = people.filter((u) => handleOf(u).startsWith(w) || u.name.toLowerCase().includes(w)).slice(0, 6);
    if (!matches.length) { close(); return; }
    active = Math.min(active, matches.length - 1);
    hint.replaceChildren(...matches.map((u, i) => el('li', {
      role: 'option', class: i === active ? 'active' : '', 'aria-selected': String(i === active),
      onmousedown: (ev) => { ev.preventDefault(); choose(u); },
    }, `@${handleOf(u)} — ${u.name}`)));
    hint.hidden = false;
  }
  box.addEventListener('input', () => { active = 0; show(); });
  box.addEventListener('keydown', (ev) => {
    if (hint.hidden) return;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      active = (active + (ev.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length;
      show();
    } else if (ev.key === 'Enter' || ev.key === 'Tab') {
      ev.preventDefault();
      choose(matches[active]);
    } else if (ev.key === 'Escape') {
      close();
    }
  });
  box.addEventListener('blur', () => setTimeout(close, 150));
}

async function wireMacros(ticketId, onApplied) {
  let list = null;
  try {
    list = await optional('GET', '/api/v1/macros');
  } catch {
    list = null;
  }
  const items = list?.items || [];
  if (!items.length) return;
  const select = $('macro');
  select.append(...items.map((m) => el('option', { value: m.id, title: m.body || '' }, m.name)));
  $('macro-box').hidden = false;
  select.addEventListener('change', () => { $('apply-macro').disabled = !select.value; });
  $('apply-macro').addEventListener('click', async () => {
    const id = select.value;
    if (!id) return;
    $('apply-macro').disabled = true;
    try {
      await api('POST', `/api/v1/tickets/${ticketId}/macros/${id}`);
      toast(`Applied “${select.selectedOptions[0].textContent}”`, 'ok');
      select.value = '';
      await onApplied();
    } catch (e) {
      toast(`Could not apply the canned response: ${e.message}`, 'error');
      $('apply-macro').disabled = false;
    }
  });
}
