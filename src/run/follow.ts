/**
 * Reading a run that another process is still writing (the extension's "follow", issue 10):
 * metrics.jsonl from a byte offset (complete lines only: a line being appended waits for its
 * newline), and a cheap stamp (size + mtime) of every file whose change the panel shows.
 */
import * as fs from 'node:fs/promises';
import { MetricsLine } from '../protocol/runFormat';
import { MODEL_JSON, RUN_FILES, runPaths } from './paths';
import { readRunFile } from './safePath';

/** The new complete lines of metrics.jsonl from byte `from` (unknown kinds and bad lines skipped), and the offset after them. */
export async function readMetricsFrom(run: string, from: number): Promise<{ lines: MetricsLine[]; next: number }> {
  const buf = await readRunFile(run, RUN_FILES.metrics);
  // A shorter file was rewritten (a resume truncates it): read it again from the start.
  if (!buf) return { lines: [], next: 0 };
  if (buf.length < from) from = 0;
  const end = buf.lastIndexOf(0x0a) + 1;
  if (end <= from) return { lines: [], next: from };
  const lines: MetricsLine[] = [];
  for (const text of buf.subarray(from, end).toString('utf8').split('\n')) {
    if (!text.trim()) continue;
    try {
      const m = MetricsLine.safeParse(JSON.parse(text));
      if (m.success) lines.push(m.data);
    } catch { /* a damaged line is skipped, as the lenient reader does */ }
  }
  return { lines, next: end };
}

/** Size and mtime of the files a follower watches ('' when absent): a changed stamp means read it again. */
export async function runStamps(run: string): Promise<Record<'status' | 'heartbeat' | 'latents' | 'projection' | 'decoder' | 'metrics', string>> {
  const p = runPaths(run);
  const stamp = (file: string) => fs.stat(file).then((s) => `${s.size}:${s.mtimeMs}`, () => '');
  const [status, heartbeat, latents, projection, decoder, metrics] = await Promise.all(
    [p.status, p.heartbeat, p.latentsIndex, p.projection, `${p.decoder}/${MODEL_JSON}`, p.metrics].map(stamp),
  );
  return { status, heartbeat, latents, projection, decoder, metrics };
}
