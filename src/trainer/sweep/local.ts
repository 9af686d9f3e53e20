/**
 * The local executor of a sweep: the runs as child processes of `dist/cli.js train`, at most
 * `maxParallel` at a time, each logging to logs/<run>.log. Ctrl-C / SIGTERM stop the sweep: no
 * new run starts, and each running trainer gets SIGTERM (it writes a checkpoint, then stops).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Combination } from './grid';
import { sweepPaths } from './sweepFile';

export interface LocalSweep {
  sweepDir: string;
  dataDir: string;
  cliPath: string;
  trainArgs: string[];
  combos: readonly Combination[];
  maxParallel: number;
  log(line: string): void;
}

/** Exit code of each run (null: killed by a signal, or never started because the sweep stopped). */
export async function runLocal(s: LocalSweep): Promise<(number | null)[]> {
  const codes: (number | null)[] = s.combos.map(() => null);
  const running = new Set<ChildProcess>();
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    s.log(`${sig}: starting no more runs; asking the ${running.size} running to write a checkpoint and stop`);
    for (const child of running) child.kill('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Share the cores: each trainer's wasm backend gets its part (unless the caller chose).
  const threads = process.env.LATENT_LENS_WASM_THREADS || String(Math.max(1, Math.floor(os.availableParallelism() / s.maxParallel)));
  const paths = sweepPaths(s.sweepDir);
  let next = 0;
  const startOne = (c: Combination): Promise<void> => new Promise((resolve) => {
    const fd = openSync(paths.runLog(c.name), 'a');
    const child = spawn(process.execPath, [...process.execArgv, s.cliPath, 'train', s.dataDir, '--out', path.join(s.sweepDir, c.name), ...s.trainArgs, ...c.args], {
      stdio: ['ignore', fd, fd],
      // Its own process group: Ctrl-C at the terminal reaches the sweep only, which forwards one SIGTERM
      // (a trainer that got SIGINT and SIGTERM would quit without its checkpoint).
      detached: true,
      env: { ...process.env, LATENT_LENS_WASM_THREADS: threads },
    });
    closeSync(fd);
    running.add(child);
    s.log(`▶ ${c.name} started (pid ${child.pid}; log ${path.relative(s.sweepDir, paths.runLog(c.name))})`);
    const done = (code: number | null, why: string) => {
      if (!running.delete(child)) return;
      codes[c.index] = code;
      s.log(`${code === 0 ? '✓' : '✗'} ${c.name} ${why}`);
      resolve();
    };
    child.on('error', (e) => done(null, `could not start: ${e.message}`));
    child.on('exit', (code, signal) => done(code, code === 0 ? 'done' : signal ? `ended by ${signal}` : `failed (exit ${code}; see its log)`));
  });
  const worker = async () => {
    while (!stopping && next < s.combos.length) await startOne(s.combos[next++]);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(s.maxParallel, s.combos.length) }, worker));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return codes;
}
