/**
 * The same image across runs. Runs trained on the same folder share dataset rows
 * (dataset.json `images[].path`, relative to the data folder): a point of one run links to the
 * point of another run with the same path. Runs trained on different folders (config `dataDir`)
 * link nothing — a shared relative path there is a different image. Pure, no DOM.
 */

export interface LinkableRun {
  /** Per point: path relative to the data folder (RunSnapshot.files). */
  files: readonly string[];
  /** The run's data folder (config.dataDir); undefined when unknown (links by path alone). */
  dataDir?: string;
}

export class PathLinks {
  private readonly byPath: Map<string, number>[];
  private readonly dataDirs: (string | undefined)[];

  constructor(runs: readonly LinkableRun[]) {
    this.byPath = runs.map((r) => {
      const m = new Map<string, number>();
      r.files.forEach((f, i) => { if (!m.has(f)) m.set(f, i); });
      return m;
    });
    this.dataDirs = runs.map((r) => r.dataDir);
  }

  get runCount(): number {
    return this.byPath.length;
  }

  /** True when runs `a` and `b` were trained on the same data folder (or one is unknown). */
  sameData(a: number, b: number): boolean {
    const da = this.dataDirs[a], db = this.dataDirs[b];
    return da === undefined || db === undefined || da === db;
  }

  /** The point of run `to` showing the image of point `point` of run `from`, or null. */
  link(from: number, point: number, to: number, files: readonly string[]): number | null {
    if (from === to) return point;
    if (!this.sameData(from, to)) return null;
    const path = files[point];
    return path === undefined ? null : this.byPath[to]?.get(path) ?? null;
  }

  /** For every run: the point showing the image of point `point` of run `from` (null where none). */
  linkAll(from: number, point: number, files: readonly string[]): (number | null)[] {
    return this.byPath.map((_, to) => this.link(from, point, to, files));
  }

  /** How many images runs `a` and `b` both show (0 for runs on different data). */
  shared(a: number, b: number): number {
    if (!this.sameData(a, b)) return 0;
    const [small, large] = this.byPath[a].size <= this.byPath[b].size ? [this.byPath[a], this.byPath[b]] : [this.byPath[b], this.byPath[a]];
    let n = 0;
    for (const k of small.keys()) if (large.has(k)) n++;
    return n;
  }
}
