import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../../core/exec/index.js';
import { REPO_ROOT, removeDir, tempDir, writeTree } from '../../helpers/tmp.js';

// The design's import rules are enforced by dependency-cruiser (`npm run lint`). This runs the
// project's own config over a small tree that breaks each rule once, and over one that keeps them.
let dir: string;
const depcruise = join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

before(async () => {
  dir = await tempDir('gnt-lint-');
  await copyFile(join(REPO_ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  await writeTree(dir, {
    'core/index.ts': "export * from './contracts/plugin.js';\n",
    'core/contracts/plugin.ts': 'export const PLUGIN_API_VERSION = 1;\n',
    'core/plugin-host/host.ts': "import { PLUGIN_API_VERSION } from '../contracts/plugin.js';\nexport const host = PLUGIN_API_VERSION;\n",
    'hypervisors/good/index.ts': "import { PLUGIN_API_VERSION } from '../../core/index.js';\nexport const v = PLUGIN_API_VERSION;\n",
    'hypervisors/bad/index.ts': "import { host } from '../../core/plugin-host/host.js';\nimport { v } from '../good/index.js';\nexport const x = host + v;\n",
    'core/uses-provider.ts': "import { v } from '../hypervisors/good/index.js';\nexport const y = v;\n",
    'core/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = () => b;\n",
    'core/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = () => a;\n",
  });
});
after(() => removeDir(dir));

const lint = (...paths: string[]) =>
  run(['node', depcruise, '--config', join(REPO_ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err', ...paths], { cwd: dir, timeoutMs: 60_000 });

test('the lint refuses each broken import rule, naming it', async () => {
  const r = await lint('core', 'hypervisors');
  assert.notEqual(r.exitCode, 0);
  assert.match(r.all, /provider-imports-core-internals: hypervisors\/bad\/index\.ts → core\/plugin-host\/host\.ts/);
  assert.match(r.all, /provider-imports-other-provider: hypervisors\/bad\/index\.ts → hypervisors\/good\/index\.ts/);
  assert.match(r.all, /core-imports-provider: core\/uses-provider\.ts → hypervisors\/good\/index\.ts/);
  assert.match(r.all, /no-circular: core\/cycle-a\.ts → /);
});

test('the lint passes a tree that keeps the rules', async () => {
  const r = await lint('core/index.ts', 'core/contracts', 'core/plugin-host', 'hypervisors/good');
  assert.equal(r.exitCode, 0, r.all);
});
