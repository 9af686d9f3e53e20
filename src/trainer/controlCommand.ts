/**
 * `latent-lens set <runDir> --beta 4 --lr 3e-4 [--kl-warmup N] [--free-bits X]` and
 * `latent-lens control <runDir> pause|continue|step|stop`: live control of a run that a trainer
 * (this CLI elsewhere, or the extension) is training, through the run's control.jsonl
 * (src/run/control.ts). Every value is checked before anything is written (exit 2 naming it);
 * a run no trainer is training is refused (exit 1). Then it waits a few seconds for the
 * trainer's acknowledgement in heartbeat.json and prints it.
 */
import path from 'node:path';
import { CONTROL_ACTIONS, LIVE_PARAMS, type ControlAction, type LiveParam, type LiveValues } from '../protocol/runFormat';
import { ConfigError, parseFlag } from '../protocol/trainRequest';
import { paramSpec } from '../protocol/config';
import { appendControl, isRunFolder, readHeartbeat, readRunStatus, type ControlInput } from '../run/runDir';

export const CONTROL_USAGE = `  latent-lens set <runDir> [--beta B] [--lr LR] [--kl-warmup STEPS] [--free-bits NATS]   change a training run's values live
  latent-lens control <runDir> pause|continue|step|stop                                  pause, continue, one step, or stop it`;

const ACK_WAIT_MS = 10_000;

/** `--beta 4 --lr=3e-4` → validated values; throws a ConfigError naming the flag and value. */
export function parseSetArgs(args: string[]): LiveValues {
  const byFlag = new Map(LIVE_PARAMS.map((p) => [paramSpec(p).flag!, p] as [string, LiveParam]));
  const values: Partial<Record<LiveParam, number>> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(args[i]);
    if (!m) throw new ConfigError(`unexpected argument ${JSON.stringify(args[i])}: set takes one run directory and --flag value pairs`);
    const param = byFlag.get(m[1]);
    if (!param) throw new ConfigError(`--${m[1]} cannot be changed while a run trains: set takes ${[...byFlag.keys()].map((f) => `--${f}`).join(', ')}`);
    const text = m[2] ?? args[++i];
    if (text === undefined) throw new ConfigError(`--${m[1]} needs a value`);
    values[param] = parseFlag(param, text) as number;
  }
  if (Object.keys(values).length === 0) throw new ConfigError(`set needs at least one of ${[...byFlag.keys()].map((f) => `--${f}`).join(', ')}`);
  return values as LiveValues;
}

export async function controlMain(command: 'set' | 'control', args: string[]): Promise<number> {
  const [runArg, ...rest] = args;
  if (!runArg || runArg.startsWith('--')) throw new ConfigError(`${command} needs a run directory first\n${CONTROL_USAGE}`);
  let input: ControlInput;
  if (command === 'set') input = { kind: 'set', values: parseSetArgs(rest) };
  else {
    if (rest.length !== 1 || !(CONTROL_ACTIONS as readonly string[]).includes(rest[0])) {
      throw new ConfigError(`control needs one of ${CONTROL_ACTIONS.join(', ')} after the run directory${rest.length ? `, not ${JSON.stringify(rest.join(' '))}` : ''}`);
    }
    input = { kind: rest[0] as ControlAction };
  }
  const runDir = path.resolve(runArg);
  if (!isRunFolder(runDir)) throw new ConfigError(`${runDir} is not a run folder (it has no config.json)`);
  const status = await readRunStatus(runDir);
  if (status?.status !== 'training' && status?.status !== 'paused') {
    process.stderr.write(`latent-lens: ${runDir} is not being trained (status: ${status?.status ?? 'none'}); nothing was written. Resume it with: latent-lens resume ${runDir}\n`);
    return 1;
  }
  const request = await appendControl(runDir, input);
  const deadline = Date.now() + ACK_WAIT_MS;
  while (Date.now() < deadline) {
    const beat = await readHeartbeat(runDir).catch(() => undefined);
    if (beat?.lastControl?.id === request.id) {
      console.log(`${beat.lastControl.applied ? '' : 'refused: '}${beat.lastControl.message}`);
      return beat.lastControl.applied ? 0 : 1;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`written to ${runDir}'s control file; the trainer has not acknowledged it within ${ACK_WAIT_MS / 1000} s (it applies it at its next step)`);
  return 0;
}
