/**
 * The grid of a sweep: `--grid beta=0.5,1,4 --grid latent-dim=8,16` → its axes and every
 * combination (the first axis varies slowest), each validated like the `latent-lens train` flag
 * it sets (the flag names, bounds and choices of src/protocol/config.ts). Pure: no I/O.
 */
import { paramSpec, TRAIN_PARAM_NAMES, type TrainParamName } from '../../protocol/config';
import { ConfigError, configFromRequest, parseFlag, requestFromFlags } from '../../protocol/trainRequest';

/** One `--grid` axis: a train flag and its values, as typed (validated). */
export interface GridAxis {
  flag: string;
  values: string[];
}

/** One run of the sweep. */
export interface Combination {
  index: number;
  /** Its folder inside the sweep folder: `000_beta=0.5_latent-dim=8`. */
  name: string;
  /** flag → value. */
  params: Record<string, string>;
  /** The same as train flags: `["--beta", "0.5", "--latent-dim", "8"]`. */
  args: string[];
}

/** Slurm's default MaxArraySize is 1001 (task ids 0–1000). */
export const MAX_COMBINATIONS = 1000;

/** Train flag → its parameter, for the flags a grid may vary. */
const FLAG_PARAMS: ReadonlyMap<string, TrainParamName> = new Map(
  TRAIN_PARAM_NAMES.filter((k) => paramSpec(k).flag).map((k) => [paramSpec(k).flag!, k]),
);

/** The flags a grid may vary, for error messages. */
export function gridKeys(): string[] {
  return [...FLAG_PARAMS.keys()];
}

/** One `--grid key=v1,v2,…` → an axis; throws a ConfigError naming the problem. */
export function parseGridAxis(spec: string): GridAxis {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--grid ${JSON.stringify(spec)}: expected KEY=V1,V2,… (e.g. beta=0.5,1,4)`);
  const flag = spec.slice(0, eq).trim().replace(/^--/, '');
  const param = FLAG_PARAMS.get(flag);
  if (!param) throw new ConfigError(`--grid: unknown key "${flag}"; valid keys (the train flags): ${gridKeys().join(', ')}`);
  const values = spec.slice(eq + 1).split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) throw new ConfigError(`--grid ${flag}: the list of values is empty (write e.g. ${flag}=${paramSpec(param).default === '' ? 'V1,V2' : `${String(paramSpec(param).default)},…`})`);
  const seen = new Set<string>();
  for (const v of values) {
    parseFlag(param, v); // throws `--beta "x" is not valid: a number ≥ 0`
    if (seen.has(v)) throw new ConfigError(`--grid ${flag}: the value ${v} is listed twice`);
    seen.add(v);
  }
  return { flag, values };
}

/** Every `--grid` of the command line → the axes; a key given twice is an error. */
export function parseGrid(specs: readonly string[]): GridAxis[] {
  if (specs.length === 0) throw new ConfigError(`sweep needs at least one --grid KEY=V1,V2,… (keys: ${gridKeys().join(', ')})`);
  const axes = specs.map(parseGridAxis);
  const flags = axes.map((a) => a.flag);
  const twice = flags.find((f, i) => flags.indexOf(f) !== i);
  if (twice) throw new ConfigError(`--grid ${twice} is given twice: list every value in one --grid ${twice}=…`);
  return axes;
}

/** A folder-name-safe rendering of a value (values are validated numbers, choices or NxM). */
const safe = (v: string) => v.replace(/[^\w.+-]+/g, '_');

/** The cartesian product of the axes, first axis slowest. */
export function combinations(axes: readonly GridAxis[]): Combination[] {
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_COMBINATIONS) throw new ConfigError(`the grid has ${total} combinations; at most ${MAX_COMBINATIONS} (Slurm's default MaxArraySize)`);
  const width = Math.max(3, String(total - 1).length);
  const out: Combination[] = [];
  for (let index = 0; index < total; index++) {
    let rest = index;
    const picked: [string, string][] = [];
    for (let a = axes.length - 1; a >= 0; a--) {
      const axis = axes[a];
      picked.unshift([axis.flag, axis.values[rest % axis.values.length]]);
      rest = Math.floor(rest / axis.values.length);
    }
    out.push({
      index,
      name: [String(index).padStart(width, '0'), ...picked.map(([f, v]) => `${f}=${safe(v)}`)].join('_'),
      params: Object.fromEntries(picked),
      args: picked.flatMap(([f, v]) => [`--${f}`, v]),
    });
  }
  return out;
}

/**
 * The train flags common to every run (the parsed flag values of the sweep command line), as
 * arguments, checked: none may also be a grid key, and every combination must make a valid
 * run configuration (e.g. an image size with a latent size). Throws a ConfigError.
 */
export function trainArgsFor(dataDir: string, values: Record<string, string | boolean | undefined>, axes: readonly GridAxis[], combos: readonly Combination[]): string[] {
  const args: string[] = [];
  for (const flag of FLAG_PARAMS.keys()) {
    const v = values[flag];
    if (typeof v !== 'string') continue;
    if (axes.some((a) => a.flag === flag)) throw new ConfigError(`--${flag} is both a train flag and a --grid key: give it once`);
    args.push(`--${flag}`, v);
  }
  const base = requestFromFlags(values);
  for (const c of combos) {
    try {
      configFromRequest(dataDir, requestFromFlags(c.params, base));
    } catch (e) {
      throw new ConfigError(`combination ${c.index} (${c.name}): ${(e as Error).message}`);
    }
  }
  return args;
}
