// The map panel: an SVG drawn from our own road graph (GET /board/roads), with routes, job
// markers coloured by status and technicians' positions on top. Wheel to zoom, drag to pan.
// An optional raster tile layer (tile_url with {z}/{x}/{y}) is drawn underneath when set.
import { el } from '/assets/util.js';

const NS = 'http://www.w3.org/2000/svg';
const WORLD = 1e6; // projected units across the whole world

/** Web-Mercator projection of lon/lat into [0, WORLD]. */
export function project(lon, lat) {
  const s = Math.sin((Math.max(Math.min(lat, 85), -85) * Math.PI) / 180);
  return [((lon + 180) / 360) * WORLD, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * WORLD];
}

function svg(tag, attrs = {}) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) n.setAttribute(k, String(v));
  return n;
}

function pathOf(lines) {
  let d = '';
  for (const line of lines) {
    for (let i = 0; i < line.length; i++) {
      const [x, y] = line[i];
      d += (i ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1);
    }
  }
  return d;
}

/** A map in `container`. */
export class MapView {
  constructor(container, { attribution = '© OpenStreetMap contributors' } = {}) {
    this.container = container;
    this.root = svg('svg', { role: 'img', 'aria-label': 'Map of routes and jobs' });
    this.tiles = svg('g', { class: 'tiles' });
    this.roads = svg('g', { class: 'roads' });
    this.routes = svg('g', { class: 'routes' });
    this.markers = svg('g', { class: 'markers' });
    this.root.append(this.tiles, this.roads, this.routes, this.markers);
    this.legend = el('div', { class: 'map-legend' });
    this.legend.hidden = true;
    container.replaceChildren(this.root, this.legend, el('div', { class: 'attribution' }, attribution));
    this.view = null;
    this.layers = { routes: [], markers: [] };
    this.tileUrl = null;
    this.wire();
  }

  /** Fits the view to [minlon, minlat, maxlon, maxlat] with a margin. */
  fit(bbox, margin = 0.08) {
    const [x0, y1] = project(bbox[0], bbox[1]);
    const [x1, y0] = project(bbox[2], bbox[3]);
    const w = x1 - x0 || 1;
    const h = y1 - y0 || 1;
    this.view = { x: x0 - w * margin, y: y0 - h * margin, w: w * (1 + 2 * margin), h: h * (1 + 2 * margin) };
    this.apply();
  }

  /** Current view as [minlon, minlat, maxlon, maxlat]. */
  bounds() {
    const v = this.view;
    const lon = (x) => (x / WORLD) * 360 - 180;
    const lat = (y) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / WORLD))) * 180) / Math.PI;
    return [lon(v.x), lat(v.y + v.h), lon(v.x + v.w), lat(v.y)];
  }

  /** Pixels → projected units at the current zoom. */
  unit() {
    const r = this.root.getBoundingClientRect();
    if (!this.view || !r.width) return 1;
    return Math.max(this.view.w / r.width, this.view.h / r.height);
  }

  apply() {
    if (!this.view) return;
    const v = this.view;
    this.root.setAttribute('viewBox', `${v.x} ${v.y} ${v.w} ${v.h}`);
    this.drawOverlay();
    this.drawTiles();
  }

  /** Road polylines as flat [lon, lat, lon, lat, ...] arrays. */
  setRoads(roads) {
    const lines = roads.map((flat) => {
      const pts = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pts.push(project(flat[i], flat[i + 1]));
      return pts;
    });
    const d = pathOf(lines);
    this.roads.replaceChildren(
      svg('path', { d, fill: 'none', stroke: '#c3ccd6', 'stroke-width': 3.2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'vector-effect': 'non-scaling-stroke' }),
      svg('path', { d, fill: 'none', stroke: '#ffffff', 'stroke-width': 1.8, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'vector-effect': 'non-scaling-stroke' }));
  }

  /** Optional raster tiles under the roads (URL template with {z}, {x}, {y}). */
  setTileUrl(url) {
    this.tileUrl = url || null;
    this.drawTiles();
  }

  /**
   * Overlay: routes [{colour, points: [[lon, lat]], dashed, label}], markers [{lon, lat, colour,
   * label, kind: 'job'|'tech'|'home', id, title}].
   */
  setOverlay({ routes = [], markers = [], legend = [] }) {
    this.layers = { routes, markers };
    this.legend.replaceChildren(...legend.map((l) => el('span', {}, el('i', { class: 'sw', style: { background: l.colour } }), l.label)));
    this.legend.hidden = legend.length === 0;
    this.drawOverlay();
  }

  /** Moves one technician's position marker (live update) without redrawing the rest. */
  moveMarker(id, lon, lat) {
    const m = this.layers.markers.find((k) => k.id === id);
    if (m) { m.lon = lon; m.lat = lat; } else this.layers.markers.push({ id, lon, lat, kind: 'tech', colour: '#0f172a', label: '' });
    this.drawOverlay();
  }

  drawOverlay() {
    if (!this.view) return;
    const u = this.unit();
    this.routes.replaceChildren(...this.layers.routes.map((r) => svg('path', {
      d: pathOf([r.points.map(([lon, lat]) => project(lon, lat))]),
      fill: 'none', stroke: r.colour, 'stroke-width': r.width || 3, 'stroke-opacity': 0.85,
      'stroke-dasharray': r.dashed ? '6 5' : null, 'stroke-linejoin': 'round', 'stroke-linecap': 'round',
      'vector-effect': 'non-scaling-stroke', 'data-tech': r.id,
    })));
    const nodes = [];
    for (const m of this.layers.markers) {
      const [x, y] = project(m.lon, m.lat);
      const g = svg('g', { class: `marker marker-${m.kind}`, 'data-id': m.id, transform: `translate(${x} ${y}) scale(${u})` });
      if (m.title) { const t = svg('title'); t.textContent = m.title; g.append(t); }
      if (m.kind === 'tech') {
        g.append(svg('circle', { r: 10, fill: m.colour, stroke: '#fff', 'stroke-width': 2.5 }));
        const txt = svg('text', { 'text-anchor': 'middle', y: 4, 'font-size': 10, 'font-weight': 700, fill: '#fff' });
        txt.textContent = m.label || '';
        g.append(txt);
      } else if (m.kind === 'home') {
        g.append(svg('rect', { x: -4, y: -4, width: 8, height: 8, fill: '#fff', stroke: m.colour, 'stroke-width': 2 }));
      } else {
        g.append(svg('circle', { r: 6, fill: m.colour, stroke: m.ring || '#fff', 'stroke-width': 2 }));
        if (m.label) {
          const txt = svg('text', { x: 8, y: 4, 'font-size': 10, fill: '#0f172a', 'paint-order': 'stroke', stroke: '#fff', 'stroke-width': 3 });
          txt.textContent = m.label;
          g.append(txt);
        }
      }
      nodes.push(g);
    }
    this.markers.replaceChildren(...nodes);
  }

  drawTiles() {
    if (!this.tileUrl || !this.view) { this.tiles.replaceChildren(); return; }
    const px = this.root.getBoundingClientRect().width || 400;
    const z = Math.max(0, Math.min(19, Math.round(Math.log2((WORLD / this.view.w) * (px / 256)))));
    const n = 2 ** z;
    const size = WORLD / n;
    const tiles = [];
    for (let x = Math.floor(this.view.x / size); x <= Math.floor((this.view.x + this.view.w) / size); x++) {
      for (let y = Math.floor(this.view.y / size); y <= Math.floor((this.view.y + this.view.h) / size); y++) {
        if (x < 0 || y < 0 || x >= n || y >= n || tiles.length > 64) continue;
        const href = this.tileUrl.replace('{z}', z).replace('{x}', x).replace('{y}', y);
        tiles.push(svg('image', { href, x: x * size, y: y * size, width: size, height: size, opacity: 0.8 }));
      }
    }
    this.tiles.replaceChildren(...tiles);
  }

  wire() {
    this.root.addEventListener('wheel', (ev) => {
      if (!this.view) return;
      ev.preventDefault();
      const r = this.root.getBoundingClientRect();
      const f = ev.deltaY > 0 ? 1.2 : 1 / 1.2;
      const mx = this.view.x + ((ev.clientX - r.left) / r.width) * this.view.w;
      const my = this.view.y + ((ev.clientY - r.top) / r.height) * this.view.h;
      this.view = { x: mx - (mx - this.view.x) * f, y: my - (my - this.view.y) * f, w: this.view.w * f, h: this.view.h * f };
      this.apply();
    }, { passive: false });
    let drag = null;
    this.root.addEventListener('pointerdown', (ev) => {
      if (!this.view) return;
      drag = { x: ev.clientX, y: ev.clientY, view: { ...this.view } };
      this.root.setPointerCapture(ev.pointerId);
    });
    this.root.addEventListener('pointermove', (ev) => {
      if (!drag) return;
      const u = this.unit();
      this.view = { ...drag.view, x: drag.view.x - (ev.clientX - drag.x) * u, y: drag.view.y - (ev.clientY - drag.y) * u };
      this.root.setAttribute('viewBox', `${this.view.x} ${this.view.y} ${this.view.w} ${this.view.h}`);
    });
    const end = () => { if (drag) { drag = null; this.apply(); } };
    this.root.addEventListener('pointerup', end);
    this.root.addEventListener('pointercancel', end);
    new ResizeObserver(() => this.drawOverlay()).observe(this.container);
  }
}
