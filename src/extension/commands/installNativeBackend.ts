/**
 * "VAE: Install Native Backend…": native TensorFlow (tfjs-node, or tfjs-node-gpu with CUDA) into
 * the extension's global storage, which the .vsix cannot carry (its install downloads
 * libtensorflow). A cancellable progress notification, npm's log in the "Latent Lens" output;
 * the install itself is ./nativeInstall.ts (nothing half-installed is ever left).
 *
 * The trainer finds it through LATENT_LENS_NATIVE_BACKEND_PATH (src/backend/options.ts), which
 * `nativeBackendEnv()` sets for every trainer the launcher forks: the latentLens.nativeBackendPath
 * setting, then the installed variants. Where neither loads, training goes on with wasm.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NATIVE_PACKAGES, NativeInstallError, TFJS_VERSION, installNative, nativeBackendPaths, type NativeVariant } from './nativeInstall';
import type { Services } from './services';

/** The extension's global storage folder, known once the command is registered (activation). */
let globalStorage: string | undefined;

/** The environment a trainer needs to find native TensorFlow (empty when there is none to find). */
export function nativeBackendEnv(): Record<string, string> {
  const setting = vscode.workspace.getConfiguration('latentLens').get<string>('nativeBackendPath', '');
  const paths = nativeBackendPaths(globalStorage, setting);
  return paths.length ? { LATENT_LENS_NATIVE_BACKEND_PATH: paths.join(path.delimiter) } : {};
}

interface VariantItem extends vscode.QuickPickItem { variant: NativeVariant }

/** The command's handler; registering it (extension.ts) tells nativeBackendEnv where the installs are. */
export function installNativeBackendCommand(s: Services, storage: string): () => Promise<void> {
  globalStorage = storage;
  return () => installNativeBackend(s, storage);
}

async function installNativeBackend(s: Services, storage: string): Promise<void> {
  const items: VariantItem[] = [
    { variant: 'cpu', label: 'CPU', description: `${NATIVE_PACKAGES.cpu}@${TFJS_VERSION}`, detail: 'Native TensorFlow on the processor: Linux x64/arm64, macOS, Windows x64.' },
    { variant: 'gpu', label: 'GPU (CUDA)', description: `${NATIVE_PACKAGES.gpu}@${TFJS_VERSION}`, detail: 'NVIDIA GPU on Linux x64 or Windows x64: needs the NVIDIA driver (> 450), CUDA 11.2 and cuDNN 8.1.' },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Install native TensorFlow for the trainer',
    placeHolder: 'Downloads the npm package and libtensorflow (hundreds of MB) into the extension\'s storage',
  });
  if (!pick) return;
  const pkg = NATIVE_PACKAGES[pick.variant];
  s.log.appendLine(`▶ Installing ${pkg}@${TFJS_VERSION} into ${storage}`);
  s.log.show();
  try {
    const dir = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Installing ${pkg}@${TFJS_VERSION}`, cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return installNative({
          globalStorage: storage, variant: pick.variant, signal: abort.signal,
          log: (line) => {
            s.log.appendLine(`  ${line}`);
            if (/Downloading libtensorflow|Building TensorFlow|added \d+ packages/.test(line)) progress.report({ message: line.replace(/^\W+/, '') });
          },
        });
      },
    );
    const backend = vscode.workspace.getConfiguration('latentLens').get<string>('backend', 'auto');
    const uses = backend === 'auto' ? 'New runs use it (latentLens.backend is "auto").' : `Set latentLens.backend to "auto" or "${pick.variant === 'gpu' ? 'tfjs-node-gpu' : 'tfjs-node'}" to use it (it is "${backend}").`;
    s.log.appendLine(`✓ ${pkg} installed in ${dir}`);
    void vscode.window.showInformationMessage(`Latent Lens: native TensorFlow (${pick.label}) is installed. ${uses} The status bar tooltip and each run's status.json say which backend ran.`);
  } catch (e) {
    const message = e instanceof NativeInstallError ? e.message : `The install of ${pkg} failed: ${(e as Error).message}. Training goes on with the wasm backend.`;
    s.log.appendLine(`✗ ${message}`);
    if (e instanceof NativeInstallError && e.cancelled) {
      void vscode.window.showInformationMessage(`Latent Lens: ${message}`);
      return;
    }
    const choice = await vscode.window.showErrorMessage(`Latent Lens: ${message}`, 'Show Log', 'Open Setting');
    if (choice === 'Show Log') s.log.show();
    else if (choice === 'Open Setting') void vscode.commands.executeCommand('workbench.action.openSettings', 'latentLens.nativeBackendPath');
  }
}
