/**
 * The damaged-run notice (issue 14): when a run folder holds damaged files (the snapshot's
 * `problems`, from src/run/runHealth.ts), a status region under the header lists each one —
 * which file, what is wrong, what does not work because of it — and says that the rest of the
 * run is shown. Hidden for a sound run. Also `damagedFile()`, which the decoded-image view asks
 * so it says "decoding unavailable: model/decoder/… is damaged" instead of "no decoder yet".
 */
import type { ViewProblem } from '../../protocol/panelIpc';
import { el } from '../dom/el';

const ID = 'll-problems';

/** Mount the (empty, hidden) notice in `parent`; renderProblems fills it. */
export function mountProblems(parent: HTMLElement): HTMLElement {
  const box = el('section', { id: ID, class: 'll-problems', role: 'status', 'aria-labelledby': `${ID}-h`, hidden: '' });
  parent.append(box);
  return box;
}

/** Show the run's damaged files (none: the notice is hidden). */
export function renderProblems(problems: readonly ViewProblem[]): void {
  const box = document.getElementById(ID);
  if (!box) return;
  const key = JSON.stringify(problems);
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren();
  box.hidden = problems.length === 0;
  if (!problems.length) return;
  const heading = el('h2', { id: `${ID}-h` }, problems.length === 1 ? 'This run has a damaged file' : `This run has ${problems.length} damaged files`);
  const list = el('ul');
  for (const p of problems) {
    const item = el('li');
    item.append(el('strong', {}, p.message), el('span', {}, ` — does not work: ${p.affects}.`));
    list.append(item);
  }
  box.append(heading, list, el('p', { class: 'll-hint' }, 'Everything else of the run is shown as usual.'));
}

/** The first damaged file whose path starts with one of `prefixes` (e.g. "model/decoder"), if any. */
export function damagedFile(problems: readonly ViewProblem[] | undefined, ...prefixes: string[]): ViewProblem | undefined {
  return problems?.find((p) => prefixes.some((pre) => p.file === pre || p.file.startsWith(`${pre}/`) || p.file.startsWith(pre)));
}
