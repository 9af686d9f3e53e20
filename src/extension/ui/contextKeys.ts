/**
 * The context keys package.json's `when` clauses use, kept in step with the registry:
 * - latentLens.training  — some run's trainer is alive (Pause/Stop in the palette)
 * - latentLens.paused    — the active run is paused (Continue instead of Pause)
 * - latentLens.canTrain  — the workspace is trusted
 * - latentLens.canResume — a run of this session or an open panel's run can be resumed from its
 *                          last checkpoint (Resume Run from Last Checkpoint in the palette)
 */
import * as vscode from 'vscode';
import { disposeAll } from '../runs/emitter';
import type { RunRegistry } from '../runs/registry';
import type { Run } from '../runs/run';
import { readRunInfo } from '../../run/runDir';

export class ContextKeys implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private activeSubscription: vscode.Disposable | undefined;
  private readonly values = new Map<string, boolean>();
  private generation = 0;

  /** `panelRunDirs`: the run folders that have a panel open now. */
  constructor(private readonly registry: RunRegistry, private readonly panelRunDirs: () => string[]) {
    this.disposables.push(
      registry.onDidAdd(() => this.update()),
      registry.onDidEnd(() => this.update()),
      registry.onDidChangeActive((run) => this.followActive(run)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
    );
    this.followActive(registry.active);
  }

  /** The folders "Resume Run from Last Checkpoint" offers when called without one. */
  async resumableRunDirs(): Promise<string[]> {
    const dirs = new Set<string>([...this.registry.values()].map((r) => r.runDir));
    for (const d of this.panelRunDirs()) dirs.add(d);
    const idle = [...dirs].filter((d) => !this.registry.get(d)?.running);
    const infos = await Promise.all(idle.map((d) => readRunInfo(d)));
    return idle.filter((_, i) => infos[i].resumable);
  }

  /** Recompute every key (cheap: a few small files per known run). */
  update(): void {
    this.set('latentLens.canTrain', vscode.workspace.isTrusted);
    this.set('latentLens.training', this.registry.running.length > 0);
    this.set('latentLens.paused', this.registry.active?.running === true && this.registry.active.state.status === 'paused');
    const generation = ++this.generation;
    if (!vscode.workspace.isTrusted) { this.set('latentLens.canResume', false); return; }
    void this.resumableRunDirs().then((dirs) => { if (generation === this.generation) this.set('latentLens.canResume', dirs.length > 0); });
  }

  private followActive(run: Run | undefined): void {
    this.activeSubscription?.dispose();
    this.activeSubscription = run?.onDidChange((s) => this.set('latentLens.paused', run.running && s.status === 'paused'));
    this.update();
  }

  private set(key: string, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    this.activeSubscription?.dispose();
    disposeAll(this.disposables);
  }
}
