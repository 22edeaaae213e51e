// A signature pad on a <canvas>: drawn with pointer events (finger, pen or mouse), exported
// as a PNG data URL.

/** A signature pad bound to `canvas`. */
export class SignaturePad {
  constructor(canvas) {
    this.canvas = canvas;
    this.strokes = 0;
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const rect = canvas.getBoundingClientRect();
    canvas.width = Math.round((rect.width || 300) * ratio);
    canvas.height = Math.round((rect.height || 150) * ratio);
    this.ctx = canvas.getContext('2d');
    this.ctx.scale(ratio, ratio);
    this.ctx.lineWidth = 2.2;
    this.ctx.lineCap = 'round';
    this.ctx.lineJoin = 'round';
    this.ctx.strokeStyle = '#0f172a';
    let last = null;
    const point = (ev) => {
      const r = canvas.getBoundingClientRect();
      return [ev.clientX - r.left, ev.clientY - r.top];
    };
    canvas.addEventListener('pointerdown', (ev) => {
      ev.preventDefault();
      canvas.setPointerCapture(ev.pointerId);
      last = point(ev);
      this.strokes++;
      this.ctx.beginPath();
      this.ctx.arc(last[0], last[1], 1, 0, Math.PI * 2);
      this.ctx.fillStyle = '#0f172a';
      this.ctx.fill();
      canvas.dispatchEvent(new Event('signature'));
    });
    canvas.addEventListener('pointermove', (ev) => {
      if (!last) return;
      const p = point(ev);
      this.ctx.beginPath();
      this.ctx.moveTo(last[0], last[1]);
      this.ctx.lineTo(p[0], p[1]);
      this.ctx.stroke();
      last = p;
    });
    const end = () => { last = null; };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  /** Whether nothing was drawn. */
  isEmpty() {
    return this.strokes === 0;
  }

  /** Wipes the pad. */
  clear() {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.strokes = 0;
  }

  /** The drawing as `data:image/png;base64,...`. */
  toPng() {
    return this.canvas.toDataURL('image/png');
  }
}
