import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, spawnDetached } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';
import { alive } from '../helpers/masterd.js';

// `npm start` as a user runs it in a terminal: it initialises and starts a one-node cluster,
// prints what to try, stays in the foreground, and Ctrl-C stops the daemons it started.
const until = async (what: string, probe: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('npm start: first run initialises and starts the cluster, prints what to try; Ctrl-C stops every daemon it started', async () => {
  const root = await tempDir('gnt-npm-start-');
  const log = join(root, 'npm-start.log');
  const env = { GANETI_ROOT: join(root, 'var'), GANETI_HOSTNAME: 'demo.example.org', GANETI_NODE_IP: '127.0.4.41' };
  const pidOf = (daemon: string) => {
    const f = join(ganetiPaths(env.GANETI_ROOT).runDir, `${daemon}.pid`);
    return existsSync(f) ? Number(readFileSync(f, 'utf8')) : 0;
  };
  // its own session and process group, like a shell job: Ctrl-C is SIGINT to the whole group
  const npm = await spawnDetached(['npm', 'start', '--silent'], { logFile: log, cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? root, ...env } });
  let masterd = 0;
  let noded = 0;
  try {
    await until('npm start to print its hints', () => existsSync(log) && readFileSync(log, 'utf8').includes('Stop it with'));
    const out = readFileSync(log, 'utf8');
    assert.match(out, /Initialised cluster 'cluster\.ganeti-ts\.local' under .*\/var$/m);
    assert.match(out, /ganeti-noded started \(pid \d+\), HTTPS on 127\.0\.4\.41:1811/);
    assert.match(out, new RegExp(`^  export GANETI_ROOT=${env.GANETI_ROOT} GANETI_HOSTNAME=demo\\.example\\.org$`, 'm'));
    assert.match(out, /^  node dist\/cli\/gnt-cluster\.js info$/m);
    assert.match(out, /^Stop it with Ctrl-C \(or npm stop\)$/m);
    masterd = pidOf('ganeti-masterd');
    noded = pidOf('ganeti-noded');
    assert.ok(alive(masterd) && alive(noded));
    assert.ok(alive(npm), 'npm start stays in the foreground');
    const info = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-cluster.js'), 'info'], { env });
    assert.equal(info.exitCode, 0, info.all);
    assert.match(info.stdout, /^Enabled hypervisors: fake$/m);
    assert.match(info.stdout, /^ {2}enabled disk templates: file, diskless$/m);
    // the commands it suggests work: the demo has the noop OS
    const os = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-os.js'), 'list', '--no-headers'], { env });
    assert.equal(os.stdout, 'noop\n', os.all);

    process.kill(-npm, 'SIGINT');
    await until('npm start to exit', () => !alive(npm), 30_000);
    await until('the daemons to stop', () => !alive(masterd) && !alive(noded), 30_000);
    assert.match(readFileSync(log, 'utf8'), /interrupted: stopped ganeti-masterd \(pid \d+\)\ninterrupted: stopped ganeti-noded/);
  } finally {
    for (const pid of [npm, masterd, noded]) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    await removeDir(root);
  }
});
