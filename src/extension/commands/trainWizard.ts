/**
 * "VAE: Train on Folder"'s confirmation: a quick pick of the key settings, each editable in an
 * input box, then Start. Every value is checked by the config schema's own field parser
 * (`parseField`, src/protocol/trainRequest.ts): the image size with the arch's rule (conv: the stage rule) and the
 * nearest valid sizes, strict decimal numbers (β "0x10" is refused), the bounds of each field
 * (./wizardFields.ts, no `vscode`).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { requestArch, type TrainRequest } from '../../protocol/trainRequest';
import type { TrainCommandArgs } from './launcher';
import { FIELDS, parseWizardField, validateWizardField, wizardHint, wizardValues, type WizardField } from './wizardFields';

/** Show the wizard; resolves with `args` plus the chosen values, or undefined when cancelled. */
export async function confirmTrainSettings(folder: string, settings: TrainRequest, args: TrainCommandArgs): Promise<TrainCommandArgs | undefined> {
  const values = wizardValues(settings, args);
  // The image size's rule is the arch's (conv: even sides; mlp: any size).
  const arch = requestArch({ ...settings, ...args });
  for (;;) {
    type Item = vscode.QuickPickItem & { key?: WizardField | 'start' };
    const items: Item[] = [
      { label: '$(play) Start training', description: path.basename(folder), key: 'start', alwaysShow: true },
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      ...FIELDS.map((f) => ({ label: `${f.label}: ${values[f.key]}`, description: wizardHint(f.key), key: f.key })),
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
      title: field.label, prompt: wizardHint(field.key), value: String(values[field.key]),
      validateInput: (raw) => validateWizardField(field.key, raw, arch), ignoreFocusOut: true,
    });
    if (v === undefined) continue;
    values[field.key] = parseWizardField(field.key, v, arch);
  }
  return { ...args, ...(values as Partial<TrainCommandArgs>) };
}
