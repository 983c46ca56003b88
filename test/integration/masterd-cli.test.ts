import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { ganetiPaths } from '../../core/paths.js';
import type { LuxiClient } from '../../core/luxi/client.js';
import { CONFIG_FIXTURE_30, startMasterd, type RunningMasterd } from '../helpers/masterd.js';
import { removeDir, tempDir } from '../helpers/tmp.js';
import { gnt, submittedId, untilStatus, type CliResult } from './support.js';

// gnt-debug and gnt-job of this checkout against the real master daemon, as an administrator
// uses them. The cluster runs one job at a time (the fixture config with max_running_jobs 1,
// as `gnt-cluster modify --max-running-jobs 1` leaves it), so later jobs stay queued.

const job = (root: string, ...args: string[]) => gnt(root, 'gnt-job', ...args);
const debug = (root: string, ...args: string[]) => gnt(root, 'gnt-debug', ...args);
const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const ok = (r: CliResult, what: string) => assert.equal(r.code, 0, `${what}: ${JSON.stringify(r)}`);

/** `gnt-job list` rows as {id: [fields...]}, from the space-aligned output. */
function table(stdout: string): { header: string[]; rows: Map<number, string[]> } {
  const [head, ...body] = lines(stdout);
  const rows = new Map<number, string[]>();
  for (const l of body) {
    const cells = l.trim().split(/\s+/);
    rows.set(Number(cells[0]), cells.slice(1));
  }
  return { header: head!.trim().split(/\s+/), rows };
}

describe('gnt-job and gnt-debug against the real masterd', () => {
  let root: string;
  let m: RunningMasterd;
  let client: LuxiClient;

  before(async () => {
    root = await tempDir('gnt-masterd-cli-');
    const config = JSON.parse(await readFile(CONFIG_FIXTURE_30, 'utf8')) as { cluster: Record<string, unknown> };
    config.cluster['max_running_jobs'] = 1;
    const paths = ganetiPaths(root);
    await mkdir(paths.dataDir, { recursive: true });
    await writeFile(paths.configData, JSON.stringify(config), { mode: 0o640 });
    m = await startMasterd(root);
    client = m.client();
  });
  after(async () => {
    client?.close();
    await m?.stop();
    await removeDir(root);
  });

  test('the job lifecycle through the CLI', async () => {
    // gnt-debug delay waits for its job and says nothing when it went well
    const first = await debug(root, 'delay', '0.1');
    ok(first, 'gnt-debug delay 0.1');
    assert.equal(first.stdout, '');

    // --submit prints the job id and returns; with one job at a time the others queue up
    const a = submittedId(await debug(root, 'delay', '--submit', '5'));
    await untilStatus(client, a, ['running']);
    const b = submittedId(await debug(root, 'delay', '--submit', '0.1'));
    const d = submittedId(await debug(root, 'delay', '--submit', '0.1'));
    const c = submittedId(await debug(root, 'delay', '--submit', '-r', '2', '0.1'));
    assert.deepEqual([a, b, d, c], [2, 3, 4, 5]);

    // gnt-job list: ID, Status, Summary by default, aligned
    const list = await job(root, 'list');
    ok(list, 'gnt-job list');
    const t = table(list.stdout);
    assert.deepEqual(t.header, ['ID', 'Status', 'Summary']);
    assert.deepEqual(
      [...t.rows],
      [
        [1, ['success', 'TEST_DELAY(0.1)']],
        [a, ['running', 'TEST_DELAY(5.0)']],
        [b, ['queued', 'TEST_DELAY(0.1)']],
        [d, ['queued', 'TEST_DELAY(0.1)']],
        [c, ['queued', 'TEST_DELAY(0.1)']],
      ],
    );
    const plain = await job(root, 'list', '--no-headers', '--separator=:');
    ok(plain, 'gnt-job list --no-headers --separator=:');
    assert.equal(plain.stdout, `1:success:TEST_DELAY(0.1)\n${a}:running:TEST_DELAY(5.0)\n${b}:queued:TEST_DELAY(0.1)\n${d}:queued:TEST_DELAY(0.1)\n${c}:queued:TEST_DELAY(0.1)\n`);
    const prio = await job(root, 'list', '-o', 'id,status,priority');
    ok(prio, 'gnt-job list -o id,status,priority');
    const tp = table(prio.stdout);
    assert.deepEqual(tp.header, ['ID', 'Status', 'Priority']);
    assert.deepEqual(tp.rows.get(c), ['queued', '0']);
    assert.deepEqual(tp.rows.get(1), ['success', '19'], 'a finished job has the lowest priority (Ganeti\'s CalcPriority)');

    // change-priority: a queued job moves ahead of the one queued before it; a running one cannot
    const changed = await job(root, 'change-priority', '--priority', 'high', String(c));
    ok(changed, 'change-priority of a queued job');
    assert.match(changed.stdout, new RegExp(`job ${c}\\b.*-10`));
    assert.equal((await job(root, 'list', '--no-headers', '--separator=:', '-o', 'id,priority', String(c))).stdout, `${c}:-10\n`);
    const tooLate = await job(root, 'change-priority', '--priority', 'low', String(a));
    assert.equal(tooLate.code, 1, 'a running job keeps its priority');
    assert.match(tooLate.stdout, new RegExp(`Job ${a} is running`));

    // cancel: a queued job is canceled at once; a running one only with --kill --yes-do-it
    const canceled = await job(root, 'cancel', String(b));
    ok(canceled, 'cancel of a queued job');
    assert.match(canceled.stdout, new RegExp(`Job ${b} canceled`));
    assert.equal((await job(root, 'list', '--no-headers', '-o', 'status', String(b))).stdout, 'canceled\n');
    const notRunning = await job(root, 'cancel', String(a));
    assert.equal(notRunning.code, 1);
    assert.match(notRunning.stdout, /Job no longer waiting, can't cancel/);
    const unconfirmed = await job(root, 'cancel', '--kill', String(a));
    assert.notEqual(unconfirmed.code, 0);
    assert.match(unconfirmed.stderr, /--yes-do-it/);
    assert.equal((await job(root, 'list', '--no-headers', '-o', 'status', String(a))).stdout, 'running\n', 'nothing was killed without confirmation');
    const killed = await job(root, 'cancel', '--kill', '--yes-do-it', String(a));
    ok(killed, 'cancel --kill --yes-do-it of a running job');
    assert.equal(await untilStatus(client, a), 'canceled');

    // the high-priority job runs next; watch prints its log as it comes
    const watched = await job(root, 'watch', String(c));
    ok(watched, 'gnt-job watch');
    const out = lines(watched.stdout);
    assert.equal(out[0], `Output from job ${c} follows`);
    assert.equal(out[1], '-'.repeat(out[0]!.length));
    assert.deepEqual(
      out.slice(2).map((l) => l.replace(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} /, '')),
      ['Test delay iteration 1/3 starting', 'Test delay iteration 2/3 starting', 'Test delay iteration 3/3 starting'],
    );
    assert.equal(await untilStatus(client, d), 'success');
    const [rc, rd] = (await client.call('QueryJobs', [[c, d], ['start_ts']])) as [[number, number]][];
    assert.ok(rc![0]![0] + rc![0]![1] / 1e6 < rd![0]![0] + rd![0]![1] / 1e6, 'the job whose priority was raised started first');

    // info: Ganeti's layout, with the opcode's input and its log
    const info = await job(root, 'info', String(c));
    ok(info, 'gnt-job info');
    const il = lines(info.stdout);
    for (const want of [`- Job ID: ${c}`, '  Status: success', '    - Opcode: OP_TEST_DELAY', '      Status: success', '        duration: 0.1', '        repeat: 2'])
      assert.ok(il.includes(want), `gnt-job info shows ${JSON.stringify(want)}:\n${info.stdout}`);
    assert.match(info.stdout, /Test delay iteration 3\/3 starting/);

    // archive one job, then everything finished
    ok(await job(root, 'archive', String(b)), 'gnt-job archive');
    assert.doesNotMatch((await job(root, 'list', '--no-headers', '-o', 'id')).stdout, new RegExp(`^\\s*${b}$`, 'm'));
    const archivedInfo = await job(root, 'info', String(b));
    ok(archivedInfo, 'gnt-job info of an archived job');
    assert.ok(lines(archivedInfo.stdout).includes(`- Job ID: ${b}`) && lines(archivedInfo.stdout).includes('  Status: canceled'), archivedInfo.stdout);
    const missing = await job(root, 'archive', '9999');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Failed to archive job with ID '9999'/);

    const auto = await job(root, 'autoarchive', 'all');
    ok(auto, 'gnt-job autoarchive all');
    assert.equal(auto.stdout, 'Archived 4 jobs, 0 unchecked left\n');
    assert.equal((await job(root, 'list', '--no-headers')).stdout, '', 'no live job is left');

    // --archived: the archived jobs are listed too, marked as such
    const archived = await job(root, 'list', '--archived', '--no-headers', '--separator=:');
    ok(archived, 'gnt-job list --archived');
    assert.equal(
      archived.stdout,
      [`1:success:TEST_DELAY(0.1):Y`, `${a}:canceled:TEST_DELAY(5.0):Y`, `${b}:canceled:TEST_DELAY(0.1):Y`, `${d}:success:TEST_DELAY(0.1):Y`, `${c}:success:TEST_DELAY(0.1):Y`, ''].join('\n'),
    );
    const one = await job(root, 'info', '1');
    ok(one, 'gnt-job info of an auto-archived job');
    assert.ok(lines(one.stdout).includes('- Job ID: 1'), one.stdout);
  });
});
