import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnDetached } from '../../core/exec/index.js';
import { loadConfigFile } from '../../core/config/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { alive } from '../helpers/masterd.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';
import { until } from './support.js';

// A master killed (SIGKILL) while it writes and distributes the config, three times over:
// afterwards the master's config.data and every master candidate's copy load (no torn or
// half-written file), no candidate is ahead of the master, and the next writer carries on.
// No opcode writes the config yet, so the "master" is a child process driving
// ConfigStore.update with masterd's distribution (test/helpers/config-writer.ts).
// Nodes: master 127.0.5.30, candidates .31 and .32, a regular node .33.
let cluster: LoopbackCluster;
const WRITER = join(REPO_ROOT, 'dist/test/helpers/config-writer.js');

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-master-kill-',
    keyType: 'ec',
    nodes: [
      { name: 'node1.example.org', ip: '127.0.5.30' },
      { name: 'node2.example.org', ip: '127.0.5.31', candidate: true },
      { name: 'node3.example.org', ip: '127.0.5.32', candidate: true },
      { name: 'node4.example.org', ip: '127.0.5.33' },
    ],
  });
});

after(async () => {
  await cluster?.destroy();
});

const serialOf = (root: number) => (JSON.parse(readFileSync(cluster.paths[root]!.configData, 'utf8')) as { serial_no: number }).serial_no;
const lastSerial = (logFile: string) => Number(/serial (\d+)\n(?![\s\S]*serial)/.exec(readFileSync(logFile, 'utf8'))?.[1] ?? 0);

test('SIGKILL of the writing master leaves every candidate a config.data that loads', async () => {
  const master = cluster.paths[0]!;
  for (let round = 0; round < 3; round++) {
    const start = serialOf(0);
    const logFile = join(cluster.top, `writer-${round}.log`);
    const pid = await spawnDetached([process.execPath, WRITER, cluster.roots[0]!], { logFile, env: { PATH: process.env['PATH'] ?? '' } });
    try {
      // well into the loop, with candidates' copies moving too; then killed at an arbitrary moment
      await until('writes and their distribution', () => lastSerial(logFile) > start + 20 + 7 * round && serialOf(1) > start && serialOf(2) > start, 30_000);
      await new Promise((r) => setTimeout(r, 37 * round));
    } finally {
      process.kill(pid, 'SIGKILL');
    }
    await until('the writer to be gone', () => !alive(pid));

    const onMaster = await loadConfigFile(master.configData);
    const written = lastSerial(logFile);
    // the last write it reported is durable; at most the one in flight came after
    assert.ok(onMaster.data.serial_no >= written && onMaster.data.serial_no <= written + 1, `master at ${onMaster.data.serial_no}, writer reported ${written}`);
    for (const i of [1, 2]) {
      const copy = await loadConfigFile(cluster.paths[i]!.configData);
      assert.ok(copy.data.serial_no <= onMaster.data.serial_no, `candidate ${i} at ${copy.data.serial_no}, master at ${onMaster.data.serial_no}`);
      assert.ok(copy.data.serial_no > start, `candidate ${i} got no copy this round`);
      assert.equal(copy.data.cluster.tags.length, 400);
    }
    // the regular node only ever gets ssconf
    assert.equal(existsSync(cluster.paths[3]!.configData), false);
    // every write before the kill succeeded (each round took over the dead writer's lock)
    assert.ok(!readFileSync(logFile, 'utf8').includes('Error'), readFileSync(logFile, 'utf8'));
  }
});
