/**
 * What is drawn above the points, on a canvas of its own so hovering never redraws them: the
 * pinned point's ring, the probe's cross, the hovered point's ring, the keyboard cursor, and the
 * tooltip (text only: file names and labels come from the user's disk).
 */
import type { ThemeColors } from '../../theme';
import type { MapGeometry } from './geometry';
import type { MapProps } from './mapAdapter';
import { drawDrag, drawMapOverlays } from './overlayLayers';

export const HIT_RADIUS_PX = 8;
const HOVER_RING_PX = 4;

export function drawOverlay(c: CanvasRenderingContext2D, g: MapGeometry, p: MapProps, theme: ThemeColors, cursor: { x: number; y: number } | null, drag: Float32Array | null = null): void {
  c.setTransform(g.dpr, 0, 0, g.dpr, 0, 0);
  c.clearRect(0, 0, g.cssW, g.cssH);
  drawMapOverlays(c, g, p, theme);
  if (drag) drawDrag(c, drag, theme);
  const { x, y, palette, labelIndex } = p.frame;
  const ring = (i: number, color: string, width: number) => {
    if (!x || !y || i >= x.length) return;
    const [sx, sy] = g.toScreen(x[i], y[i]);
    c.beginPath();
    c.arc(sx, sy, p.pointSize + HOVER_RING_PX, 0, 2 * Math.PI);
    c.fillStyle = palette[labelIndex[i]] ?? theme.foreground;
    c.fill();
    c.lineWidth = width;
    c.strokeStyle = color;
    c.stroke();
  };
  if (p.pinned !== null) ring(p.pinned, theme.foreground, 2);
  if (p.probe) {
    const [sx, sy] = g.toScreen(p.probe.x, p.probe.y);
    c.lineWidth = 2;
    c.strokeStyle = theme.foreground;
    c.beginPath();
    c.moveTo(sx - 8, sy); c.lineTo(sx + 8, sy); c.moveTo(sx, sy - 8); c.lineTo(sx, sy + 8);
    c.stroke();
  }
  if (p.hovered !== null) ring(p.hovered, theme.focus, 2);
  if (cursor) {
    c.lineWidth = 1.5;
    c.strokeStyle = theme.focus;
    c.setLineDash([3, 3]);
    c.strokeRect(cursor.x - HIT_RADIUS_PX, cursor.y - HIT_RADIUS_PX, 2 * HIT_RADIUS_PX, 2 * HIT_RADIUS_PX);
    c.setLineDash([]);
  }
}

/** Show the tooltip of the hovered point next to it (or hide it); returns whether it is shown. */
export function placeTooltip(tooltip: HTMLElement, g: MapGeometry, p: MapProps): boolean {
  const i = p.hovered;
  const { x, y } = p.frame;
  if (i === null || !x || !y) {
    tooltip.hidden = true;
    return false;
  }
  const { file, label } = p.frame.describe(i);
  tooltip.replaceChildren();
  const name = document.createElement('div');
  name.className = 'll-tooltip-file';
  name.textContent = file;
  const lab = document.createElement('div');
  lab.className = 'll-tooltip-label';
  lab.textContent = label;
  tooltip.append(name, lab);
  tooltip.hidden = false;
  const [sx, sy] = g.toScreen(x[i], y[i]);
  const tw = tooltip.offsetWidth, th = tooltip.offsetHeight;
  const left = sx + 12 + tw > g.cssW ? sx - 12 - tw : sx + 12;
  const top = sy + 12 + th > g.cssH ? sy - 12 - th : sy + 12;
  tooltip.style.setProperty('transform', `translate(${Math.max(0, left)}px, ${Math.max(0, top)}px)`);
  return true;
}
