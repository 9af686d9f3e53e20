/**
 * The map overlays other views ask for (store `mapOverlays`, docs/latent-panel.md): paths as
 * polylines with a marker at each vertex, hollow rings, highlighted points (emphasised with a
 * ring in the focus colour); and the lasso or box being drawn (screen px). Drawn on the overlay
 * canvas, under the hover and pin rings.
 */
import type { ThemeColors } from '../../theme';
import type { MapGeometry } from './geometry';
import type { MapProps } from './mapAdapter';

export function drawMapOverlays(c: CanvasRenderingContext2D, g: MapGeometry, p: MapProps, theme: ThemeColors): void {
  const { x, y } = p.frame;
  const o = p.overlays;
  let vertices = 0, rings = 0, emphasised = 0;
  c.lineWidth = 1.5;
  for (const h of o.highlight) {
    if (!x || !y) break;
    c.strokeStyle = theme.focus;
    c.lineWidth = 2;
    for (const i of h.points) {
      if (i >= x.length) continue;
      const [sx, sy] = g.toScreen(x[i], y[i]);
      c.beginPath();
      c.arc(sx, sy, p.pointSize + 3, 0, 2 * Math.PI);
      c.stroke();
      emphasised++;
    }
  }
  for (const path of o.paths) {
    const xy = path.xy;
    if (xy.length < 2) continue;
    c.strokeStyle = theme.foreground;
    c.fillStyle = theme.foreground;
    c.lineWidth = 2;
    c.beginPath();
    for (let k = 0; k + 1 < xy.length; k += 2) {
      const [sx, sy] = g.toScreen(xy[k], xy[k + 1]);
      if (k === 0) c.moveTo(sx, sy); else c.lineTo(sx, sy);
    }
    c.stroke();
    for (let k = 0; k + 1 < xy.length; k += 2) {
      const [sx, sy] = g.toScreen(xy[k], xy[k + 1]);
      c.fillRect(sx - 2.5, sy - 2.5, 5, 5);
      vertices++;
    }
  }
  for (const ring of o.hollow) {
    c.strokeStyle = theme.foreground;
    c.lineWidth = 2;
    for (let k = 0; k + 1 < ring.xy.length; k += 2) {
      const [sx, sy] = g.toScreen(ring.xy[k], ring.xy[k + 1]);
      c.beginPath();
      c.arc(sx, sy, p.pointSize + 5, 0, 2 * Math.PI);
      c.stroke();
      rings++;
    }
  }
  // What was drawn, for tests and the curious (data attribute: no effect on the accessible name).
  c.canvas.dataset.overlaysDrawn = `paths ${o.paths.length} (${vertices} vertices), rings ${rings}, emphasised ${emphasised}`;
}

/** The lasso or box being drawn, in CSS px (x0, y0, x1, y1 …). */
export function drawDrag(c: CanvasRenderingContext2D, drag: Float32Array, theme: ThemeColors): void {
  if (drag.length < 4) return;
  c.save();
  c.strokeStyle = theme.focus;
  c.fillStyle = theme.focus;
  c.lineWidth = 1.5;
  c.setLineDash([4, 3]);
  c.beginPath();
  c.moveTo(drag[0], drag[1]);
  for (let k = 2; k + 1 < drag.length; k += 2) c.lineTo(drag[k], drag[k + 1]);
  c.closePath();
  c.globalAlpha = 0.12;
  c.fill();
  c.globalAlpha = 1;
  c.stroke();
  c.restore();
}
