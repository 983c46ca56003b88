import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LuxiClient } from '../../core/luxi/client.js';
import { CONFIG_FIXTURE_30, startMasterd, type RunningMasterd } from '../helpers/masterd.js';
import { removeDir, tempDir } from '../helpers/tmp.js';
import { FINALIZED, jobFilesOnDisk, readLocksData, statusOf, until, untilStatus } from './support.js';

// The crash bullet: a master killed with SIGKILL while it takes and runs a thousand
// jobs loses none of the jobs it acknowledged, fails the ones it was running (their process
// is gone), runs the queued ones, holds no lock of the dead process, and its config loads.

const JOBS = 1000;
const BATCH = 50;
/** Batches acknowledged before the kill; the next one is in flight when the master dies. */
const BEFORE_KILL = 12;

/** OP_TEST_DELAY jobs of 0.01–0.05 s (spread deterministically), one opcode each. */
function batch(n: number): unknown[][] {
  return Array.from({ length: BATCH }, (_, i) => [{ OP_ID: 'OP_TEST_DELAY', duration: 0.01 + (((n * BATCH + i) * 7) % 41) / 1000 }]);
}

/** The last recovery line the master logged: `job queue: N job(s) on disk, R re-queued, L lost; F dead lock owner(s) freed`. */
function recoveryLine(log: string): { jobs: number; requeued: number; lost: number; freed: number } {
  const all = [...log.matchAll(/job queue: (\d+) job\(s\) on disk, (\d+) re-queued, (\d+) lost; (\d+) dead lock owner\(s\) freed/g)];
  const m = all.at(-1);
  assert.ok(m, `the master logs what recovery found:\n${log}`);
  return { jobs: Number(m[1]), requeued: Number(m[2]), lost: Number(m[3]), freed: Number(m[4]) };
}

describe('masterd killed with SIGKILL in the middle of 1,000 jobs', () => {
  let root: string;
  let m: RunningMasterd;
  let client: LuxiClient | undefined;

  before(async () => {
    root = await tempDir('gnt-masterd-crash-');
    m = await startMasterd(root, { config: CONFIG_FIXTURE_30 });
  });
  after(async () => {
    client?.close();
    await m?.kill9();
    await removeDir(root);
  });

  test('acknowledged jobs survive, running ones fail as lost, queued ones run, no lock stays held', async (t) => {
    client = m.client();
    const ids: number[] = [];
    const collect = (results: unknown) => {
      for (const r of results as [boolean, number | string][]) {
        assert.equal(r[0], true, `every job of a batch is accepted: ${JSON.stringify(r)}`);
        ids.push(r[1] as number);
      }
    };

    let next = 0;
    for (; next < BEFORE_KILL; next++) collect(await client.call('SubmitManyJobs', [batch(next)]));
    // one more batch on its way, then the crash
    const inFlight = client.call('SubmitManyJobs', [batch(next)]).then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    await new Promise((r) => setTimeout(r, 5));
    await m.kill9();
    const outcome = await inFlight;
    if (outcome.ok) {
      collect(outcome.r);
      next++;
    } else {
      // the answer never came: as Ganeti's CLI says, the jobs may or may not exist; submit again
      assert.match(String(outcome.e), /connection closed|connection error/);
    }
    client.close();

    // what the next master will find: every acknowledged job is on disk
    const { jobs: onDisk, unreadable } = await jobFilesOnDisk(m.paths);
    for (const id of ids) assert.ok(onDisk.has(id), `acknowledged job ${id} is on disk, readable`);
    // a job file torn by the kill can only be one whose id was never handed out
    for (const id of unreadable) assert.ok(!ids.includes(id), `torn job file ${id} was never acknowledged`);
    const running = new Set<number>();
    const pending = new Set<number>();
    for (const [id, job] of onDisk) {
      const s = statusOf(job.ops.map((o) => o.status));
      if (s === 'running' || s === 'canceling') running.add(id);
      else if (s === 'queued' || s === 'waiting') pending.add(id);
      else assert.ok(FINALIZED.has(s), `job ${id}: ${s}`);
    }
    assert.ok(running.size > 0, 'the master died while running jobs');
    assert.ok(pending.size >= BATCH, `a good share was still queued (${pending.size})`);
    t.diagnostic(`at the kill: ${ids.length} acknowledged, in-flight batch ${outcome.ok ? 'answered' : 'unanswered'}; on disk ${onDisk.size} (${running.size} running, ${pending.size} queued), ${unreadable.length} torn`);
    const deadOwners = ((await readLocksData(m.paths)) as unknown[][])[0]!.length;

    await m.restart();
    client = m.client();
    const recovery = recoveryLine(m.log());
    for (const id of unreadable) assert.match(m.log(), new RegExp(`unreadable job file job-${id} moved to job-${id}\\.corrupt`));
    assert.deepEqual(recovery, { jobs: onDisk.size, requeued: pending.size, lost: running.size, freed: deadOwners });

    // right after the restart nothing is left running: the running jobs failed as lost
    const lostRows = (await client.call('QueryJobs', [[...running], ['id', 'status', 'opstatus', 'opresult']])) as unknown[][];
    for (const row of lostRows) {
      assert.ok(row, 'a lost job is still known');
      assert.equal(row[1], 'error', `job ${String(row[0])} that was running ends in error`);
      assert.deepEqual(row[2], ['error']);
      assert.match(JSON.stringify(row[3]), /GNT_JOB_LOST/);
    }

    // the rest of the thousand goes to the new master
    for (; next < JOBS / BATCH; next++) collect(await client.call('SubmitManyJobs', [batch(next)]));
    assert.equal(ids.length, JOBS);
    assert.equal(new Set(ids).size, JOBS, 'no id was handed out twice');

    await until('every job to be finalized', async () => {
      const all = (await client!.call('QueryJobs', [null, ['status']])) as [string][];
      return all.every(([s]) => FINALIZED.has(s)) ? true : undefined;
    }, 30_000, 100);

    const rows = (await client.call('QueryJobs', [ids, ['id', 'status', 'opresult']])) as (unknown[] | null)[];
    assert.equal(rows.length, JOBS);
    rows.forEach((row, i) => {
      assert.ok(row, `job ${ids[i]} exists`);
      assert.equal(row[0], ids[i]);
      if (running.has(ids[i]!)) assert.equal(row[1], 'error');
      else assert.equal(row[1], 'success', `job ${ids[i]} (${pending.has(ids[i]!) ? 'queued at the crash' : 'submitted'}) ran: ${JSON.stringify(row)}`);
    });
    // jobs of an unanswered batch that did reach the disk ran as well
    const all = (await client.call('QueryJobs', [null, ['id', 'status']])) as [number, string][];
    for (const [id, s] of all) if (!running.has(id)) assert.equal(s, 'success', `job ${id}`);

    // no lock is held once the queue settled, and a new job takes the BGL and reads the config
    await until('locks.data to list no owner', async () => JSON.stringify(await readLocksData(m.paths)) === '[[],[]]', 3000);
    const query = (await client.call('SubmitJob', [[{ OP_ID: 'OP_CLUSTER_QUERY' }]])) as number;
    assert.equal(await untilStatus(client, query), 'success');
    const [[result]] = (await client.call('QueryJobs', [[query], ['opresult']])) as [[Record<string, unknown>[]]];
    assert.equal(result[0]!['name'], 'cluster.example.org');
    const info = (await client.call('QueryClusterInfo', [])) as Record<string, unknown>;
    assert.equal(info['name'], 'cluster.example.org');
    assert.equal(info['master'], 'node1.example.org');
  });
});
