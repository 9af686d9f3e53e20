/**
 * The `latentLens.*` settings, read through the config schema (src/protocol/config.ts): which
 * settings exist, their defaults and bounds come from `settingSpecs()` (package.json declares the
 * same, held to it by test/unit/configSchema.test.ts); the training ones become a validated
 * TrainRequest with `requestFromSettings`.
 */
import * as path from 'node:path';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { PARAMS, SETTINGS_SECTION, settingSpecs, type SettingSpec } from '../protocol/config';
import { parseField, parseTrainRequest, requestFromSettings, type TrainRequest } from '../protocol/trainRequest';

/** The settings of the extension itself (no train flag): where runs go, the map, the confirmation. */
export interface UiSettings {
  runsDirectory: string;
  maxPoints: number;
  confirmBeforeTraining: boolean;
}

type UiParam = keyof UiSettings;
const settingName = (spec: SettingSpec) => spec.key.slice(SETTINGS_SECTION.length + 1);

/** A setting's value if the schema accepts it, else its default (VS Code only warns about a bad value in settings.json). */
function uiValue<K extends UiParam>(c: vscode.WorkspaceConfiguration, spec: SettingSpec & { param: K }): UiSettings[K] {
  const v = c.get<unknown>(settingName(spec));
  if (v === undefined || v === null) return spec.default as UiSettings[K];
  const parsed = parseField(spec.param, String(v));
  return (parsed.error === undefined && typeof parsed.value === typeof spec.default ? parsed.value : spec.default) as UiSettings[K];
}

export function readUiSettings(): UiSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const out: Record<string, unknown> = {};
  for (const spec of settingSpecs()) {
    if (PARAMS[spec.param].group === 'ui') out[spec.param] = uiValue(c, spec as SettingSpec & { param: UiParam });
  }
  return out as unknown as UiSettings;
}

/**
 * The training parameters the settings ask for, validated by the schema. Throws an error naming
 * the setting (`latentLens.imageSize: image size 9 is not usable: …`) when one is invalid.
 */
export function readTrainSettings(): TrainRequest {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  try {
    return requestFromSettings((k) => c.get(k));
  } catch (e) {
    // Name the setting(s) at fault, one by one.
    const bad = settingSpecs().filter((spec) => PARAMS[spec.param].group !== 'ui').flatMap((spec) => {
      const v = c.get(settingName(spec));
      if (v === undefined || v === null) return [];
      try { parseTrainRequest({ [spec.param]: v }); return []; } catch (err) { return [`${spec.key} = ${JSON.stringify(v)}: ${(err as Error).message.replace(/^invalid train request: [\w.]+: /, '')}`]; }
    });
    throw new Error(`Latent Lens: fix the setting${bad.length > 1 ? 's' : ''} (Settings › Latent Lens): ${bad.length ? bad.join('; ') : (e as Error).message}`);
  }
}

/**
 * The folder runs are written to: `latentLens.runsDirectory`, relative to the first workspace
 * folder (or to the data folder's parent when no workspace is open), `~` expanded.
 */
export function runsRoot(settings: Pick<UiSettings, 'runsDirectory'> = readUiSettings(), dataFolder?: string): string {
  let dir = settings.runsDirectory.trim() || String(PARAMS.runsDirectory.default);
  if (dir === '~' || dir.startsWith('~/')) dir = path.join(os.homedir(), dir.slice(1));
  if (path.isAbsolute(dir)) return dir;
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
  const base = ws?.scheme === 'file' ? ws.fsPath : dataFolder ? path.dirname(dataFolder) : os.tmpdir();
  return path.join(base, dir);
}

/** The folders training may write into without asking: the workspace folders and the runs folder. */
export function knownRunRoots(): string[] {
  const ws = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  return [...ws, runsRoot()];
}

/** A new run folder name: `<data folder name>-<yyyymmdd-hhmmss>`. */
export function newRunName(dataFolder: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const base = path.basename(dataFolder).replace(/[^\w.-]+/g, '_') || 'run';
  return `${base}-${stamp}`;
}
