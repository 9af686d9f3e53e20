// Benchmark (issue 9): how long a 60,000-point snapshot takes from the host's read of the run to
// the webview's store, with the snapshot's arrays as base64 strings in JSON (the scheme before the
// one message envelope) and as binary payloads (typed arrays and an ArrayBuffer), measured in the
// same command, alternating, on the same run.
//
// Usage: npm run build && node --import tsx scripts/bench-snapshot.mjs [--runs N] [--points N] [--json]
//
// The path, step by step (medians printed for each):
//   host (Node):  read        loadRunSnapshot (disk → typed arrays; the page cache is warm after run 1)
//                 encode      base64 only: every array to a base64 string, as the old readView* did
//                 serialise   what VS Code's extension host does to a webview message: JSON.stringify;
//                             for binary, with its replacer that lifts each typed array's buffer out
//                             beside the JSON (serializeWebviewMessage, the same algorithm)
//                 wire        the bytes handed to the IPC socket: the JSON text as UTF-8 (+ the buffers)
//   webview (Chromium, headless):
//                 unwire      the UTF-8 JSON text decoded
//                 deserialise JSON.parse (binary: with VS Code's reviver, buffers copied into fresh ArrayBuffers)
//                 clone       window.postMessage to itself: the structured clone a webview message goes through
//                 validate    the zod schema of the message (binary: ToWebviewMessage; base64: the old one)
//                 decode      base64 only: every string back to a typed array (the old decodeF32 …)
//                 store       RunData.applySnapshot (the webview's run store)
// Then the host's read on a reveal, with the panel's SnapshotCache (pixels, decoder not read again).
// Not included: the socket transfer itself (base64 moves 4/3 of the bytes) and the decoder model
// build in tfjs (the same for both). Spread = min–max over the runs.
import { chromium } from 'playwright-core';
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFakeRun } from '../test/browser/makeFakeRun.ts';
import { SnapshotCache, loadRunSnapshot } from '../src/run/runSnapshot.ts';
import { vscodeSerialize } from './vscodeWebviewMessage.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const RUNS = opt('--runs', 7);
const N = opt('--points', 60000);
const asJson = args.includes('--json');
const ROOT = process.cwd();

/** The old host side: every array of the snapshot as base64 (Buffer, as the old runSnapshot did). */
function toBase64Snapshot(s) {
  const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  return {
    ...s,
    labelIndex: b64(s.labelIndex), index: b64(s.index), split: b64(s.split),
    latents: s.latents && { ...s.latents, mu: b64(s.latents.mu) },
    projection: s.projection && { ...s.projection, x: b64(s.projection.x), y: b64(s.projection.y) },
    decoder: s.decoder && { ...s.decoder, weights: Buffer.from(s.decoder.weights).toString('base64') },
    images: s.images && { ...s.images, pixels: b64(s.images.pixels) },
  };
}

// The page's side, bundled from the product's own schema and store, plus the old schema and decoder.
const PAGE_ENTRY = `
import { z } from './src/protocol/zod';
import { ToWebviewMessage, RunSnapshot, ViewDecoder, ViewImages, ViewLatents, ViewProjection } from './src/protocol/panelIpc';
import { RunData } from './src/webview/data/runData';
const B64 = z.string();
const OldSnapshot = RunSnapshot.extend({
  labelIndex: B64, index: B64, split: B64,
  latents: ViewLatents.extend({ mu: B64 }).nullable(), projection: ViewProjection.extend({ x: B64, y: B64 }).nullable(),
  decoder: ViewDecoder.extend({ weights: B64 }).nullable(), images: ViewImages.extend({ pixels: B64 }).nullable(),
});
const OldMessage = z.object({ type: z.literal('snapshot'), inReplyTo: z.number().int().optional(), snapshot: OldSnapshot });
function decodeBytes(b64) { const s = atob(b64); const out = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i); return out; }
const f32 = (b) => { const u = decodeBytes(b); return new Float32Array(u.buffer, 0, u.byteLength >> 2); };
const u16 = (b) => { const u = decodeBytes(b); return new Uint16Array(u.buffer, 0, u.byteLength >> 1); };
const u32 = (b) => { const u = decodeBytes(b); return new Uint32Array(u.buffer, 0, u.byteLength >> 2); };
const TYPES = { Float32Array, Uint8Array, Uint16Array, Uint32Array };
const cloneToSelf = (message) => new Promise((resolve) => {
  const onMessage = (e) => { window.removeEventListener('message', onMessage); resolve(e.data); };
  window.addEventListener('message', onMessage);
  window.postMessage(message, '*');
});
window.bench = async (kind, wire, buffers) => {
  const t = [performance.now()];
  const lap = () => t.push(performance.now());
  const text = new TextDecoder().decode(wire); lap();
  let message;
  if (kind === 'binary') {
    const copies = buffers.map((b) => { const ab = new ArrayBuffer(b.byteLength); new Uint8Array(ab).set(b); return ab; });
    message = JSON.parse(text, (_k, v) => {
      if (!v || typeof v !== 'object' || !v.$$vscode_array_buffer_reference$$) return v;
      const ab = copies[v.index];
      if (!v.view) return ab;
      const C = TYPES[v.view.type];
      return new C(ab, v.view.byteOffset, v.view.byteLength / C.BYTES_PER_ELEMENT);
    });
  } else message = JSON.parse(text);
  lap();
  const arrived = await cloneToSelf(message); lap();
  let snapshot;
  if (kind === 'binary') { snapshot = ToWebviewMessage.parse(arrived).snapshot; lap(); lap(); }
  else {
    const s = OldMessage.parse(arrived).snapshot; lap();
    snapshot = {
      ...s, labelIndex: u16(s.labelIndex), index: u32(s.index), split: decodeBytes(s.split),
      latents: s.latents && { ...s.latents, mu: f32(s.latents.mu) },
      projection: s.projection && { ...s.projection, x: f32(s.projection.x), y: f32(s.projection.y) },
      decoder: s.decoder && { ...s.decoder, weights: decodeBytes(s.decoder.weights).buffer },
      images: s.images && { ...s.images, pixels: decodeBytes(s.images.pixels) },
    };
    lap();
  }
  const data = new RunData();
  data.applySnapshot(snapshot); lap();
  if (data.count !== snapshot.count || !(data.mu instanceof Float32Array) || !(data.images.pixels instanceof Uint8Array)) throw new Error('the store did not get the snapshot');
  return t.slice(1).map((v, i) => v - t[i]);
};
`;

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const ms = (v) => `${v.toFixed(0)} ms`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'latent-lens-bench-snapshot-'));
const log = (...m) => { if (!asJson) console.log(...m); };
try {
  const runDir = path.join(tmp, 'run');
  await makeFakeRun(runDir, N, 16, true);
  const bundle = await esbuild.build({
    stdin: { contents: PAGE_ENTRY, resolveDir: ROOT, sourcefile: 'bench-snapshot-page.ts', loader: 'ts' },
    bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome114', logLevel: 'error',
  });
  const pageFile = path.join(tmp, 'page.html');
  writeFileSync(pageFile, `<!DOCTYPE html><html><body><script>${bundle.outputFiles[0].text.replace(/<\/script/gi, '<\\/script')}</script></body></html>`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`file://${pageFile}`);
  await page.waitForFunction(() => typeof window.bench === 'function');

  const STEPS = ['read', 'encode', 'serialise', 'wire', 'unwire', 'deserialise', 'clone', 'validate', 'decode', 'store'];
  const results = { base64: [], binary: [] };
  let bytes = {};
  log(`${N.toLocaleString('en-US')} points × 16-D μ, 28×28 pixels, canonical decoder; ${RUNS} runs of each, alternating`);
  // One untimed warm-up of each (JIT, page cache), then the runs.
  for (let r = -1; r < RUNS; r++) {
    for (const kind of r % 2 ? ['binary', 'base64'] : ['base64', 'binary']) {
      const t = [performance.now()];
      const lap = () => t.push(performance.now());
      const snapshot = await loadRunSnapshot(runDir); lap();
      const message = { type: 'snapshot', snapshot: kind === 'base64' ? toBase64Snapshot(snapshot) : snapshot }; lap();
      const { json, buffers } = kind === 'base64' ? { json: JSON.stringify(message), buffers: [] } : vscodeSerialize(message); lap();
      const wire = Buffer.from(json, 'utf8');
      const wireBuffers = buffers.map((b) => Buffer.from(b)); lap();
      const host = t.slice(1).map((v, i) => v - t[i]);
      bytes[kind] = wire.byteLength + wireBuffers.reduce((n, b) => n + b.byteLength, 0);
      // Into the page untimed (playwright's own transport is no part of the product's path).
      const page_ = await page.evaluate(([k, w, b]) => window.bench(k, w, b), [kind, new Uint8Array(wire.buffer, wire.byteOffset, wire.byteLength), wireBuffers.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength))]);
      const steps = [...host, ...page_];
      if (r >= 0) results[kind].push({ total: steps.reduce((a, b) => a + b, 0), steps: Object.fromEntries(STEPS.map((s, i) => [s, steps[i]])) });
    }
    if (r >= 0) log(`  run ${r + 1}: base64 ${ms(results.base64[r].total)}, binary ${ms(results.binary[r].total)}`);
  }
  await browser.close();

  // A reveal of the panel: the same read with the panel's cache (pixels and decoder not read again).
  const cache = new SnapshotCache();
  await loadRunSnapshot(runDir, { cache });
  const cachedReads = [];
  for (let r = 0; r < RUNS; r++) { const t0 = performance.now(); await loadRunSnapshot(runDir, { cache }); cachedReads.push(performance.now() - t0); }

  const summary = {};
  for (const kind of ['base64', 'binary']) {
    const totals = results[kind].map((x) => x.total);
    summary[kind] = {
      medianMs: median(totals), minMs: Math.min(...totals), maxMs: Math.max(...totals), bytes: bytes[kind],
      stepsMedianMs: Object.fromEntries(STEPS.map((s) => [s, median(results[kind].map((x) => x.steps[s]))])),
    };
  }
  summary.ratio = summary.base64.medianMs / summary.binary.medianMs;
  summary.cachedReadMedianMs = median(cachedReads);
  summary.runs = RUNS;
  summary.points = N;
  if (asJson) console.log(JSON.stringify(summary, null, 2));
  else {
    for (const kind of ['base64', 'binary']) {
      const s = summary[kind];
      log(`${kind.padEnd(6)}: median ${ms(s.medianMs)} (spread ${ms(s.minMs)}–${ms(s.maxMs)}), ${(s.bytes / 1e6).toFixed(1)} MB on the wire`);
      log(`        ${STEPS.map((k) => `${k} ${s.stepsMedianMs[k].toFixed(0)}`).join(', ')} (ms, medians)`);
    }
    log(`read on a reveal, with the panel's SnapshotCache: median ${ms(summary.cachedReadMedianMs)} (against ${ms(summary.binary.stepsMedianMs.read)} uncached)`);
    log(`binary payloads: the snapshot reaches the store ${summary.ratio.toFixed(2)}× faster than base64 (ratio of medians, same command)`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
