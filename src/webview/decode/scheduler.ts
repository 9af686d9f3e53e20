/**
 * When decoding happens. A cheap decode runs at once, inside the hover handler: Chrome delivers
 * pointer moves at the start of an animation frame, so the decoded image is drawn in the same
 * frame as the highlight — queued as a task instead, it waited for that frame's rendering
 * (~8 ms of the 10 ms median, docs/performance.md "Hover to decoded image"), and behind
 * whatever else was queued (a weight update, a grid being decoded: p95 61 ms while training).
 * A decode that has been slow (a large model, a loaded machine) goes to a task of its own
 * instead, so the highlight and tooltip are never held up; requests that arrive meanwhile
 * replace each other, so only the latest runs. Timing goes to an optional observer (the test
 * build's perf counters).
 */

export interface DecodeTiming {
  /** From the request to the image drawn. */
  totalMs: number;
  /** The decoder itself. */
  computeMs: number;
}

/** A decode expected to take at most this long runs inside the handler (a third of a 60 Hz frame). */
export const INLINE_DECODE_BUDGET_MS = 6;

const RECENT = 5;

export class DecodeScheduler<R> {
  private wanted: R | null = null;
  private scheduled = false;
  private requestedAt = 0;
  /** The decoder's last few times (a cache hit counts as ~0): their median decides inline or not. */
  private recentMs: number[] = [];
  private readonly channel = new MessageChannel();
  /** Set by the test build to record timings. */
  observer: ((t: DecodeTiming) => void) | null = null;

  /** `run` decodes and draws one request; it returns the decoder's own time, or null if nothing was drawn. */
  constructor(private run: (r: R) => number | null) {
    this.channel.port1.onmessage = () => this.runLatest();
  }

  request(r: R): void {
    this.wanted = r;
    this.requestedAt = performance.now();
    if (this.recentMs.length && this.typicalMs() <= INLINE_DECODE_BUDGET_MS) {
      this.runLatest();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    this.channel.port2.postMessage(0);
  }

  /** Median of the recent times: one decode preempted by the OS does not move hover off the inline path, a slower model does. */
  private typicalMs(): number {
    const s = [...this.recentMs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  }

  private runLatest(): void {
    this.scheduled = false;
    const r = this.wanted;
    if (r === null) return;
    this.wanted = null;
    const computeMs = this.run(r);
    if (computeMs === null) return;
    this.recentMs.push(computeMs);
    if (this.recentMs.length > RECENT) this.recentMs.shift();
    this.observer?.({ totalMs: performance.now() - this.requestedAt, computeMs });
  }
}
