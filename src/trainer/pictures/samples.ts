/**
 * The label a conditional model decodes with, for the picture commands (issue 12): `--label`
 * (one of the labels the model was trained with), else the image's own label where the
 * picture starts from a dataset image; an unconditional model takes no label.
 */
import type { ModelConfig } from '../../protocol/runFormat';
import { modelKind } from '../../protocol/config';
import { PictureInputError } from './pictureArgs';

/** The model's index of `label` (undefined for an unconditional model, or no label given when `required` is false); errors name the labels it knows. */
export function modelLabelIndex(model: ModelConfig, label: string | undefined, required = true): number | undefined {
  const known = model.labels ?? [];
  const list = known.map((l) => JSON.stringify(l)).join(', ');
  if (!model.conditional) {
    if (label !== undefined) throw new PictureInputError(`--label needs a conditional model; this run has a ${modelKind(model)}, whose decoder takes no label`);
    return undefined;
  }
  if (label === undefined) {
    if (!required) return undefined;
    throw new PictureInputError(`this run has a ${modelKind(model)}: give --label, one of ${list}`);
  }
  const i = known.indexOf(label);
  if (i < 0) throw new PictureInputError(`--label ${JSON.stringify(label)} is not one the model was trained with; its labels: ${list}`);
  return i;
}

/**
 * The label to decode a picture with: `--label`, else the image's own (`row`: its dataset row,
 * null for none), else an error saying `what` needs --label. Undefined for an unconditional model.
 */
export function pictureLabel(model: ModelConfig, rowLabels: Int32Array, label: string | undefined, row: number | null, what: string): number | undefined {
  const given = modelLabelIndex(model, label, false);
  if (!model.conditional || given !== undefined) return given;
  const own = row === null ? -1 : rowLabels[row] ?? -1;
  if (own >= 0) return own;
  const list = (model.labels ?? []).map((l) => JSON.stringify(l)).join(', ');
  throw new PictureInputError(`this run has a ${modelKind(model)}: ${what} needs --label, one of ${list}${row === null ? '' : ` (image ${row}'s own label is not one of them)`}`);
}
