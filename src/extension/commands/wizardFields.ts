/**
 * The fields of "Train on Folder"'s confirmation and their validation: the config schema's own
 * field parser (`parseField`), so the wizard, the CLI flags and the settings accept the same
 * values. No `vscode` here (plain Node tests use it).
 */
import { describeRange, paramSpec, type Arch } from '../../protocol/config';
import { parseField, type TrainRequest } from '../../protocol/trainRequest';

/** The settings the wizard shows. */
export type WizardField = 'imageSize' | 'latentDim' | 'epochs' | 'beta';
export type WizardValues = Record<WizardField, number | string>;

export const FIELDS: { key: WizardField; label: string }[] = [
  { key: 'imageSize', label: 'Image size' },
  { key: 'latentDim', label: 'Latent dimensions' },
  { key: 'epochs', label: 'Epochs' },
  { key: 'beta', label: 'β' },
];

/** The field's hint: the schema's description and its range. */
export function wizardHint(key: WizardField): string {
  return `${paramSpec(key).description} (${describeRange(key)})`;
}

/** Why `raw` is not a valid value of the field (the schema's message), or undefined when it is; the image size's rule is the arch's. */
export function validateWizardField(key: WizardField, raw: string, arch?: Arch): string | undefined {
  return parseField(key, raw, { arch }).error;
}

/** The value to store for a valid input: "32x48" stays text, everything else is a number. */
export function parseWizardField(key: WizardField, raw: string, arch?: Arch): number | string {
  const r = parseField(key, raw, { arch });
  if (r.error !== undefined) throw new Error(r.error);
  return r.value as number | string;
}

/** The values the wizard starts from: the command's arguments, else the settings, else the schema's defaults. */
export function wizardValues(settings: TrainRequest, args: TrainRequest): WizardValues {
  const pick = (k: WizardField) => (args[k] ?? settings[k] ?? paramSpec(k).default) as number | string;
  return { imageSize: pick('imageSize'), latentDim: pick('latentDim'), epochs: pick('epochs'), beta: pick('beta') };
}
