// The lint rules that hold DESIGN.md's "Target layout" (eslint.config.mjs) report what they
// should and nothing else: a forbidden import in each src/ folder is an error, an allowed one is
// not; zod only via src/protocol/zod.ts; max-lines 400 (real lines) for src/ and scripts/. And
// eslint.config.mjs's temporary PENDING_REFACTOR list only names files that still need it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..');
const configFile = path.join(root, 'eslint.config.mjs');
const eslint = new ESLint({ cwd: root, overrideConfigFile: configFile });

/** The rule ids (with their messages) ESLint reports for `code` as the file `file` (relative to the root). */
async function lint(file: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const messages = await lint(file, code);
  const unexpected = messages.filter((m) => m.ruleId !== 'no-restricted-imports' && m.ruleId !== '@typescript-eslint/no-unused-vars');
  assert.deepEqual(unexpected, [], `${file}: only the import rule should speak`);
  return messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** `code` as `file` must be reported by no-restricted-imports (with `messageLike` in its message, when given). */
async function forbidden(file: string, code: string, messageLike?: RegExp) {
  const found = await restrictedImports(file, code);
  assert.ok(found.length > 0, `${file}: \`${code}\` should be reported`);
  if (messageLike) assert.ok(found.some((m) => messageLike.test(m)), `${file}: \`${code}\` reported as ${JSON.stringify(found)}`);
}

async function allowed(file: string, code: string) {
  assert.deepEqual(await restrictedImports(file, code), [], `${file}: \`${code}\` should be allowed`);
}

const VSCODE = "import * as vscode from 'vscode';\nexport const x = vscode;\n";
const NODE_FS = "import fs from 'node:fs';\nexport const x = fs;\n";
const imp = (from: string) => `import * as m from '${from}';\nexport const x = m;\n`;

test('only src/extension imports vscode', async () => {
  await allowed('src/extension/x.ts', VSCODE);
  await allowed('src/extension/panel/deeper/x.ts', VSCODE);
  for (const folder of ['webview', 'protocol', 'model', 'analysis', 'trainer', 'run', 'backend']) {
    await forbidden(`src/${folder}/x.ts`, VSCODE, /only src\/extension/);
  }
  await forbidden('src/webview/views/x.ts', VSCODE);
  await forbidden('src/x.ts', VSCODE);
  // The Run model and its neighbours run in plain Node tests: no vscode there either.
  await forbidden('src/extension/runs/x.ts', VSCODE, /only src\/extension/);
  await allowed('src/extension/runs/x.ts', imp('../../protocol/trainerIpc'));
});

test('src/extension never imports src/trainer, src/backend or src/model (the extension bundle stays free of TensorFlow.js)', async () => {
  await forbidden('src/extension/x.ts', imp('../trainer/cli'), /src\/\{trainer,backend,model\}/);
  await forbidden('src/extension/x.ts', imp('../backend/backend'));
  await forbidden('src/extension/x.ts', imp('../model/vae'));
  await forbidden('src/extension/x.ts', "export { train } from '../trainer/train';\n");
  await forbidden('src/extension/runs/x.ts', imp('../../trainer/cli'));
  await forbidden('src/extension/runs/deeper/x.ts', imp('../../../model'));
  // Its own folders of the same names, and the shared contracts, are fine.
  await allowed('src/extension/runs/x.ts', imp('../model'));
  await allowed('src/extension/x.ts', imp('./trainer'));
  await allowed('src/extension/x.ts', imp('../protocol/config'));
  await allowed('src/extension/x.ts', imp('../run/runDir'));
  await allowed('src/extension/runs/x.ts', imp('../../webview/html'));
  await allowed('src/extension/x.ts', NODE_FS);
  // The trainer may use all of them.
  await allowed('src/trainer/x.ts', imp('../model/vae'));
  await allowed('src/trainer/x.ts', NODE_FS);
});

test('src/protocol, src/model and src/analysis import neither Node built-ins nor vscode', async () => {
  for (const folder of ['protocol', 'model', 'analysis']) {
    await forbidden(`src/${folder}/x.ts`, NODE_FS, /no Node built-ins/);
    await forbidden(`src/${folder}/deeper/x.ts`, NODE_FS);
    for (const bare of ['fs', 'path', 'child_process', 'worker_threads', 'os', 'crypto', 'zlib', 'util', 'events', 'fs/promises']) {
      await forbidden(`src/${folder}/x.ts`, imp(bare), /no Node built-ins/);
    }
    await forbidden(`src/${folder}/x.ts`, imp('node:fs/promises'));
    await forbidden(`src/${folder}/x.ts`, VSCODE);
    await allowed(`src/${folder}/x.ts`, imp('@tensorflow/tfjs'));
    await allowed(`src/${folder}/x.ts`, imp('../protocol/config'));
    // A package whose name merely starts like a built-in.
    await allowed(`src/${folder}/x.ts`, imp('events-lite'));
  }
});

test('src/webview imports no Node built-ins, no vscode, nothing from src/trainer, src/run, src/extension, src/backend', async () => {
  await forbidden('src/webview/x.ts', NODE_FS, /no Node built-ins/);
  await forbidden('src/webview/x.ts', imp('path'));
  await forbidden('src/webview/x.ts', VSCODE);
  for (const folder of ['trainer', 'run', 'extension', 'backend']) {
    await forbidden('src/webview/x.ts', imp(`../${folder}/x`), /src\/\{trainer,run,extension,backend\}/);
    await forbidden('src/webview/views/x.ts', imp(`../../${folder}/x`));
  }
  await allowed('src/webview/x.ts', imp('../protocol/panelIpc'));
  await allowed('src/webview/x.ts', imp('../analysis/projectionMath'));
  await allowed('src/webview/x.ts', imp('../model/vae'));
  await allowed('src/webview/x.ts', imp('d3'));
  await allowed('src/webview/views/x.ts', imp('../store'));
  await allowed('src/webview/views/x.ts', imp('./run'));
});

test('zod is imported only via src/protocol/zod.ts, in every folder and in the tests', async () => {
  const ZOD = "import { z } from 'zod';\nexport const s = z.string();\n";
  for (const file of ['src/extension/x.ts', 'src/webview/x.ts', 'src/protocol/x.ts', 'src/model/x.ts', 'src/analysis/x.ts', 'src/trainer/x.ts', 'src/run/x.ts', 'src/x.ts', 'test/unit/x.test.ts']) {
    await forbidden(file, ZOD, /src\/protocol\/zod/);
  }
  await allowed('src/protocol/zod.ts', ZOD);
  // zod.ts keeps src/protocol's other restrictions.
  await forbidden('src/protocol/zod.ts', NODE_FS);
  await allowed('src/webview/x.ts', imp('../protocol/zod'));
});

test('max-lines: 400 real lines (blank lines and comments count) in src/ and scripts/, except the generated kernels binary', async () => {
  const lines = (n: number, line: string) => Array.from({ length: n }, (_, i) => line.replaceAll('#', String(i))).join('\n') + '\n';
  const maxLines = async (file: string, code: string) => (await lint(file, code)).filter((m) => m.ruleId === 'max-lines');
  assert.equal((await maxLines('src/model/x.ts', lines(401, 'export const a# = #;'))).length, 1);
  assert.equal((await maxLines('src/model/x.ts', lines(400, 'export const a# = #;'))).length, 0);
  assert.equal((await maxLines('src/webview/views/x.ts', lines(401, '// comment #'))).length, 1);
  assert.equal((await maxLines('src/trainer/x.ts', 'export const a = 1;\n' + '\n'.repeat(400))).length, 1);
  assert.equal((await maxLines('scripts/vscode-test/x.mjs', lines(401, 'export const a# = #;'))).length, 1);
  assert.equal((await maxLines('scripts/vscode-test/ui/x.mjs', lines(400, 'export const a# = #;'))).length, 0);
  assert.equal((await maxLines('src/backend/wasm/kernels/lensKernelsBinary.ts', lines(401, 'export const a# = #;'))).length, 0);
});

test('PENDING_REFACTOR only names files that still break their rule (it must shrink to empty)', async () => {
  const { PENDING_REFACTOR } = await import(pathToFileURL(configFile).href) as { PENDING_REFACTOR: { file: string; rule: string }[] };
  for (const { file, rule } of PENDING_REFACTOR) {
    assert.ok(['boundaries', 'max-lines'].includes(rule), `${file}: unknown rule ${rule}`);
    const abs = path.join(root, file);
    assert.ok(fs.existsSync(abs), `PENDING_REFACTOR names ${file}, which is gone: remove the entry from eslint.config.mjs`);
    // The same text as a sibling file (same folder and depth, not exempt) must still be reported.
    const sibling = path.join(path.dirname(file), `pendingCheck${path.extname(file)}`);
    const ruleId = rule === 'boundaries' ? 'no-restricted-imports' : 'max-lines';
    const messages = await lint(sibling, fs.readFileSync(abs, 'utf8'));
    assert.ok(messages.some((m) => m.ruleId === ruleId), `${file} complies with ${rule} now: remove its PENDING_REFACTOR entry from eslint.config.mjs`);
    // And the file itself is exempt (so `npm run lint` passes meanwhile).
    assert.ok(!(await lint(file, fs.readFileSync(abs, 'utf8'))).some((m) => m.ruleId === ruleId), `${file} should be exempt from ${rule}`);
  }
});
