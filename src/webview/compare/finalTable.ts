/**
 * The final figures of each compared run, as an HTML table (caption "Final figures", one header
 * row, one row per run): validation −ELBO, reconstruction and KL from the run's last epoch line,
 * active units, β from its config and the epochs done. Text only (run names come from disk).
 */
import type { RunData } from '../data/runData';
import { el } from '../dom/el';
import { runColor } from './runColors';

const COLUMNS = ['Run', 'β', 'Epochs', 'Validation −ELBO', 'Reconstruction', 'KL', 'Active units'];

export interface FinalRow {
  run: string;
  beta: number | null;
  epochsDone: number;
  epochsPlanned: number | null;
  valNegElbo: number | null;
  recon: number | null;
  kl: number | null;
  activeUnits: number | null;
  latentDim: number;
}

export function finalRow(d: RunData): FinalRow {
  const last = d.epochs[d.epochs.length - 1];
  return {
    run: d.title,
    beta: d.config?.training.beta ?? null,
    epochsDone: last?.epoch ?? 0,
    epochsPlanned: d.config?.training.epochs ?? null,
    valNegElbo: last?.valNegElbo ?? null,
    recon: last?.valRecon ?? null,
    kl: last?.valKl ?? null,
    activeUnits: last?.activeUnits ?? d.activeUnits,
    latentDim: d.latentDim,
  };
}

const num = (v: number | null, digits = 2) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits));

export function renderFinalTable(container: HTMLElement, runs: readonly RunData[]): HTMLTableElement {
  container.querySelector('table')?.remove();
  const table = el('table', { class: 'llc-table' });
  table.append(el('caption', {}, 'Final figures'));
  const head = el('tr');
  for (const c of COLUMNS) head.append(el('th', { scope: 'col' }, c));
  const thead = el('thead');
  thead.append(head);
  table.append(thead);
  const body = el('tbody');
  runs.forEach((d, k) => {
    const r = finalRow(d);
    const tr = el('tr');
    const name = el('th', { scope: 'row' });
    const sw = el('span', { class: 'llc-swatch', 'aria-hidden': 'true' });
    sw.style.setProperty('background', runColor(k));
    name.append(sw, document.createTextNode(r.run));
    tr.append(name,
      el('td', {}, r.beta === null ? '—' : String(r.beta)),
      el('td', {}, `${r.epochsDone}${r.epochsPlanned ? ` / ${r.epochsPlanned}` : ''}`),
      el('td', {}, num(r.valNegElbo)),
      el('td', {}, num(r.recon)),
      el('td', {}, num(r.kl)),
      el('td', {}, r.activeUnits === null ? '—' : `${r.activeUnits} of ${r.latentDim}`));
    body.append(tr);
  });
  table.append(body);
  container.prepend(table);
  return table;
}
