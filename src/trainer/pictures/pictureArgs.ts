/**
 * The flags of the picture commands (recon, samples, traverse, interpolate), checked: a bad
 * value is a PictureInputError naming the flag and the value (exit code 1, as issue 15 asks;
 * an unknown flag is still a usage error, exit code 2, from cli.ts's strict parser).
 */

/** A value the user gave that cannot be used (exit code 1). */
export class PictureInputError extends Error {}

export interface PictureFlags {
  out?: string;
  n?: string;
  steps?: string;
  from?: string;
  to?: string;
  image?: string;
  temperature?: string;
  seed?: string;
  spherical?: boolean;
  /** A conditional model's label to decode with (issue 12). */
  label?: string;
  /** Print what was written as one JSON line (the grid's layout: where each tile is). */
  json?: boolean;
}

/** A whole number in [min, max]; `fallback` when absent. */
export function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const t = value.trim();
  if (!/^-?\d+$/.test(t) || Number(t) < min || Number(t) > max) {
    throw new PictureInputError(`--${flag} ${JSON.stringify(value)} is not valid: a whole number from ${min} to ${max}`);
  }
  return Number(t);
}

/** A finite number in (0, max]; `fallback` when absent. */
export function positiveNumber(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const v = Number(value.trim());
  if (!value.trim() || !Number.isFinite(v) || v <= 0 || v > max) {
    throw new PictureInputError(`--${flag} ${JSON.stringify(value)} is not valid: a number above 0, at most ${max}`);
  }
  return v;
}

/** --out, required, a .png file. */
export function pngOut(command: string, out: string | undefined): string {
  if (!out) throw new PictureInputError(`${command} needs --out <file.png>`);
  if (!/\.png$/i.test(out)) throw new PictureInputError(`--out ${JSON.stringify(out)} is not valid: ${command} writes a PNG file (name it *.png)`);
  return out;
}
