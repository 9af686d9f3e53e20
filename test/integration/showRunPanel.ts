/**
 * Opens a run's panel ("latentLens.showLatentSpace") and waits until its page shows the run's
 * snapshot: the start of every integration test that works in the panel of an existing run.
 */
import * as vscode from 'vscode';
import type { LatentLensApi } from '../../src/extension/extension';
import type { LatentPanel } from '../../src/extension/panel/latentPanel';
import { askPage } from './askPage';
import { waitFor } from './waitFor';

export async function showRunPanel(api: LatentLensApi, runDir: string): Promise<LatentPanel> {
  await vscode.commands.executeCommand('latentLens.showLatentSpace', runDir);
  const lp = await waitFor('the run panel', () => api.panel(runDir), 60_000, 300);
  await waitFor('the webview to show its snapshot', async () => {
    const v = await askPage<{ ready: boolean; count: number }>(lp, 'view');
    return v && v.ready && v.count > 0;
  }, 90_000, 300);
  return lp;
}
