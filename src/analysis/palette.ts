/**
 * The label colours, shared by the panel's map and legend (src/webview/theme.ts) and the CLI's
 * pictures (src/trainer/replay): d3's Tableau10 for up to 10 labels, else d3's
 * interpolateRainbow (cubehelix) evenly around the wheel — the same formulas copied here so that
 * code outside the webview needs no d3. Pure (no node:*, no DOM).
 */

/** d3.schemeTableau10. */
export const TABLEAU10 = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'] as const;

/** d3.interpolateRainbow(t) as 'rgb(r, g, b)' (d3-scale-chromatic's rainbow, d3-color's cubehelix). */
export function rainbow(t: number): string {
  if (t < 0 || t > 1) t -= Math.floor(t);
  const ts = Math.abs(t - 0.5);
  const h = ((360 * t - 100 + 120) * Math.PI) / 180;
  const s = 1.5 - 1.5 * ts;
  const l = 0.8 - 0.9 * ts;
  const a = s * l * (1 - l);
  const cosh = Math.cos(h), sinh = Math.sin(h);
  const r = 255 * (l + a * (-0.14861 * cosh + 1.78277 * sinh));
  const g = 255 * (l + a * (-0.29227 * cosh - 0.90649 * sinh));
  const b = 255 * (l + a * (1.97294 * cosh));
  const c = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  return `rgb(${c(r)}, ${c(g)}, ${c(b)})`;
}

/** Categorical colours for `n` labels, readable on light and dark backgrounds. */
export function labelPalette(n: number): string[] {
  if (n <= TABLEAU10.length) return TABLEAU10.slice(0, n);
  return Array.from({ length: n }, (_, i) => rainbow(i / n));
}

/** '#rrggbb' or 'rgb(r, g, b)' → [r, g, b] (0–255); grey for anything else. */
export function parseColor(color: string): [number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) {
    const v = parseInt(hex[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  const rgb = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(color);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  return [136, 136, 136];
}
