/**
 * When decoding happens: in a task of its own, right after the hover handler (which has already
 * drawn the highlight and tooltip); requests that arrive meanwhile replace each other, so only
 * the latest runs. Timing goes to an optional observer (the test build's perf counters).
 */

export interface DecodeTiming {
  /** From the request to the image drawn. */
  totalMs: number;
  /** The decoder itself. */
  computeMs: number;
}

export class DecodeScheduler<R> {
  private wanted: R | null = null;
  private scheduled = false;
  private requestedAt = 0;
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
    if (this.scheduled) return;
    this.scheduled = true;
    this.channel.port2.postMessage(0);
  }

  private runLatest(): void {
    this.scheduled = false;
    const r = this.wanted;
    if (r === null) return;
    const computeMs = this.run(r);
    if (computeMs !== null) this.observer?.({ totalMs: performance.now() - this.requestedAt, computeMs });
  }
}
