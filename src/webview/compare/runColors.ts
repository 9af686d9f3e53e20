/**
 * One colour per compared run, from the Okabe–Ito palette (distinguishable with the common
 * colour-vision deficiencies), the same in every chart, the table and the map headings; the
 * charts add a marker shape per run so colour is never the only cue.
 */
import * as d3 from 'd3';

const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7'];
const SYMBOLS = [d3.symbolCircle, d3.symbolSquare, d3.symbolTriangle, d3.symbolDiamond];
export const SYMBOL_NAMES = ['circle', 'square', 'triangle', 'diamond'];

export function runColor(i: number): string {
  return OKABE_ITO[i % OKABE_ITO.length];
}

/** The SVG path of run i's marker, `size` in square px. */
export function runSymbol(i: number, size = 36): string {
  return d3.symbol(SYMBOLS[i % SYMBOLS.length], size)() ?? '';
}
