/**
 * Restores the run panels VS Code had open before a window reload (registerWebviewPanelSerializer):
 * the webview saved its run folder in its state (see the shim in LatentPanel's html()).
 */
import * as vscode from 'vscode';
import { isRunFolder } from '../../run/runDir';
import { LatentPanel, type PanelHooks, type PanelState } from './latentPanel';

export class LatentPanelSerializer implements vscode.WebviewPanelSerializer<PanelState> {
  constructor(private readonly extensionUri: vscode.Uri, private readonly hooks: PanelHooks) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: PanelState | undefined): Promise<void> {
    const runDir = state?.latentLensRunDir;
    if (!runDir || !isRunFolder(runDir)) {
      // The run folder is gone (or the state is unknown): close instead of showing an empty panel.
      panel.dispose();
      return;
    }
    LatentPanel.revive(panel, this.extensionUri, runDir, this.hooks);
  }
}
