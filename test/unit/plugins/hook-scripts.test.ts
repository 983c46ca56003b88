import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../../core/exec/index.js';
import { buildNoded } from '../../../core/daemons/noded.js';
import { callTableFor } from '../../../core/rpc/plugin-calls.js';
import { memoryLogger } from '../../../core/log.js';
import { GanetiError } from '../../../core/errors/index.js';
import hookScripts from '../../../plugins/hook-scripts/index.js';
import { HKR_FAIL, HKR_SKIP, HKR_SUCCESS, runHooks } from '../../../plugins/hook-scripts/run-parts.js';
import { hostWith } from '../../helpers/plugins.js';
import { removeDir, tempDir } from '../../helpers/tmp.js';

// The node side of hooks_runner: Ganeti's run-parts rules, environment and result entries.
let root: string;
let hooksDir: string;
const ctx = { run };

async function script(dir: string, name: string, body: string, mode = 0o755): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), `#!/bin/sh\n${body}\n`);
  await chmod(join(dir, name), mode);
}

before(async () => {
  root = await tempDir('gnt-hook-scripts-');
  hooksDir = join(root, 'etc/ganeti/hooks');
  const d = join(hooksDir, 'group-add-pre.d');
  await script(d, '10-env', 'tr "\\0" "\\n" < /proc/$$/environ | sort');
  await script(d, '05_first', 'echo out; echo err >&2');
  await script(d, '20-fail', 'echo "no, not today"; exit 3');
  await script(d, 'foo.sh', `touch ${root}/foo-ran; exit 1`);
  await script(d, '30-noexec', `touch ${root}/noexec-ran`, 0o644);
  await script(d, '.hidden', 'exit 1');
  await mkdir(join(d, '40-dir'));
  await script(d, 'Z-after', 'printf "caf\\303\\251\\tok"');
});
after(() => removeDir(root));

test('run-parts: sorted, only executable files with plain names run, others are skipped; output merged and escaped', async () => {
  const r = await runHooks(hooksDir, 'group-add', 'pre', { GANETI_GROUP_NAME: 'web', GANETI_HOOKS_PHASE: 'pre', FOO: 'leak', PATH: '/sbin:/bin:/usr/sbin:/usr/bin' }, ctx);
  assert.deepEqual(r.map(([s, code]) => [s, code]), [
    ['group-add-pre.d/05_first', HKR_SUCCESS],
    ['group-add-pre.d/10-env', HKR_SUCCESS],
    ['group-add-pre.d/20-fail', HKR_FAIL],
    ['group-add-pre.d/30-noexec', HKR_SKIP],
    ['group-add-pre.d/40-dir', HKR_SKIP],
    ['group-add-pre.d/Z-after', HKR_SUCCESS],
    ['group-add-pre.d/foo.sh', HKR_SKIP],
  ]);
  assert.equal(r[0]![2], 'out\\nerr');
  // the environment is exactly PATH and the GANETI_* variables
  assert.equal(r[1]![2], 'GANETI_GROUP_NAME=web\\nGANETI_HOOKS_PHASE=pre\\nPATH=/sbin:/bin:/usr/sbin:/usr/bin');
  assert.equal(r[2]![2], 'no, not today');
  assert.equal(r[3]![2], '');
  assert.equal(r[5]![2], 'caf\\xe9\\tok', 'non-ASCII and tabs escaped as Ganeti\'s SafeEncode does');
  assert.equal((await run(['test', '-e', join(root, 'foo-ran')])).exitCode, 1, 'foo.sh must not run');
  assert.equal((await run(['test', '-e', join(root, 'noexec-ran')])).exitCode, 1);
});

test('a missing hooks directory runs nothing; a hooks path that is not a plain name is refused', async () => {
  assert.deepEqual(await runHooks(hooksDir, 'group-remove', 'post', {}, ctx), []);
  await assert.rejects(runHooks(hooksDir, '../../x', 'pre', {}, ctx), (e: GanetiError) => e.code === 'GNT_HOOKS_PATH_INVALID' && e.ecode === 'wrong_input');
});

test('the plugin serves hooks_runner on noded with core\'s declaration (declared once)', async () => {
  const host = await hostWith(root, hookScripts);
  assert.equal(callTableFor(host).get('hooks_runner').owner, 'core');
  const app = await buildNoded({ paths: host.paths, host, log: memoryLogger(), nodeName: 'node1.example.org' });
  try {
    const res = await app.inject({ method: 'POST', url: '/hooks_runner', payload: JSON.stringify(['group-add', 'post', {}]), headers: { 'content-type': 'application/json' } });
    assert.deepEqual(JSON.parse(res.body), [true, []]);
    const bad = await app.inject({ method: 'POST', url: '/hooks_runner', payload: JSON.stringify(['group-add', 'during', {}]), headers: { 'content-type': 'application/json' } });
    const [ok, msg] = JSON.parse(bad.body) as [boolean, string];
    assert.equal(ok, false);
    assert.match(msg, /phase/);
    const pre = await app.inject({ method: 'POST', url: '/hooks_runner', payload: JSON.stringify(['group-add', 'pre', { GANETI_X: '1' }]), headers: { 'content-type': 'application/json' } });
    const [ok2, results] = JSON.parse(pre.body) as [boolean, [string, number, string][]];
    assert.equal(ok2, true);
    assert.deepEqual(results.map((x) => x[1]), [2, 2, 1, 0, 0, 2, 0]);
  } finally {
    await app.close();
  }
});
