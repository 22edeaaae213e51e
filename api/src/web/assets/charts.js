// Hand-drawn SVG charts (no library, nothing from a CDN): horizontal bars and line charts.
const NS = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs = {}, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

/** Horizontal bars: items [{label, value, colour?}], `format(v)` for the value labels. */
export function barChart(items, { title = '', format = (v) => String(v), width = 460 } = {}) {
  const row = 24, left = 150, right = 70, top = title ? 26 : 6;
  const height = top + items.length * row + 6;
  const max = Math.max(1e-9, ...items.map((i) => i.value || 0));
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'chart', 'aria-label': title });
  if (title) svg.append(svgEl('text', { x: 0, y: 16, class: 'chart-title' }, title));
  items.forEach((it, k) => {
    const y = top + k * row;
    const w = Math.max(0, ((it.value || 0) / max) * (width - left - right));
    svg.append(svgEl('text', { x: left - 8, y: y + 15, 'text-anchor': 'end', class: 'chart-label' }, it.label));
    const bar = svgEl('rect', { x: left, y: y + 3, width: w, height: row - 8, rx: 3, fill: it.colour || '#2563eb' });
    bar.append(svgEl('title', {}, `${it.label}: ${format(it.value)}`));
    svg.append(bar);
    svg.append(svgEl('text', { x: left + w + 6, y: y + 15, class: 'chart-value' }, format(it.value)));
  });
  return svg;
}

/** A line chart over buckets: labels [..], series [{name, values: [number|null], colour}]. */
export function lineChart(labels, series, { title = '', format = (v) => String(v), width = 520, height = 220, min } = {}) {
  const pad = { l: 52, r: 12, t: title ? 28 : 10, b: 34 };
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'chart', 'aria-label': title });
  if (title) svg.append(svgEl('text', { x: 0, y: 16, class: 'chart-title' }, title));
  const vals = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const lo = min !== undefined ? min : Math.min(0, ...vals);
  const hi = Math.max(lo + 1e-9, ...vals);
  const iw = width - pad.l - pad.r, ih = height - pad.t - pad.b;
  const x = (i) => pad.l + (labels.length <= 1 ? iw / 2 : (i * iw) / (labels.length - 1));
  const y = (v) => pad.t + ih - ((v - lo) / (hi - lo)) * ih;
  for (let g = 0; g <= 4; g++) {
    const v = lo + ((hi - lo) * g) / 4;
    svg.append(svgEl('line', { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v), class: 'chart-grid' }));
    svg.append(svgEl('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'chart-label' }, format(v)));
  }
  const step = Math.max(1, Math.ceil(labels.length / 7));
  labels.forEach((l, i) => {
    if (i % step === 0) svg.append(svgEl('text', { x: x(i), y: height - 10, 'text-anchor': 'middle', class: 'chart-label' }, l));
  });
  for (const s of series) {
    let d = '';
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      d += `${d ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      const dot = svgEl('circle', { cx: x(i), cy: y(v), r: 3, fill: s.colour });
      dot.append(svgEl('title', {}, `${s.name} ${labels[i]}: ${format(v)}`));
      svg.append(dot);
    });
    svg.insertBefore(svgEl('path', { d, fill: 'none', stroke: s.colour, 'stroke-width': 2 }), svg.firstChild.nextSibling);
  }
  return svg;
}

/** Offers `text` as a file download (client-side CSV export). */
export function download(filename, text, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A CSV line with RFC 4180 quoting. */
export function csvLine(cells) {
  return cells.map((c) => {
    const s = c === null || c === undefined ? '' : String(c);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  }).join(',') + '\n';
}
