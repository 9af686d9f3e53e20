/**
 * The TrainRequest of a "Train on Folder": the settings (already a TrainRequest), then the
 * command's own arguments on top, validated as one object by the schema. No `vscode` here.
 */
import { TRAIN_PARAM_NAMES } from '../../protocol/config';
import { parseTrainRequest, type TrainRequest } from '../../protocol/trainRequest';

/** Keys of `latentLens.trainOnFolder`'s argument that are not training parameters. */
export const COMMAND_KEYS = ['folder', 'runDir', 'confirm', 'showPanel', 'showProgress'] as const;

/**
 * `base` with every training parameter `args` gives (undefined = not given), validated. Throws an
 * Error naming an unknown key or every invalid value (`Latent Lens: cannot train: imageSize: …`).
 */
export function requestFromCommandArgs(args: object, base: TrainRequest = {}): TrainRequest {
  const out: Record<string, unknown> = { ...base };
  const params = new Set<string>(TRAIN_PARAM_NAMES);
  for (const [k, v] of Object.entries(args)) {
    if ((COMMAND_KEYS as readonly string[]).includes(k)) continue;
    if (!params.has(k)) throw new Error(`Latent Lens: cannot train: unknown option ${JSON.stringify(k)} (training options: ${TRAIN_PARAM_NAMES.join(', ')})`);
    if (v !== undefined) out[k] = v;
  }
  try {
    return parseTrainRequest(out);
  } catch (e) {
    throw new Error(`Latent Lens: cannot train: ${(e as Error).message.replace(/^invalid train request: /, '')}`);
  }
}
