/** Polls `probe` until it returns something truthy (then returns it), or fails naming `what` after `timeoutMs`. */
export type Probe<T> = () => T | undefined | false | Promise<T | undefined | false>;

export async function waitFor<T>(what: string, probe: Probe<T>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
