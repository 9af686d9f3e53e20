/**
 * Live control of a training run through its folder (docs/run-directory.md, "Live control"):
 * control.jsonl, where the extension and `latent-lens set|control` append requests, and
 * heartbeat.json, where the trainer says it is alive and how far it has read control.jsonl.
 *
 * Why an append-only file and not one control.json replaced by rename: two writers (the panel
 * and a terminal) may write at once. A rename of a whole file keeps only the last writer's
 * request (a lost update); an O_APPEND of one short line keeps both, in order, and the trainer
 * reads from the byte offset it reached. A torn last line (a writer killed mid-append) has no
 * newline yet and is left for the next read.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import {
  ControlRequest, HeartbeatFile, LiveValues, type ControlAction, type HeartbeatFile as Heartbeat,
} from '../protocol/runFormat';
import { writeRunJson } from './atomic';
import { RUN_FILES, runPaths } from './paths';
import { readJsonFile } from './reader';
import { appendRunFile, readRunFile } from './safePath';

/** A request as a writer gives it: the id and time are added here. */
export type ControlInput = { kind: 'set'; values: LiveValues } | { kind: ControlAction };

/** A line of control.jsonl as the trainer read it: the request, or why it is refused. */
export type ControlRead = { offset: number; request: ControlRequest } | { offset: number; id?: string; refused: string };

/** Messages naming what is wrong with a request ("beta: must be ≥ 0"). */
export function describeControlProblem(value: unknown): string | undefined {
  const r = ControlRequest.safeParse(value);
  if (r.success) return undefined;
  return r.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (a run can change beta, learningRate, klWarmupSteps, freeBits)`;
    const where = i.path.filter((p) => p !== 'values').join('.');
    return `${where ? `${where}: ` : ''}${i.message}`;
  }).join('; ');
}

/** Append one validated request to control.jsonl; throws an Error naming the bad value. Returns the request written. */
export async function appendControl(run: string, input: ControlInput): Promise<ControlRequest> {
  const request = { ...input, id: `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`, time: Date.now() };
  const problem = describeControlProblem(request);
  if (problem) throw new Error(`refused: ${problem}`);
  await appendRunFile(run, RUN_FILES.control, JSON.stringify(request) + '\n');
  return request as ControlRequest;
}

/** Bytes in control.jsonl (0 when absent): the cheap check the trainer polls. */
export async function controlFileSize(run: string): Promise<number> {
  try {
    return (await fs.stat(runPaths(run).control)).size;
  } catch {
    return 0;
  }
}

/** The complete lines of control.jsonl from byte `from`; `next` is the offset after the last complete line. */
export async function readControlFrom(run: string, from: number): Promise<{ reads: ControlRead[]; next: number }> {
  const buf = await readRunFile(run, RUN_FILES.control);
  if (!buf || buf.length <= from) return { reads: [], next: Math.min(from, buf?.length ?? 0) };
  const reads: ControlRead[] = [];
  let at = from;
  for (;;) {
    const nl = buf.indexOf(0x0a, at);
    if (nl < 0) break;
    const text = buf.subarray(at, nl).toString('utf8').trim();
    if (text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        reads.push({ offset: at, refused: `not JSON: ${(e as Error).message}` });
        at = nl + 1;
        continue;
      }
      const problem = describeControlProblem(value);
      const id = typeof (value as { id?: unknown })?.id === 'string' ? (value as { id: string }).id : undefined;
      reads.push(problem ? { offset: at, id, refused: problem } : { offset: at, request: ControlRequest.parse(value) });
    }
    at = nl + 1;
  }
  return { reads, next: at };
}

/** heartbeat.json (atomic; the trainer only). */
export async function writeHeartbeat(run: string, beat: Omit<Heartbeat, 'time' | 'pid' | 'host'>): Promise<void> {
  await writeRunJson(run, RUN_FILES.heartbeat, { ...beat, time: Date.now(), pid: process.pid, host: os.hostname() } satisfies Heartbeat);
}

export function readHeartbeat(run: string): Promise<Heartbeat | undefined> {
  return readJsonFile(run, RUN_FILES.heartbeat, HeartbeatFile, 'trainer heartbeat');
}
