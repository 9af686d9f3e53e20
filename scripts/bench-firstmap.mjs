// Issue 13, "the first map in seconds": `latent-lens train` on a folder of 60,000 Fashion-MNIST
// PNGs (one per image), forked with an IPC channel so every trainer event is timed from the
// fork. Each run is stopped at its first map. Cold = an empty pixel cache folder, warm = the
// entry the cold run wrote. Prints, per build and cache state, the median and range over the
// runs of: decode rate (images / decode time, from the `loading` events), time to the first
// step, time to the first map (`projection` event), and the 1-minute load average at the start
// of each run (the machine is shared: read the figures beside it).
//
//   node scripts/bench.mjs --only firstmap [--runs 3] [--data DIR] [--ref /tmp/main/dist/cli.js]
import { fork, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const work = path.join(os.tmpdir(), 'latent-lens-bench-firstmap');

/** One training run, stopped at its first map (or after `limitMs`). Times in ms from the fork. */
function timedRun(cli, data, cacheDir, backend, stopAtStep = false, limitMs = 600_000) {
  const runDir = path.join(work, `run-${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  const load = os.loadavg()[0];
  const child = fork(cli, ['train', data, '--out', runDir, '--preset', 'canonical', '--epochs', '1', '--backend', backend], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, LATENT_LENS_CACHE_DIR: cacheDir },
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const r = { load, loadStart: undefined, loadEnd: undefined, images: 0, firstStep: undefined, firstMap: undefined, mapMethod: undefined };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('message', (m) => {
      const e = m?.kind === 'event' ? m.message : undefined;
      if (!e) return;
      const t = performance.now() - t0;
      if (e.type === 'loading') { r.loadStart ??= t; if (e.done === e.total) { r.loadEnd = t; r.images = e.total; } }
      if (e.type === 'step' && r.firstStep === undefined) { r.firstStep = t; if (stopAtStep) child.kill('SIGKILL'); }
      if (e.type === 'projection' && r.firstMap === undefined) { r.firstMap = t; r.mapMethod = `${e.method}, epoch ${e.epoch}`; child.kill('SIGKILL'); }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      rmSync(runDir, { recursive: true, force: true });
      if (r.firstMap === undefined && !(stopAtStep && r.firstStep !== undefined)) reject(new Error(`no map within ${limitMs / 1000} s\n${err.slice(-1500)}`)); else resolve(r);
    });
  });
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (a, digits, scale = 1) => `${(median(a) / scale).toFixed(digits)} (${(Math.min(...a) / scale).toFixed(digits)}–${(Math.max(...a) / scale).toFixed(digits)})`;

export async function benchFirstMap({ cli, root, runs = 3, ref, data, backend = 'auto' }) {
  mkdirSync(work, { recursive: true });
  let dir = data ?? '/tmp/perimage-fm60k';
  if (!existsSync(dir)) {
    dir = path.join(work, 'fm60k');
    if (!existsSync(path.join(dir, '.complete'))) {
      console.error(`making ${dir} (60,000 PNGs) with scripts/fashion-mnist-to-png.mjs`);
      rmSync(dir, { recursive: true, force: true });
      execFileSync('node', [path.join(root, 'scripts', 'fashion-mnist-to-png.mjs'), '--split', 'train', '--first', '60000', '--out', dir], { stdio: 'inherit' });
      execFileSync('touch', [path.join(dir, '.complete')]);
    }
  }
  const rows = [];
  for (const [name, build] of [['this build', cli], ...(ref ? [['reference', ref]] : [])]) {
    const cacheDir = path.join(work, `cache-${name.replace(/\W/g, '')}`);
    const results = { cold: [], warm: [] };
    for (let i = 0; i < runs; i++) {
      for (const state of build === cli ? ['cold', 'warm'] : ['cold']) { // the reference has no cache
        if (state === 'cold') rmSync(cacheDir, { recursive: true, force: true });
        // The reference (a build before issue 13) maps at the end of epoch 1 (minutes): stopped at its first step.
        const r = await timedRun(build, dir, cacheDir, backend, build !== cli);
        console.error(`${name} ${state} #${i + 1}: loading ${(r.loadStart / 1000).toFixed(1)}–${(r.loadEnd / 1000).toFixed(1)} s, first step ${(r.firstStep / 1000).toFixed(1)} s, first map ${r.firstMap === undefined ? '—' : `${(r.firstMap / 1000).toFixed(1)} s (${r.mapMethod})`}, load ${r.load.toFixed(1)}`);
        results[state].push(r);
      }
    }
    for (const state of ['cold', 'warm']) {
      const rs = results[state];
      if (rs.length === 0) continue;
      const maps = rs.map((r) => r.firstMap).filter((t) => t !== undefined);
      rows.push([name, state, fmt(rs.map((r) => r.images / ((r.loadEnd - r.loadStart) / 1000)), 0), fmt(rs.map((r) => r.firstStep), 1, 1000), maps.length ? fmt(maps, 1, 1000) : 'not measured (end of epoch 1)', rs[0].mapMethod ?? '', fmt(rs.map((r) => r.load), 1)]);
    }
  }
  console.log(`\nfirst map on ${dir}, ${os.cpus().length} cores, ${runs} runs each: median (min–max)`);
  console.log('| build | pixel cache | images loaded per s | first step, s | first map, s | first map is | load average |\n| --- | --- | ---: | ---: | ---: | --- | ---: |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}
