/**
 * The runs of this session: the latest Run of each run folder, and the active one (the run the
 * status bar shows and Pause/Continue/Stop act on without a choice). The status bar, the panels,
 * the output channel, the failure notifier and the context keys subscribe here.
 *
 * No `vscode` here (plain Node tests use it).
 */
import * as path from 'node:path';
import { Emitter, type Disposable } from './emitter';
import type { Run, RunExit } from './run';

export class RunRegistry implements Disposable {
  private readonly byDir = new Map<string, Run>();
  private readonly subscriptions = new Map<Run, Disposable>();
  private _active: Run | undefined;
  private readonly addEmitter = new Emitter<Run>();
  private readonly activeEmitter = new Emitter<Run | undefined>();
  private readonly endEmitter = new Emitter<{ run: Run; exit: RunExit }>();
  /** A run was added (it may replace an earlier Run of the same folder, e.g. when resumed). */
  readonly onDidAdd = this.addEmitter.event;
  /** The active run changed. */
  readonly onDidChangeActive = this.activeEmitter.event;
  /** A run's process ended. */
  readonly onDidEnd = this.endEmitter.event;

  /** The registry's key of a run folder. */
  static key(runDir: string): string {
    return path.resolve(runDir);
  }

  /** Track a run and make it the active one. */
  add(run: Run): void {
    const key = RunRegistry.key(run.runDir);
    const previous = this.byDir.get(key);
    if (previous && previous !== run) this.forget(previous);
    this.byDir.set(key, run);
    this.subscriptions.set(run, run.onDidExit((exit) => this.endEmitter.fire({ run, exit })));
    this.addEmitter.fire(run);
    this.setActive(run);
  }

  /** The latest Run of a run folder. */
  get(runDir: string): Run | undefined {
    return this.byDir.get(RunRegistry.key(runDir));
  }

  has(runDir: string): boolean {
    return this.byDir.has(RunRegistry.key(runDir));
  }

  values(): IterableIterator<Run> {
    return this.byDir.values();
  }

  get size(): number {
    return this.byDir.size;
  }

  get all(): Run[] {
    return [...this.byDir.values()];
  }

  /** The runs whose process is alive. */
  get running(): Run[] {
    return this.all.filter((r) => r.running);
  }

  get active(): Run | undefined {
    return this._active;
  }

  setActive(run: Run | undefined): void {
    if (run === this._active) return;
    this._active = run;
    this.activeEmitter.fire(run);
  }

  /** Ask every live trainer to write a final checkpoint and exit. */
  async stopAll(graceMs: number): Promise<void> {
    await Promise.all(this.running.map((r) => r.stop(graceMs)));
  }

  private forget(run: Run): void {
    this.subscriptions.get(run)?.dispose();
    this.subscriptions.delete(run);
    if (this._active === run) this._active = undefined;
  }

  dispose(): void {
    for (const d of this.subscriptions.values()) d.dispose();
    this.subscriptions.clear();
    // byDir stays: deactivate() may still stop the runs after the subscriptions were disposed.
    for (const e of [this.addEmitter, this.activeEmitter, this.endEmitter]) e.dispose();
  }
}
