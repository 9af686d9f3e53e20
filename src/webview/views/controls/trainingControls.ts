/**
 * The panel's training controls (issue 10): Pause, Continue, Single step, Stop, and a small
 * "Hyperparameters" form (β, learning rate, KL warm-up, free bits, Apply). Each is a `control`
 * request to the host (src/protocol/panelIpc.ts), which writes the run's control.jsonl or uses the
 * trainer's IPC; every control has an accessible name and is disabled when nothing trains.
 * The form starts from the run's config and is checked with the same schema as the trainer's.
 */
import { LiveValues, type RunConfig, type RunStatus } from '../../../protocol/runFormat';
import type { PanelControl } from '../../../protocol/panelIpc';
import type { Host } from '../../host/host';
import { custom, el, section } from '../../dom/el';

const FIELDS = [
  ['beta', 'β (KL weight)'], ['learningRate', 'Learning rate'], ['klWarmupSteps', 'KL warm-up (steps)'], ['freeBits', 'Free bits (nats)'],
] as const;

interface Mounted {
  buttons: Record<'pause' | 'continue' | 'step' | 'stop' | 'apply', HTMLElement>;
  inputs: Record<(typeof FIELDS)[number][0], HTMLInputElement>;
  note: HTMLElement;
  host?: Host;
  config?: RunConfig | null;
}
let mounted: Mounted | undefined;

/** The section (built once by layout.ts); wired to the host by `wireTrainingControls`. */
export function mountTrainingControls(): HTMLElement {
  const sec = section('ll-train-section', 'Training controls');
  const bar = el('div', { class: 'll-toolbar', role: 'toolbar', 'aria-label': 'Training controls' });
  const button = (id: string, text: string) => custom('vscode-button', { id: `ll-ctl-${id}`, secondary: '', disabled: '', 'aria-label': text }, text);
  const buttons = { pause: button('pause', 'Pause'), continue: button('continue', 'Continue'), step: button('step', 'Single step'), stop: button('stop', 'Stop'), apply: button('apply', 'Apply') };
  bar.append(buttons.pause, buttons.continue, buttons.step, buttons.stop);
  const form = el('form', { class: 'll-toolbar ll-hyper', 'aria-label': 'Hyperparameters' });
  const inputs = {} as Mounted['inputs'];
  for (const [key, label] of FIELDS) {
    const input = el('input', { id: `ll-hp-${key}`, type: 'text', inputmode: 'decimal', size: '7', disabled: '' });
    // Theme-aware (set through CSSOM: the page's CSP allows no inline style attributes).
    for (const [prop, v] of [['background', 'var(--vscode-input-background)'], ['color', 'var(--vscode-input-foreground, var(--vscode-foreground))'], ['border', '1px solid var(--vscode-input-border, var(--vscode-foreground))']]) input.style.setProperty(prop, v);
    inputs[key] = input;
    form.append(el('label', { for: input.id, class: 'll-control' }, label), input);
  }
  form.append(buttons.apply);
  const note = el('p', { class: 'll-readout', 'aria-live': 'polite' });
  sec.body.append(bar, form, note);
  mounted = { buttons, inputs, note };
  return sec.root;
}

export function wireTrainingControls(host: Host): void {
  const m = mounted;
  if (!m) return;
  m.host = host;
  const send = (request: PanelControl) => {
    host.request({ type: 'control', request }).then(
      (reply) => { if (reply.type === 'controlled') m.note.textContent = reply.message; },
      (err: Error) => { m.note.textContent = `Refused: ${err.message}`; },
    );
  };
  for (const kind of ['pause', 'continue', 'step', 'stop'] as const) m.buttons[kind].addEventListener('click', () => send({ kind }));
  m.buttons.apply.addEventListener('click', () => {
    const values: Record<string, number> = {};
    for (const [key, label] of FIELDS) {
      const text = m.inputs[key].value.trim();
      if (text === '') continue;
      const v = Number(text);
      values[key] = v;
      if (!Number.isFinite(v)) { m.note.textContent = `Refused: ${label} "${text}" is not a number`; return; }
    }
    const r = LiveValues.safeParse(values);
    if (!r.success) { m.note.textContent = `Refused: ${r.error.issues.map((i) => `${i.path.join('.') || 'values'} ${i.message}`).join('; ')}`; return; }
    send({ kind: 'set', values: r.data });
  });
}

/** Enable what the status allows; fill the form from the config when it changes. */
export function refreshTrainingControls(status: RunStatus | undefined, config: RunConfig | null | undefined): void {
  const m = mounted;
  if (!m) return;
  const live = status === 'training' || status === 'paused';
  const on = (e: HTMLElement, yes: boolean) => (yes ? e.removeAttribute('disabled') : e.setAttribute('disabled', ''));
  on(m.buttons.pause, status === 'training');
  on(m.buttons.continue, status === 'paused');
  on(m.buttons.step, live);
  on(m.buttons.stop, live);
  on(m.buttons.apply, live);
  for (const [key] of FIELDS) on(m.inputs[key], live);
  if (config && config !== m.config) {
    for (const [key] of FIELDS) m.inputs[key].value = String(config.training[key]);
    m.config = config;
  }
}
