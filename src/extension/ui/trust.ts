/**
 * Workspace trust: training runs a program on files of the workspace with settings the workspace
 * may set, so in Restricted Mode the extension only shows runs.
 */
import * as vscode from 'vscode';

/** Whether the workspace is trusted; if not, says why `what` is unavailable and offers to manage trust. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`Latent Lens: to ${what}, trust this workspace (Restricted Mode only lets you view runs).`, 'Manage Workspace Trust')
    .then((a) => { if (a) void vscode.commands.executeCommand('workbench.trust.manage'); });
  return false;
}

/** The error train()/resume() throw in an untrusted workspace. */
export function untrustedError(): Error {
  return new Error('Latent Lens: training needs a trusted workspace');
}
