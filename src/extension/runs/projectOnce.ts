/**
 * "Recompute projection" on a run no trainer is training (issue 14): `latent-lens project
 * <runDir> --json` (src/trainer/projectCommand.ts) run once as a short-lived child process of
 * dist/cli.js, which writes latents/projection.json through src/run. Resolves with what it
 * wrote; rejects with the CLI's own message (e.g. "…/latents/index.json is missing: …").
 * One at a time per run folder: a second click while one runs gets the same answer. No `vscode`.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import type { ProjectionMethod } from '../../protocol/runFormat';
import { z } from '../../protocol/zod';

const Outcome = z.object({ epoch: z.number().int(), method: z.enum(['pca', 'umap']), millis: z.number(), count: z.number().int() });
export interface ProjectOnceResult { epoch: number; method: ProjectionMethod; millis: number; count: number }

const running = new Map<string, Promise<ProjectOnceResult>>();

export function projectOnce(cliPath: string, runDir: string, opts: { execPath?: string; timeoutMs?: number } = {}): Promise<ProjectOnceResult> {
  const key = path.resolve(runDir);
  const current = running.get(key);
  if (current) return current;
  const p = new Promise<ProjectOnceResult>((resolve, reject) => {
    const child = fork(cliPath, ['project', key, '--json'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [], execPath: opts.execPath, serialization: 'advanced',
      // Inside the Electron build of VS Code, process.execPath is Electron: run it as Node (as the launcher does).
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    let out = '', err = '';
    child.stdout?.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr?.on('data', (b: Buffer) => { err += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 10 * 60_000);
    child.on('error', (e) => { clearTimeout(timer); reject(new Error(`could not run latent-lens project: ${e.message}`)); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      let parsed: ProjectOnceResult | undefined;
      try { parsed = Outcome.parse(JSON.parse(last)); } catch { parsed = undefined; }
      if (code === 0 && parsed) { resolve(parsed); return; }
      const reason = err.split('\n').map((l) => l.replace(/^latent-lens:\s*/, '').trim()).find((l) => l) ?? (signal ? `ended by ${signal}` : `exit code ${code}`);
      reject(new Error(`the projection could not be recomputed: ${reason}`));
    });
  });
  running.set(key, p);
  const clear = () => { if (running.get(key) === p) running.delete(key); };
  p.then(clear, clear);
  return p;
}

/** The `projected` reply to the webview's requestProjection, from a trainer's `projection` event or projectOnce's result. */
export function projectedReply(r: { epoch: number; method: ProjectionMethod; millis: number }): { type: 'projected'; epoch: number; method: ProjectionMethod; millis: number } {
  return { type: 'projected', epoch: r.epoch, method: r.method, millis: r.millis };
}
