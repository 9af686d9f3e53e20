/**
 * "VAE: Train on Folder"'s confirmation: a quick pick of the key settings, each editable in an
 * input box, then Start. Its validation is one function, `validateWizardField`, to be replaced by
 * the field validator of the config schema (src/protocol/config.ts) once that lands.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Settings } from '../settings';
import type { TrainCommandArgs } from './launcher';

/** The settings the wizard shows. */
export type WizardField = 'imageSize' | 'latentDim' | 'epochs' | 'beta';
export type WizardValues = Record<WizardField, number | string>;

const FIELDS: { key: WizardField; label: string; hint: string }[] = [
  { key: 'imageSize', label: 'Image size', hint: 'pixels per side (N) or HxW; images are resized to it' },
  { key: 'latentDim', label: 'Latent dimensions', hint: 'size of z' },
  { key: 'epochs', label: 'Epochs', hint: 'passes over the data' },
  { key: 'beta', label: 'β', hint: 'weight of the KL term (β-VAE)' },
];

/** Why `raw` is not a valid value of the field, or undefined when it is. */
export function validateWizardField(key: WizardField, raw: string): string | undefined {
  const v = raw.trim();
  switch (key) {
    case 'imageSize': return /^\d+(x\d+)?$/i.test(v) ? undefined : 'N or HxW, e.g. 28 or 32x48';
    case 'latentDim': return /^\d+$/.test(v) && +v >= 1 && +v <= 512 ? undefined : 'a whole number from 1 to 512';
    case 'epochs': return /^\d+$/.test(v) && +v >= 1 ? undefined : 'a whole number ≥ 1';
    case 'beta': return v !== '' && Number.isFinite(+v) && +v >= 0 ? undefined : 'a number ≥ 0';
  }
}

/** The value to store for a valid input: "32x48" stays text, everything else is a number. */
export function parseWizardField(key: WizardField, raw: string): number | string {
  return key === 'imageSize' && /x/i.test(raw) ? raw.trim() : Number(raw);
}

/** Show the wizard; resolves with `args` plus the chosen values, or undefined when cancelled. */
export async function confirmTrainSettings(folder: string, s: Settings, args: TrainCommandArgs): Promise<TrainCommandArgs | undefined> {
  const values: WizardValues = {
    imageSize: args.imageSize ?? s.imageSize,
    latentDim: args.latentDim ?? s.latentDim,
    epochs: args.epochs ?? s.epochs,
    beta: args.beta ?? s.beta,
  };
  for (;;) {
    type Item = vscode.QuickPickItem & { key?: WizardField | 'start' };
    const items: Item[] = [
      { label: '$(play) Start training', description: path.basename(folder), key: 'start', alwaysShow: true },
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      ...FIELDS.map((f) => ({ label: `${f.label}: ${values[f.key]}`, description: f.hint, key: f.key })),
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: `VAE: Train on ${path.basename(folder)}`,
      placeHolder: 'Enter starts training; pick a setting to change it (defaults: Settings › Latent Lens)',
      ignoreFocusOut: true,
    });
    if (!pick) return undefined;
    if (pick.key === 'start') break;
    const field = FIELDS.find((f) => f.key === pick.key)!;
    const v = await vscode.window.showInputBox({
      title: field.label, prompt: field.hint, value: String(values[field.key]),
      validateInput: (raw) => validateWizardField(field.key, raw), ignoreFocusOut: true,
    });
    if (v === undefined) continue;
    values[field.key] = parseWizardField(field.key, v);
  }
  return { ...args, ...(values as Partial<TrainCommandArgs>) };
}
