/**
 * Installing native TensorFlow (@tensorflow/tfjs-node or -gpu, the version of the bundled
 * TensorFlow.js) into the extension's global storage, for "VAE: Install Native Backend…"
 * (./installNativeBackend.ts). No `vscode` here: test/unit/nativeInstall.test.ts runs it.
 *
 * `npm install` runs in a fresh temporary folder next to the target; only when it succeeded and
 * the package loads is that folder renamed into place (`native-cpu` / `native-gpu`), so a failed
 * or cancelled install leaves nothing that the trainer would try to load. Its install script
 * downloads libtensorflow from storage.googleapis.com (not the npm registry): where that cannot
 * be reached, the error says so and what to do, and training goes on with wasm.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { version as tfjsVersion } from '@tensorflow/tfjs/package.json';

export type NativeVariant = 'cpu' | 'gpu';

export const NATIVE_PACKAGES: Record<NativeVariant, string> = { cpu: '@tensorflow/tfjs-node', gpu: '@tensorflow/tfjs-node-gpu' };

/** The TensorFlow.js version bundled in dist/cli.js: the native package must match it. */
export const TFJS_VERSION: string = tfjsVersion;

/** Where a variant is installed: `<global storage>/native-cpu`, an npm --prefix. */
export function nativeInstallDir(globalStorage: string, variant: NativeVariant): string {
  return path.join(globalStorage, `native-${variant}`);
}

/** The folders the trainer should look in (LATENT_LENS_NATIVE_BACKEND_PATH): the setting's, then the installed ones. */
export function nativeBackendPaths(globalStorage: string | undefined, setting: string | undefined): string[] {
  const installed = globalStorage ? (['gpu', 'cpu'] as const).map((v) => nativeInstallDir(globalStorage, v)).filter((d) => existsSync(d)) : [];
  return [...(setting?.trim() ? [setting.trim()] : []), ...installed];
}

/** An install that did not happen; `message` says why and what to do. */
export class NativeInstallError extends Error {
  constructor(message: string, readonly cancelled = false) {
    super(message);
    this.name = 'NativeInstallError';
  }
}

export interface NativeInstallOptions {
  globalStorage: string;
  variant: NativeVariant;
  /** Default: TFJS_VERSION. */
  version?: string;
  /** Each line of npm's output. */
  log(line: string): void;
  signal?: AbortSignal;
  /** Default: `npm` on the PATH. */
  npm?: string;
  env?: NodeJS.ProcessEnv;
  /** Node to check that the installed package loads (default: this process's, as Node). */
  nodePath?: string;
}

const TEMP_PREFIX = '.native-install-';

/** Ends the process and its children (npm runs the install script in a child of its own). */
function killTree(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  if (process.platform === 'win32') {
    spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
    return;
  }
  try { process.kill(-child.pid, 'SIGTERM'); } catch { child.kill('SIGTERM'); }
}

/** Runs a command, each output line to `log`; resolves with its exit code and the output. */
function runLogged(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; log(l: string): void; signal?: AbortSignal }): Promise<{ code: number | null; output: string; spawnError?: Error }> {
  return new Promise((resolve) => {
    const win = process.platform === 'win32';
    // npm is npm.cmd on Windows, which Node only runs through the shell (the arguments are ours: quoted).
    const child = spawn(win ? `${cmd}.cmd` : cmd, win ? args.map((a) => `"${a}"`) : args, {
      cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: !win, shell: win, windowsHide: true,
    });
    let output = '';
    let buf = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (line.trim()) opts.log(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const abort = () => killTree(child);
    opts.signal?.addEventListener('abort', abort, { once: true });
    let spawnError: Error | undefined;
    child.on('error', (e) => { spawnError = e; });
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', abort);
      if (buf.trim()) opts.log(buf);
      resolve({ code, output, spawnError });
    });
  });
}

/** What went wrong, from npm's output: the message the user reads. */
export function explainFailure(pkg: string, version: string, code: number | null, output: string): string {
  const unreachable = /(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|certificate|403|404)[^\n]*/.exec(output);
  const where = /https?:\/\/storage\.googleapis\.com\/\S+|storage\.googleapis\.com/.exec(output);
  const fallback = 'Nothing was installed; training goes on with the wasm backend.';
  const manual = `install ${pkg}@${version} yourself where it can be downloaded (npm install --prefix <folder> ${pkg}@${version}), copy <folder> to this machine and set latentLens.nativeBackendPath to it`;
  if (where && /Downloading libtensorflow|libtensorflow/i.test(output)) {
    return `The download of libtensorflow failed: ${pkg}'s install script fetches it from storage.googleapis.com (not the npm registry)${unreachable ? ` and got "${unreachable[0].trim()}"` : ''}, which this machine cannot reach. ${fallback} To use native TensorFlow: allow access to storage.googleapis.com (or set HTTPS_PROXY), or ${manual}.`;
  }
  if (unreachable && /registry\.npmjs\.org|npm (error|ERR!) (code|network)/i.test(output)) {
    return `npm could not reach the package registry ("${unreachable[0].trim()}"). ${fallback} Check the network or the npm proxy settings (npm config get registry), or ${manual}.`;
  }
  const lastError = output.split('\n').filter((l) => /npm (error|ERR!)|Error:/.test(l)).slice(-3).join(' ').trim();
  return `npm install ${pkg}@${version} failed (exit ${code})${lastError ? `: ${lastError}` : ''}. ${fallback} See the "Latent Lens" output for npm's log.`;
}

/** Remove temporary folders of earlier installs that were killed (they are never loaded, but take space). */
async function removeStaleTemps(globalStorage: string): Promise<void> {
  const names = await fs.readdir(globalStorage).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(TEMP_PREFIX) || /^native-(cpu|gpu)\.old-/.test(n)).map((n) => fs.rm(path.join(globalStorage, n), { recursive: true, force: true })));
}

/**
 * Install one variant; resolves with the installed folder (an npm --prefix, what
 * LATENT_LENS_NATIVE_BACKEND_PATH takes). Throws a NativeInstallError (cancelled or failed)
 * after removing everything it wrote; an earlier install of the variant stays as it was.
 */
export async function installNative(o: NativeInstallOptions): Promise<string> {
  const pkg = NATIVE_PACKAGES[o.variant];
  const version = o.version ?? TFJS_VERSION;
  const target = nativeInstallDir(o.globalStorage, o.variant);
  await fs.mkdir(o.globalStorage, { recursive: true });
  await removeStaleTemps(o.globalStorage);
  const tmp = path.join(o.globalStorage, `${TEMP_PREFIX}${o.variant}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp);
  try {
    await fs.writeFile(path.join(tmp, 'package.json'), JSON.stringify({ name: 'latent-lens-native-backend', private: true, description: `${pkg} for Latent Lens` }, null, 1));
    const env = { ...(o.env ?? process.env) };
    delete env.ELECTRON_RUN_AS_NODE;
    const args = ['install', '--prefix', tmp, '--no-audit', '--no-fund', '--save-exact', '--foreground-scripts', `${pkg}@${version}`];
    o.log(`$ npm ${args.join(' ')}`);
    const r = await runLogged(o.npm ?? 'npm', args, { cwd: tmp, env, log: o.log, signal: o.signal });
    if (o.signal?.aborted) throw new NativeInstallError(`The install of ${pkg} was cancelled; nothing was installed.`, true);
    if (r.spawnError) throw new NativeInstallError(`npm could not be started (${r.spawnError.message}): install Node.js with npm on this machine, or install ${pkg}@${version} yourself and set latentLens.nativeBackendPath. Training goes on with the wasm backend.`);
    if (r.code !== 0) throw new NativeInstallError(explainFailure(pkg, version, r.code, r.output));
    // It installed: it must also load (libtensorflow and the binding found), or it is no use.
    const pkgDir = path.join(tmp, 'node_modules', ...pkg.split('/'));
    const check = await runLogged(o.nodePath ?? process.execPath, ['-e', `require(${JSON.stringify(pkgDir)}); console.log('loaded ${pkg}')`], {
      cwd: tmp, env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, log: o.log, signal: o.signal,
    });
    if (o.signal?.aborted) throw new NativeInstallError(`The install of ${pkg} was cancelled; nothing was installed.`, true);
    if (check.code !== 0) {
      const why = check.output.split('\n').find((l) => /Error/.test(l))?.trim() ?? `exit ${check.code}`;
      throw new NativeInstallError(`${pkg} installed but does not load here (${why}). Nothing was installed; training goes on with the wasm backend.${o.variant === 'gpu' ? ' tfjs-node-gpu 4.22 needs an NVIDIA driver, CUDA 11.2 and cuDNN 8.1 on the library path.' : ''}`);
    }
    // Into place: the old install (if any) aside, the new one in, the old one removed.
    const old = `${target}.old-${randomBytes(4).toString('hex')}`;
    const hadOld = existsSync(target);
    if (hadOld) await fs.rename(target, old);
    try {
      await fs.rename(tmp, target);
    } catch (e) {
      if (hadOld) await fs.rename(old, target);
      throw e;
    }
    if (hadOld) await fs.rm(old, { recursive: true, force: true });
    o.log(`installed ${pkg}@${version} in ${target}`);
    return target;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
