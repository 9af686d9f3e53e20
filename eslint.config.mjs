// ESLint flat config: typescript-eslint's recommended rules over src/, test/ and scripts/, plus
// the boundaries of DESIGN.md's "Target layout" as `no-restricted-imports` per folder and
// `max-lines` 400 (test/unit/lintBoundaries.test.ts proves each rule reports what it should).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// TEMPORARY (issue 9): files that break a rule below until the restructuring of src/ lands.
// Each entry lifts one rule ('boundaries' = the folder import rules, 'max-lines') for one file.
// This list must shrink to EMPTY: remove an entry as soon as its file complies (a unit test,
// test/unit/lintBoundaries.test.ts, fails on an entry whose file no longer needs it); never add one.
export const PENDING_REFACTOR = [
];

const MAX_LINES = ['error', { max: 400, skipBlankLines: false, skipComments: false }];
const NOT_MAX_LINES = ['src/backend/wasm/kernels/lensKernelsBinary.ts']; // generated (npm run build:kernels)

// ───────────── import boundaries ─────────────

/** Node's built-in modules by their bare names (fs, fs/promises, path, child_process, …). */
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('node:') && !m.startsWith('_'));
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Deepest nesting below a src/ folder the folder rules cover (`depth` = folders between the folder
 * and the file, so `../` × (depth + 1) leads back to src/; a relative import is matched as written). */
const MAX_DEPTH = 6;

/**
 * `no-restricted-imports` options for files `depth` folders below a src/ folder. Flat-config
 * options for one rule do not merge (a later object REPLACES them for the files it matches), so
 * every object states them all: zod only via src/protocol/zod.ts, plus the folder's own.
 * `except`: modules (paths below src/, no extension) of the forbidden folders that stay importable.
 * @param {{ zod?: boolean, vscode?: boolean, node?: boolean, folders?: string[], except?: string[], depth?: number }} r
 */
function restrict({ zod = true, vscode = false, node = false, folders = [], except = [], depth = 0 } = {}) {
  const paths = [];
  const patterns = [];
  // zod is configured (jitless) in src/protocol/zod.ts before any schema is built: import it from there.
  if (zod) paths.push({ name: 'zod', message: "import { z } from 'src/protocol/zod' (configured for the extension host and the webview CSP)" });
  if (vscode) paths.push({ name: 'vscode', message: 'only src/extension/ imports vscode (DESIGN.md, "Target layout")' });
  if (node) {
    patterns.push({ regex: '^node:', message: 'no Node built-ins in this folder: it also runs in the webview / a worker (DESIGN.md, "Target layout")' });
    patterns.push({ regex: `^(${NODE_BUILTINS.map(escapeRe).join('|')})(/.*)?$`, message: 'no Node built-ins in this folder: it also runs in the webview / a worker (DESIGN.md, "Target layout")' });
  }
  if (folders.length) {
    const names = `(${folders.join('|')})`;
    const allowed = except.length ? `(?!(${except.map(escapeRe).join('|')})$)` : '';
    const message = `this folder must not import src/{${folders.join(',')}}${except.length ? ` (except ${except.join(', ')})` : ''} (DESIGN.md, "Target layout")`;
    patterns.push({ regex: `^${escapeRe('../'.repeat(depth + 1))}${allowed}${names}(/|$)`, message });
    patterns.push({ regex: `(^|/)src/${allowed}${names}(/|$)`, message });
  }
  const options = {};
  if (paths.length) options.paths = paths;
  if (patterns.length) options.patterns = patterns;
  return ['error', options];
}

/** What each src/ folder may not import (files in src/ outside these folders: no vscode). */
const BOUNDARIES = {
  'src/extension': { folders: ['trainer', 'backend', 'model'] },
  'src/protocol': { vscode: true, node: true, folders: ['trainer', 'run', 'extension', 'backend', 'model', 'webview'] },
  'src/model': { vscode: true, node: true, folders: ['backend', 'trainer', 'run', 'extension'] },
  'src/analysis': { vscode: true, node: true, folders: ['trainer', 'run', 'extension', 'backend', 'webview'] },
  // The Run model, registry, trainer process and texts are tested in plain Node (test/unit/run*.test.ts).
  'src/extension/runs': { vscode: true, folders: ['trainer', 'backend', 'model'] },
  // The page's decoder registers the wasm inference kernels (a Conv2DTranspose 5× faster).
  'src/webview': { vscode: true, node: true, folders: ['trainer', 'run', 'extension', 'backend'], except: ['backend/wasm/inferenceKernels'] },
};

/** One config object per folder and depth, each with the complete options for its files. */
function boundaryConfigs() {
  const out = [{ files: ['src/**/*.ts'], rules: { 'no-restricted-imports': restrict({ vscode: true }) } }];
  for (const [folder, r] of Object.entries(BOUNDARIES)) {
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      // `depth` counts folders between src/<top folder> and the file (src/extension/runs/x.ts: 1).
      const below = folder.split('/').length - 2;
      out.push({ files: [`${folder}/${'*/'.repeat(depth)}*.ts`], rules: { 'no-restricted-imports': restrict({ vscode: false, ...r, depth: depth + below }) } });
    }
  }
  // zod.ts is where zod is imported (and it keeps src/protocol's other restrictions).
  out.push({ files: ['src/protocol/zod.ts'], rules: { 'no-restricted-imports': restrict({ ...BOUNDARIES['src/protocol'], zod: false }) } });
  return out;
}

const pending = (rule) => PENDING_REFACTOR.filter((p) => p.rule === rule).map((p) => p.file);

// Globals of the plain-JavaScript scripts (Node; the browser's inside playwright's page.evaluate).
const SCRIPT_GLOBALS = Object.fromEntries([
  'process', 'console', 'fetch', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate',
  'URL', 'URLSearchParams', 'Buffer', 'performance', 'AbortController', 'TextEncoder', 'TextDecoder',
  'structuredClone', 'queueMicrotask', 'document', 'window', 'requestAnimationFrame', 'PointerEvent',
].map((g) => [g, 'readonly']));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tmp/**', 'test-results/**', 'test/vscode-server/node_modules/**', '**/*.js', '**/*.mjs', '!scripts/**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': restrict(),
    },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: SCRIPT_GLOBALS } },
  ...boundaryConfigs(),
  { files: ['src/**/*.ts', 'scripts/**/*.mjs'], ignores: NOT_MAX_LINES, rules: { 'max-lines': MAX_LINES } },
  // TEMPORARY: see PENDING_REFACTOR. A file pending on its boundaries keeps the zod rule.
  ...(pending('boundaries').length ? [{ files: pending('boundaries'), rules: { 'no-restricted-imports': restrict() } }] : []),
  ...(pending('max-lines').length ? [{ files: pending('max-lines'), rules: { 'max-lines': 'off' } }] : []),
);
