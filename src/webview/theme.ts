/**
 * Colours from VS Code theme variables (light, dark, high contrast). Canvas drawing needs
 * concrete colours, so they are read from computed style and re-read when the theme changes
 * (VS Code swaps the body class `vscode-light` / `vscode-dark` / `vscode-high-contrast`).
 */
import * as d3 from 'd3';

export interface ThemeColors {
  background: string;
  foreground: string;
  muted: string;
  focus: string;
  grid: string;
  highContrast: boolean;
  dark: boolean;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export function readTheme(): ThemeColors {
  const cls = document.body.classList;
  const highContrast = cls.contains('vscode-high-contrast') || cls.contains('vscode-high-contrast-light');
  const dark = cls.contains('vscode-dark') || (cls.contains('vscode-high-contrast') && !cls.contains('vscode-high-contrast-light'));
  return {
    background: cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    foreground: cssVar('--vscode-editor-foreground', dark ? '#cccccc' : '#333333'),
    muted: cssVar('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    focus: cssVar('--vscode-focusBorder', '#007fd4'),
    grid: cssVar('--vscode-editorWidget-border', dark ? '#454545' : '#c8c8c8'),
    highContrast,
    dark,
  };
}

/** Call `fn` whenever the theme changes. */
export function onThemeChange(fn: () => void): void {
  new MutationObserver(fn).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** Categorical colours for labels (src/analysis/palette.ts: the CLI's pictures use the same). */
export { labelPalette } from '../analysis/palette';

/** '#rrggbb' / 'rgb(r, g, b)' → 0xAABBGGRR for a little-endian Uint32 view of ImageData. */
export function toAbgr(color: string): number {
  const c = d3.rgb(color);
  return ((255 << 24) | (Math.round(c.b) << 16) | (Math.round(c.g) << 8) | Math.round(c.r)) >>> 0;
}
