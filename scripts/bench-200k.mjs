// Benchmark of issue 13's "200,000 points" targets, in headless Chromium and Node:
//   - the panel loads a run of N points in < 5 s: the host's read (loadRunSnapshot, as LatentPanel
//     does on `ready`), VS Code's serialisation of the reply (JSON + binary buffers), and the page:
//     deserialise, structured clone, validate, apply, draw — until body[data-ready] and the map drawn
//   - pans at ≥ 55 frames/s with no long task > 50 ms; hover highlight + tooltip < 16 ms
//   - a hovered point's original shown (on demand from the host: its `images` request answered by
//     readViewImageRows, the function the extension uses) and a selection page of 200 originals
//   - the page's memory (JS heap, renderer process RSS) < 600 MB
//   - UMAP of N μ (worker thread, as the trainer) < 30 s, first and refresh
//   - the standalone report of N points: written, loaded, a hovered original shown, memory
//
// Usage: node esbuild.mjs && node --import tsx scripts/bench-200k.mjs [--points 60000,200000,500000]
//          [--runs 5] [--umap-runs 3] [--skip umap,report] [--json]
// Figures: median (min–max) over --runs page loads; pan/hover per run, then summarised the same way.
// The page is the real panel page (dist/webview.test.js: the product plus window.latentLens)
// with a stand-in acquireVsCodeApi; this script plays the extension host. Not timed: playwright's
// own transfer of the serialised reply into the page (VS Code's IPC is a local socket instead).
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFakeRun } from '../test/browser/makeFakeRun.ts';
import { SnapshotCache, loadRunSnapshot, readViewImageRows, readViewProblems } from '../src/run/runSnapshot.ts';
import { makeNonce, renderWebviewHtml } from '../src/webview/html.ts';
import { writeReport } from '../src/trainer/report.ts';
import { projectLatents, closeProjectionWorker } from '../src/trainer/projection.ts';
import { hoverHandlerProbe, panProbe } from './benchPageProbes.mjs';
import { vscodeSerialize } from './vscodeWebviewMessage.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const POINTS = arg('--points', '200000').split(',').map(Number);
const RUNS = Number(arg('--runs', '5'));
const UMAP_RUNS = Number(arg('--umap-runs', '3'));
const SKIP = new Set(arg('--skip', '').split(',').filter(Boolean));
const asJson = args.includes('--json');
const ROOT = process.cwd();
if (!existsSync(path.join(ROOT, 'dist', 'webview.test.js'))) throw new Error('run `node esbuild.mjs` first');

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN; };
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN; };
const spread = (a, d = 0) => `${median(a).toFixed(d)} (${Math.min(...a).toFixed(d)}–${Math.max(...a).toFixed(d)})`;
const summary = (a) => ({ median: median(a), min: Math.min(...a), max: Math.max(...a), n: a.length });
const t0 = Date.now();
const log = (...m) => { if (!asJson) console.log(`[${((Date.now() - t0) / 1000).toFixed(0)} s]`, ...m); };
const load = () => os.loadavg().map((v) => v.toFixed(1)).join(' ');

// The page side of VS Code's webview relay: deserialise (buffers copied into fresh ArrayBuffers), then
// window.postMessage — the structured clone the webview iframe receives its messages through.
const SHIM = `
window.__posted = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => { window.__posted.push(m); if (m && m.kind === 'request' && m.message && m.message.type === 'images') window.__toHost(m); }, getState: () => undefined, setState: () => {} });
window.__deliver = (json, bufs) => {
  const TYPES = { Float32Array, Uint8Array, Uint16Array, Uint32Array };
  const copies = bufs.map((b) => { const ab = new ArrayBuffer(b.byteLength); new Uint8Array(ab).set(b); return ab; });
  const message = JSON.parse(json, (_k, v) => {
    if (!v || typeof v !== 'object' || !v.$$vscode_array_buffer_reference$$) return v;
    const ab = copies[v.index];
    if (!v.view) return ab;
    const C = TYPES[v.view.type];
    return new C(ab, v.view.byteOffset, v.view.byteLength / C.BYTES_PER_ELEMENT);
  });
  window.postMessage(message, '*');
};`;

async function rendererRssMb(browser) {
  // Resident memory of the browser's renderer processes (one page open: its renderer), by the pids the browser reports.
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  await cdp.detach();
  let kb = 0;
  for (const p of processInfo) {
    if (p.type !== 'renderer') continue;
    try { kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.id}/status`, 'utf8'))?.[1] ?? 0); } catch { /* gone */ }
  }
  return kb / 1024;
}

/** The page's JavaScript memory after a GC: the V8 heap plus ArrayBuffer backing stores (typed arrays live there). */
async function heapMb(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const h = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return (h.usedSize + (h.backingStorageSize ?? 0)) / 1048576;
}

/** --profile: the top functions by self time of a CPU profile taken around `fn` (in the page). */
async function profiled(page, label, fn) {
  if (!args.includes('--profile')) return fn();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const out = await fn();
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  const self = new Map();
  const dt = new Map();
  profile.timeDeltas.forEach((d, i) => dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + d));
  for (const n of profile.nodes) {
    const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    self.set(k, (self.get(k) ?? 0) + (dt.get(n.id) ?? 0) / 1000);
  }
  console.log(`  profile of ${label}:`, [...self].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => `${v.toFixed(0)} ms ${k}`).join('\n    '));
  return out;
}

/** In the page: hover 20 points one by one; time until each one's original is drawn (fetched from the host). */
const ORIGINALS = async () => {
  const ll = window.latentLens;
  const ov = document.getElementById('ll-map');
  const cv = document.getElementById('ll-original');
  const r = ov.getBoundingClientRect();
  const ms = [];
  let checked = 0;
  while (ms.length < 20) {
    const i = Math.floor(Math.random() * ll.state.count);
    const [sx, sy] = ll.map.toScreen(ll.state.x[i], ll.state.y[i]);
    const t = performance.now();
    ov.dispatchEvent(new PointerEvent('pointermove', { clientX: r.left + sx, clientY: r.top + sy, bubbles: true }));
    const hit = ll.map.hovered;
    if (hit === null) continue;
    const name = `Original: ${ll.state.files[hit]}`;
    while (!(cv.dataset.original === 'shown' && cv.getAttribute('aria-label') === name)) {
      if (performance.now() - t > 10000) throw new Error(`the original of ${name} never came`);
      await new Promise((res) => setTimeout(res, 0));
    }
    ms.push(performance.now() - t);
    // The pixels drawn are the point's: compare with what the store fetched.
    const px = await ll.data.originals.get(hit);
    const drawn = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    if (px && drawn[0] === px[0] && drawn[4 * (px.length - 1)] === px[px.length - 1]) checked++;
    ov.dispatchEvent(new PointerEvent('pointerleave'));
    await new Promise((res) => setTimeout(res, 30));
  }
  // A page of the selection grid: the 200 originals of a box in the middle of the map.
  const t = performance.now();
  const { x, y } = ll.state;
  const order = Array.from({ length: 200 }, (_, k) => Math.floor((k * ll.state.count) / 200));
  ll.store.set({ selection: { id: Date.now(), points: Uint32Array.from(order) }, selectionPage: 0 });
  const grid = document.getElementById('ll-selection-grid');
  for (;;) {
    const tiles = grid.querySelectorAll('.ll-tile canvas:first-child');
    if (tiles.length === 200 && [...tiles].every((c) => c.dataset.original === 'shown')) break;
    if (performance.now() - t > 20000) throw new Error('the selection grid\'s originals never all came');
    await new Promise((res) => setTimeout(res, 5));
  }
  const gridMs = performance.now() - t;
  ll.store.set({ selection: null });
  void x; void y;
  return { ms, checked, gridMs, requests: ll.data.originals.stats.requests };
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'latent-lens-bench-200k-'));
const results = { points: {}, cores: os.cpus().length };
let browser;
try {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-precise-memory-info'],
  });
  const bundle = readFileSync(path.join(ROOT, 'dist', 'webview.test.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const css = readFileSync(path.join(ROOT, 'media', 'webview.css'), 'utf8') + readFileSync(path.join(ROOT, 'media', 'report-theme.css'), 'utf8');
  const pageFile = path.join(tmp, 'panel.html');
  writeFileSync(pageFile, renderWebviewHtml({ nonce: makeNonce(), scripts: [{ inline: SHIM }, { inline: bundle }], styles: [{ inline: css }], bodyClass: 'vscode-dark' }));

  for (const N of POINTS) {
    const R = (results.points[N] = {});
    const runDir = path.join(tmp, `run${N}`);
    await makeFakeRun(runDir, N, 16, true);
    log(`${N.toLocaleString('en-US')}-point run written (pixels ${(statSync(path.join(runDir, 'data', 'pixels.u8')).size / 1e6).toFixed(0)} MB); load average ${load()} on ${os.cpus().length} cores`);
    let config = null, total = 0;
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    await context.exposeBinding('__toHost', async ({ page }, env) => {
      // The extension's answer to `images` (LatentPanel.onRequest → readViewImageRows), as VS Code delivers it.
      const images = await readViewImageRows(runDir, config, total, env.message.rows);
      const { json, buffers } = vscodeSerialize({ kind: 'reply', inReplyTo: env.id, message: { type: 'images', images } });
      await page.evaluate(([j, b]) => window.__deliver(j, b), [json, buffers]);
    });
    const loads = [], diagnoses = [], host = [], pageMs = [], pans = [], hovers = { handler: [], toFrame: [] }, originals = [], grids = [], heaps = [], rss = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.goto(`file://${pageFile}`);
      await page.waitForFunction(() => window.__posted.some((m) => m.kind === 'request' && m.message?.type === 'ready'), null, { timeout: 60000 });
      const ready = await page.evaluate(() => window.__posted.find((m) => m.message?.type === 'ready').id);
      // Host: read the run (as LatentPanel.readSnapshot: maxPoints = N, a fresh cache; the diagnosis of damaged files follows the reply).
      const h0 = performance.now();
      const snapshot = await loadRunSnapshot(runDir, { maxPoints: N, cache: new SnapshotCache(), diagnose: false });
      const h1 = performance.now();
      const { json, buffers } = vscodeSerialize({ kind: 'reply', inReplyTo: ready, message: { type: 'snapshot', snapshot } });
      const h2 = performance.now();
      config = snapshot.config; total = snapshot.totalCount;
      const wireMb = (Buffer.byteLength(json) + buffers.reduce((n, b) => n + b.byteLength, 0)) / 1e6;
      // Into the page untimed, then the page's part timed from the delivery to the drawn map.
      await page.evaluate(([j, b]) => { window.__pending = [j, b]; }, [json, buffers]);
      const p = await profiled(page, 'the page load', () => page.evaluate(async () => {
        const t = performance.now();
        const [j, b] = window.__pending; window.__pending = null;
        window.__deliver(j, b);
        while (document.body.dataset.ready !== 'true' || !window.latentLens?.map.renders || window.latentLens.state.count === 0) await new Promise((r) => setTimeout(r, 1));
        await new Promise((r) => requestAnimationFrame(() => r()));
        return { ms: performance.now() - t, count: window.latentLens.state.count, name: document.getElementById('ll-map').getAttribute('aria-label') };
      }));
      if (p.count !== N) throw new Error(`the page shows ${p.count} points, not ${N}`);
      host.push(h1 - h0 + (h2 - h1)); pageMs.push(p.ms); loads.push(h2 - h0 + p.ms);
      const d0 = performance.now();
      if ((await readViewProblems(runDir)).length) throw new Error('the fake run has damaged files');
      diagnoses.push(performance.now() - d0);
      if (run === 0) log(`  map: ${p.name}; reply ${wireMb.toFixed(1)} MB (JSON + buffers)`);
      log(`  load ${run + 1}: ${((h2 - h0 + p.ms) / 1000).toFixed(2)} s = host read ${(h1 - h0).toFixed(0)} ms + serialise ${(h2 - h1).toFixed(0)} ms + page ${p.ms.toFixed(0)} ms`);
      const pan = await profiled(page, 'panning', () => page.evaluate(panProbe));
      pans.push(pan);
      const hv = await page.evaluate(hoverHandlerProbe);
      hovers.handler.push(...hv.handler); hovers.toFrame.push(...hv.toFrame);
      const o = await page.evaluate(ORIGINALS);
      if (o.checked !== o.ms.length) throw new Error(`${o.ms.length - o.checked} hovered originals were not the point's pixels`);
      originals.push(...o.ms); grids.push(o.gridMs);
      heaps.push(await heapMb(page)); rss.push(await rendererRssMb(browser));
      log(`    pan ${pan.fps.toFixed(1)} redrawn frames/s (display ${pan.rafFps.toFixed(1)}), redraw median ${median(pan.renderMs).toFixed(1)} ms, longest task ${pan.longest.toFixed(0)} ms (${pan.longTasks} > 50 ms); ` +
        `hover handler median ${median(hv.handler).toFixed(2)} ms, p95 ${pct(hv.handler, 95).toFixed(2)} ms; original shown after hover median ${median(o.ms).toFixed(1)} ms; grid of 200 originals ${o.gridMs.toFixed(0)} ms; ` +
        `JS heap ${heaps.at(-1).toFixed(0)} MB, renderer RSS ${rss.at(-1).toFixed(0)} MB`);
      await page.close();
    }
    await context.close();
    Object.assign(R, {
      loadMs: summary(loads), hostMs: summary(host), diagnosisAfterMs: summary(diagnoses), pageMs: summary(pageMs),
      panFps: summary(pans.map((p) => p.fps)), panRedrawMs: summary(pans.map((p) => median(p.renderMs))), panLongestTaskMs: summary(pans.map((p) => p.longest)),
      hoverHandlerMs: { ...summary(hovers.handler), p95: pct(hovers.handler, 95) }, hoverToFrameMs: { ...summary(hovers.toFrame), p95: pct(hovers.toFrame, 95) },
      originalAfterHoverMs: { ...summary(originals), p95: pct(originals, 95) }, gridOriginalsMs: summary(grids),
      jsHeapMb: summary(heaps), rendererRssMb: summary(rss), load: load(),
    });
    log(`PANEL ${N.toLocaleString('en-US')} points, ${RUNS} runs (median (min–max)): load ${spread(loads.map((v) => v / 1000), 2)} s [host ${spread(host)} ms, page ${spread(pageMs)} ms; then the host's diagnosis of damaged files ${spread(diagnoses)} ms, off the load path]; ` +
      `pan ${spread(pans.map((p) => p.fps), 1)} frames/s, longest task while panning ${spread(pans.map((p) => p.longest))} ms; ` +
      `hover handler median ${median(hovers.handler).toFixed(2)} ms (p95 ${pct(hovers.handler, 95).toFixed(2)}, max ${Math.max(...hovers.handler).toFixed(1)}); original after hover ${spread(originals, 1)} ms; ` +
      `JS heap ${spread(heaps)} MB; renderer RSS ${spread(rss)} MB; load average ${load()}`);

    if (!SKIP.has('report')) {
      const reportFile = path.join(tmp, `report${N}.html`);
      const w0 = performance.now();
      await writeReport(runDir, reportFile, { maxPoints: N, testHooks: true });
      const writeMs = performance.now() - w0;
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      page.on('pageerror', (e) => console.error('page error:', e.message));
      const l0 = performance.now();
      await page.goto(`file://${reportFile}`, { timeout: 300000 });
      await page.waitForSelector('body[data-ready="true"]', { timeout: 300000 });
      const loadMs = performance.now() - l0;
      const o = await page.evaluate(ORIGINALS);
      const heap = await heapMb(page), r = await rendererRssMb(browser);
      await page.close();
      R.report = { mb: statSync(reportFile).size / 1e6, writeMs, loadMs, originalAfterHoverMs: summary(o.ms), gridOriginalsMs: o.gridMs, jsHeapMb: heap, rendererRssMb: r };
      log(`REPORT ${N.toLocaleString('en-US')} points: ${R.report.mb.toFixed(0)} MB file written in ${(writeMs / 1000).toFixed(1)} s, loaded in ${(loadMs / 1000).toFixed(1)} s; original after hover ${spread(o.ms, 1)} ms (${o.checked}/${o.ms.length} checked); grid of 200 originals ${o.gridMs.toFixed(0)} ms; JS heap ${heap.toFixed(0)} MB, renderer RSS ${r.toFixed(0)} MB`);
      rmSync(reportFile, { force: true });
    }

    if (!SKIP.has('umap')) {
      const buf = readFileSync(path.join(runDir, 'latents', 'mu.f32'));
      const mu = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + N * 16 * 4));
      const first = [], refresh = [];
      for (let run = 0; run < UMAP_RUNS; run++) {
        const a = await projectLatents(mu, N, 16, null);
        const jitter = mu.map((v) => v + (Math.random() - 0.5) * 0.05);
        const b = await projectLatents(jitter, N, 16, a);
        first.push(a.millis / 1000); refresh.push(b.millis / 1000);
        log(`  UMAP ${run + 1}: first ${(a.millis / 1000).toFixed(1)} s, refresh ${(b.millis / 1000).toFixed(1)} s (load average ${load()})`);
      }
      R.umapFirstS = summary(first); R.umapRefreshS = summary(refresh);
      log(`UMAP ${N.toLocaleString('en-US')} × 16-D, worker thread, ${UMAP_RUNS} runs: first ${spread(first, 1)} s, refresh ${spread(refresh, 1)} s`);
    }
    rmSync(runDir, { recursive: true, force: true });
  }
  await closeProjectionWorker();
  if (asJson) console.log(JSON.stringify(results, null, 2));
} finally {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
}
