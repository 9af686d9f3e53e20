/** "VAE: Show Latent Space": the panel of the given run, else of the active run, else of any open panel, else Open Run…. */
import { LatentPanel } from '../panel/latentPanel';
import { argRunDir } from './args';
import { openRun } from './openRun';
import type { Services } from './services';

export async function showLatentSpace(s: Services, arg: unknown): Promise<LatentPanel | undefined> {
  const runDir = argRunDir(arg) ?? s.runs.active?.runDir ?? LatentPanel.all[0]?.runDir;
  if (!runDir) return openRun(s, undefined);
  return s.showPanel(runDir);
}
