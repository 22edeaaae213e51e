// Stop cards of the route page: order, ETA, work order, site, navigation links and the
// status buttons (on my way → arrived → completed).
import { el, hhmm, minutes, statusLabel } from '/assets/util.js';

/** Which step a stop is at: none, on_my_way, arrived, completed (server state + local queue). */
export function stepOf(stop, local) {
  const own = local.get(stop.work_order.id);
  if (own) return own;
  const s = stop.work_order.status;
  if (s === 'completed') return 'completed';
  if (s === 'in_progress') return 'arrived';
  if (stop.last_event) return stop.last_event.status;
  return 'none';
}

const ORDER = ['none', 'on_my_way', 'arrived', 'completed'];

/** Renders the list. handlers: onStatus(stop, status), onComplete(stop). */
export function renderStops(list, route, local, handlers) {
  if (!route.stops.length) {
    list.replaceChildren(el('li', { class: 'empty' }, 'No stops planned for today.'));
    return;
  }
  list.replaceChildren(...route.stops.map((stop, i) => {
    const wo = stop.work_order;
    const step = stepOf(stop, local);
    const at = ORDER.indexOf(step);
    const btn = (status, label, cls = '') => el('button', {
      class: `btn ${cls}`,
      dataset: { action: status },
      disabled: ORDER.indexOf(status) !== at + 1,
      onclick: () => (status === 'completed' ? handlers.onComplete(stop) : handlers.onStatus(stop, status)),
    }, label);
    const travel = stop.travel_before;
    return el('li', { class: `stop${step === 'completed' ? ' done' : ''}${step === 'arrived' || step === 'on_my_way' ? ' active' : ''}`, dataset: { workOrderId: wo.id, step } },
      el('div', { class: 'stop-head' },
        el('div', { class: 'stop-seq' }, String(i + 1)),
        el('div', { class: 'stop-main' },
          el('div', { class: 'stop-title' }, `${wo.number} · ${wo.title}`),
          el('div', { class: 'stop-sub' }, wo.site_name),
          el('div', { class: 'stop-sub' }, [wo.address, wo.customer_name].filter(Boolean).join(' · ')),
          el('div', { class: 'stop-sub' }, el('span', { class: `badge prio-${wo.priority}` }, wo.priority), ' ',
            `${minutes(wo.estimated_duration_min)} on site · ${minutes((travel.seconds || 0) / 60)} drive${travel.estimator === 'road_graph' ? '' : ' (estimate)'}`)),
        el('div', { class: 'stop-eta' }, hhmm(stop.eta), el('small', {}, `ETA · until ${hhmm(stop.planned_end)}`))),
      el('div', { class: 'stop-links' },
        el('a', { class: 'btn btn-sm', href: stop.nav.geo }, 'Navigate'),
        el('a', { class: 'btn btn-sm', href: stop.nav.web, target: '_blank', rel: 'noopener' }, 'Open map')),
      el('div', { class: 'stop-actions' },
        btn('on_my_way', 'On my way'),
        btn('arrived', 'Arrived'),
        btn('completed', 'Complete', 'btn-ok')),
      el('div', { class: 'stop-state' }, step === 'none' ? `Status: ${statusLabel(wo.status)}` : `Status: ${statusLabel(step)}${local.has(wo.id) ? ' (saved on this phone, sending when online)' : ''}`));
  }));
}
