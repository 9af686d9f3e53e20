/**
 * The epoch timeline under the map (epoch replay, issue 10): a slider named "Epoch timeline"
 * over the kept epochs of the run's history (RunData.history), a "Play epochs" button and the
 * epoch shown. Moving the slider sets the map's coordinates to that epoch's map (the same points
 * move there: RunData.timelineXY, read by the map adapter); playing animates epoch after epoch,
 * interpolating between them. At the last epoch the map follows the latest layout again, so a
 * live run's new epochs appear as they come (they join the history on `projection` events).
 * Keyboard: the native range input (arrows, Page Up/Down, Home, End); Space on the button plays.
 */
import type { App } from '../../app';
import { el } from '../../dom/el';

/** Milliseconds from one epoch to the next while playing. */
const STEP_MS = 700;

export function mountTimeline(app: App, root: HTMLElement): void {
  const { data, store } = app;
  const play = el('button', { type: 'button', class: 'll-timeline-play', 'aria-pressed': 'false' }, 'Play epochs');
  const slider = el('input', { type: 'range', min: '0', max: '0', step: '1', value: '0', 'aria-label': 'Epoch timeline', class: 'll-timeline-slider' });
  const label = el('output', { class: 'll-timeline-label', 'aria-live': 'off' });
  root.append(play, slider, label);
  root.hidden = true;

  let timer: number | null = null;
  const epochs = () => data.history?.epochs ?? [];
  /** Index of the epoch shown (the last one when following the latest). */
  const shownIndex = () => {
    const e = store.get().timelineEpoch, list = epochs();
    const i = e === null ? -1 : list.indexOf(e);
    return i < 0 ? list.length - 1 : i;
  };

  const show = (xy: { x: Float32Array; y: Float32Array } | null) => {
    data.timelineXY = xy;
    data.version++;
    app.redrawMap();
  };
  const render = () => {
    const list = epochs();
    root.hidden = list.length < 2;
    const i = shownIndex();
    slider.max = String(Math.max(0, list.length - 1));
    slider.value = String(i);
    const epoch = list[i];
    const total = data.status?.epochs;
    const text = epoch === undefined ? '' : `epoch ${epoch}${total ? ` / ${total}` : ''}`;
    label.textContent = text;
    slider.setAttribute('aria-valuetext', text);
    const kept = data.history?.kept || `epochs ${list[0]}–${list[list.length - 1]}`;
    slider.title = `${kept}${data.history?.methods[i] ? ` · ${String(data.history.methods[i]).toUpperCase()} map` : ''}`;
  };
  /** Show epoch index `i`: its map, or the latest layout at the end. */
  const goTo = (i: number) => {
    const list = epochs(), h = data.history;
    if (!h || !list.length) return;
    const j = Math.max(0, Math.min(list.length - 1, i));
    store.set({ timelineEpoch: j === list.length - 1 ? null : list[j] });
    show(j === list.length - 1 ? null : { x: h.x[j], y: h.y[j] });
    app.renderHeader(); // its badge names the epoch shown (views/header.ts shownMapText)
    render();
  };
  const stop = () => {
    if (timer !== null) cancelAnimationFrame(timer);
    timer = null;
    play.textContent = 'Play epochs';
    play.setAttribute('aria-pressed', 'false');
  };
  const start = () => {
    const list = epochs();
    if (list.length < 2) return;
    let from = shownIndex() >= list.length - 1 ? 0 : shownIndex();
    goTo(from);
    play.textContent = 'Pause epochs';
    play.setAttribute('aria-pressed', 'true');
    let t0 = performance.now();
    const tick = (now: number) => {
      const h = data.history;
      if (!h) return stop();
      const f = (now - t0) / STEP_MS;
      if (f >= 1) {
        from++;
        t0 = now;
        goTo(from);
        if (from >= h.epochs.length - 1) return stop();
      } else {
        show(lerp(h.x[from], h.y[from], h.x[from + 1], h.y[from + 1], f));
      }
      timer = requestAnimationFrame(tick);
    };
    timer = requestAnimationFrame(tick);
  };

  slider.addEventListener('input', () => { stop(); goTo(Number(slider.value)); });
  play.addEventListener('click', () => (timer === null ? start() : stop()));
  data.onHistory = () => {
    // A new snapshot or a new epoch: keep the epoch shown if it is still there.
    const e = store.get().timelineEpoch;
    if (e !== null && !epochs().includes(e)) store.set({ timelineEpoch: null });
    if (store.get().timelineEpoch === null && data.timelineXY && timer === null) data.timelineXY = null;
    render();
  };
  render();
}

/** Positions a fraction `f` of the way from (ax, ay) to (bx, by). */
function lerp(ax: Float32Array, ay: Float32Array, bx: Float32Array, by: Float32Array, f: number): { x: Float32Array; y: Float32Array } {
  const n = ax.length, x = new Float32Array(n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = ax[i] + (bx[i] - ax[i]) * f;
    y[i] = ay[i] + (by[i] - ay[i]) * f;
  }
  return { x, y };
}
