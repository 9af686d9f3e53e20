/**
 * Restores the Compare Runs panels VS Code had open before a window reload: the page saved its
 * run folders in its state (the shim of compareHtml.ts). A panel whose runs are gone closes.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { ComparePanel, type ComparePanelState } from './comparePanel';
import type { PanelHooks } from './latentPanel';

export class ComparePanelSerializer implements vscode.WebviewPanelSerializer<ComparePanelState> {
  constructor(private readonly extensionUri: vscode.Uri, private readonly hooks: PanelHooks) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ComparePanelState | undefined): Promise<void> {
    const dirs = state?.latentLensCompareRunDirs;
    if (!Array.isArray(dirs) || dirs.length < 2 || !dirs.every((d) => typeof d === 'string' && existsSync(d))) {
      panel.dispose();
      return;
    }
    ComparePanel.revive(panel, this.extensionUri, dirs, this.hooks);
  }
}
