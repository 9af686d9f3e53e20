/**
 * One VS Code server of the harness: `<node 24> server-main.js --enable-smoke-test-driver` on a
 * free loopback port (or `port`), with fresh user/server/extension folders under
 * test-results/vscode-<name>/ and its log in test-results/server-<name>.log. It can install a
 * .vsix, builds the workbench URLs (folder + payload), and stops its whole process group.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freshDir, log, results, sleep } from './common.mjs';
import { node24, serverMain } from './harness.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
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

export class Server {
  /**
   * @param {string} name folder and log names
   * @param {Record<string, string>} env extra environment of the server (and its extension host)
   * @param {Record<string, unknown>} settings user settings over the defaults above
   * @param {{ port?: number }} options a fixed port (--port) instead of a free one
   */
  constructor(name, env = {}, settings = {}, options = {}) {
    this.dir = freshDir(path.join(results, `vscode-${name}`));
    this.userDir = path.join(this.dir, 'user');
    this.extDir = path.join(this.dir, 'extensions');
    fs.mkdirSync(path.join(this.userDir, 'User'), { recursive: true });
    fs.mkdirSync(this.extDir, { recursive: true });
    fs.writeFileSync(path.join(this.userDir, 'User', 'settings.json'), JSON.stringify(userSettings(settings), null, 2));
    this.env = env;
    this.fixedPort = options.port;
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
    this.port = Number(this.fixedPort ?? await freePort());
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

  /** The workbench URL opening `folder`, with an optional payload (extensionDevelopmentPath …). */
  url(folder, payload) {
    let u = `http://${this.authority}/?folder=${encodeURIComponent(folder)}`;
    if (payload) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return u;
  }

  /** A local path as the workbench (in the browser) names it on this server. */
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
