import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, chmodSync, realpathSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { run, check, runChecked, boundRunner, type RunResult } from '../../../core/exec/index.js';
import { GanetiError } from '../../../core/errors/index.js';

// ---------------------------------------------------------------------------------------------
// helpers

const tempDirs: string[] = [];
const strayPids = new Set<number>();

after(() => {
  for (const pid of strayPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gnt-exec-test-'));
  tempDirs.push(dir);
  return dir;
}

/** Writes an executable /bin/sh script and returns its path. */
function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * Whether `pid` is a live process. A zombie counts as dead: in containers whose PID 1 does not
 * reap orphans, a killed grandchild stays a zombie and `kill(pid, 0)` still succeeds.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ESRCH');
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) throw new Error('condition not met in time');
    await delay(10);
  }
}

function assertThrowsGanetiError(fn: () => unknown, code: string, ecode: string): GanetiError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof GanetiError, `expected a GanetiError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.ecode, ecode);
  return caught;
}

/** Prints out1, err1, out2 with pauses (so that the interleaving is deterministic), exits 3. */
const THREE_LINES = 'echo out1\nsleep 0.05\necho err1 >&2\nsleep 0.05\necho out2\nexit 3';

// ---------------------------------------------------------------------------------------------

describe('run: exit status', () => {
  test('true succeeds', async () => {
    const r = await run(['true']);
    assert.equal(r.ok, true);
    assert.equal(r.exitCode, 0);
    assert.equal(r.signal, null);
    assert.equal(r.timedOut, false);
    assert.equal(r.aborted, false);
    assert.equal(r.notFound, false);
    assert.equal(typeof r.pid, 'number');
    assert.equal(r.command, 'true');
    assert.deepEqual(r.argv, ['true']);
    assert.ok(r.durationMs >= 0);
    assert.equal(check(r), r);
    assert.equal((await runChecked(['true'])).ok, true);
  });

  test('false fails with exit code 1 and check throws GNT_EXEC_FAILED', async () => {
    const r = await run(['false']);
    assert.equal(r.ok, false);
    assert.equal(r.exitCode, 1);
    assert.equal(r.notFound, false);
    const err = assertThrowsGanetiError(() => check(r), 'GNT_EXEC_FAILED', 'environment_error');
    assert.match(err.message, /^command 'false' exited with code 1$/);
    await assert.rejects(runChecked(['false']), { code: 'GNT_EXEC_FAILED' });
  });

  test('a missing program is notFound and check throws GNT_EXEC_NOT_FOUND', async () => {
    const r = await run(['gnt-no-such-program-xyz', 'arg']);
    assert.equal(r.ok, false);
    assert.equal(r.notFound, true);
    assert.equal(r.exitCode, null);
    assert.equal(r.signal, null);
    assert.equal(r.pid, undefined);
    const err = assertThrowsGanetiError(() => check(r), 'GNT_EXEC_NOT_FOUND', 'environment_error');
    assert.match(err.message, /gnt-no-such-program-xyz/);
  });

  test('a program that is not executable is notFound (EACCES)', async () => {
    const dir = tempDir();
    const path = join(dir, 'not-executable');
    writeFileSync(path, '#!/bin/sh\nexit 0\n');
    chmodSync(path, 0o644);
    const r = await run([path]);
    // root may execute anything with an x bit; without any x bit even root gets EACCES
    assert.equal(r.notFound, true);
    assert.equal(r.exitCode, null);
  });

  test('a script writing to stdout and stderr and exiting 3', async () => {
    const dir = tempDir();
    const path = script(dir, 'three.sh', THREE_LINES);
    const r = await run([path]);
    assert.equal(r.exitCode, 3);
    assert.equal(r.ok, false);
    assert.equal(r.stdout, 'out1\nout2\n');
    assert.equal(r.stderr, 'err1\n');
    assert.equal(r.all, 'out1\nerr1\nout2\n');
    const err = assertThrowsGanetiError(() => check(r), 'GNT_EXEC_FAILED', 'environment_error');
    assert.equal(err.message, `command '${path}' exited with code 3; last output:\nout1\nerr1\nout2`);
  });

  test('the failure message quotes the last 20 lines only', async () => {
    const r = await run(['sh', '-c', 'i=1; while [ $i -le 30 ]; do echo "line $i"; i=$((i+1)); done; exit 2']);
    const err = assertThrowsGanetiError(() => check(r), 'GNT_EXEC_FAILED', 'environment_error');
    const expected = Array.from({ length: 20 }, (_, i) => `line ${i + 11}`).join('\n');
    assert.equal((err.args as { tail: string }).tail, expected);
    assert.ok(err.message.endsWith(`last output:\n${expected}`));
  });

  test('a child killed by a signal reports it', async () => {
    const r = await run(['sh', '-c', 'kill -KILL $$']);
    assert.equal(r.exitCode, null);
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.ok, false);
    const err = assertThrowsGanetiError(() => check(r), 'GNT_EXEC_FAILED', 'environment_error');
    assert.match(err.message, /was killed by SIGKILL/);
  });

  test('command is argv quoted for display', async () => {
    const r = await run(['echo', "it's", 'a b', '']);
    assert.equal(r.command, `echo 'it'\\''s' 'a b' ''`);
    assert.equal(r.stdout, "it's a b \n");
  });
});

describe('run: timeout and abort', () => {
  test('timeoutMs kills the child and settles promptly', async () => {
    const t0 = performance.now();
    const r = await run(['sleep', '30'], { timeoutMs: 200 });
    const elapsed = performance.now() - t0;
    assert.equal(r.timedOut, true);
    assert.equal(r.aborted, false);
    assert.equal(r.ok, false);
    assert.equal(r.exitCode, null);
    assert.equal(r.signal, 'SIGTERM');
    assert.ok(elapsed < 2500, `took ${elapsed} ms`);
    const err = assertThrowsGanetiError(() => check(r), 'GNT_EXEC_TIMEOUT', 'environment_error');
    assert.match(err.message, /timed out after 200 ms/);
  });

  test('aborting mid-run kills the child', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    const r = await run(['sleep', '30'], { signal: ac.signal });
    assert.ok(performance.now() - t0 < 2500);
    assert.equal(r.aborted, true);
    assert.equal(r.timedOut, false);
    assert.equal(r.ok, false);
    assert.equal(r.exitCode, null);
    assertThrowsGanetiError(() => check(r), 'GNT_EXEC_ABORTED', 'wrong_state');
  });

  test('an already aborted signal does not start the program', async () => {
    const r = await run(['true'], { signal: AbortSignal.abort() });
    assert.equal(r.aborted, true);
    assert.equal(r.pid, undefined);
    assert.equal(r.ok, false);
  });

  test('abort kills the whole process group, grandchildren included', async () => {
    const dir = tempDir();
    const pidFile = join(dir, 'grandchild.pid');
    const path = script(dir, 'spawner.sh', 'sleep 100 &\necho $! > "$1.tmp"\nmv "$1.tmp" "$1"\nwait');
    const ac = new AbortController();
    const pending = run([path, pidFile], { signal: ac.signal });
    await waitFor(() => existsSync(pidFile));
    const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
    strayPids.add(grandchild);
    assert.ok(grandchild > 0);
    assert.equal(isAlive(grandchild), true);
    ac.abort();
    const t0 = performance.now();
    const r = await pending;
    assert.ok(performance.now() - t0 < 1500);
    assert.equal(r.aborted, true);
    await waitFor(() => !isAlive(grandchild), 1000);
    assert.equal(isAlive(grandchild), false);
  });

  test('a group ignoring SIGTERM gets SIGKILL after killGraceMs', async () => {
    const dir = tempDir();
    const ready = join(dir, 'ready');
    const path = script(dir, 'stubborn.sh', `trap '' TERM\ntouch "$1"\nwhile :; do sleep 0.05; done`);
    const ac = new AbortController();
    const pending = run([path, ready], { signal: ac.signal, killGraceMs: 300 });
    await waitFor(() => existsSync(ready));
    ac.abort();
    const t0 = performance.now();
    const r = await pending;
    const elapsed = performance.now() - t0;
    assert.equal(r.aborted, true);
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(elapsed >= 250 && elapsed < 1500, `took ${elapsed} ms`);
  });
});

describe('run: environment, cwd, stdin', () => {
  const ALLOWED = new Set(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR']);
  const envNames = (r: RunResult) =>
    r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.slice(0, l.indexOf('=')));

  test('the child gets only the allow-list plus env', async () => {
    process.env['GNT_EXEC_TEST_SECRET'] = 's3cret';
    try {
      const r = await run(['env'], { env: { GNT_GIVEN: 'yes' } });
      assert.equal(r.ok, true);
      const names = envNames(r);
      for (const name of names) assert.ok(ALLOWED.has(name) || name === 'GNT_GIVEN', `unexpected variable ${name}`);
      assert.ok(r.stdout.split('\n').includes('GNT_GIVEN=yes'));
      if (process.env['PATH'] !== undefined) assert.ok(names.includes('PATH'));
      assert.ok(!names.includes('GNT_EXEC_TEST_SECRET'));

      const everything = await run(['env'], { inheritEnv: 'all' });
      assert.ok(everything.stdout.split('\n').includes('GNT_EXEC_TEST_SECRET=s3cret'));

      const chosen = await run(['env'], { inheritEnv: ['GNT_EXEC_TEST_SECRET'], env: { A: '1' } });
      assert.deepEqual(chosen.stdout.split('\n').filter((l) => l !== '').sort(), ['A=1', 'GNT_EXEC_TEST_SECRET=s3cret']);
    } finally {
      delete process.env['GNT_EXEC_TEST_SECRET'];
    }
  });

  test('env overrides inherited values', async () => {
    const r = await run(['env'], { env: { HOME: '/gnt-home' } });
    assert.ok(r.stdout.split('\n').includes('HOME=/gnt-home'));
  });

  test('cwd is honoured', async () => {
    const dir = tempDir();
    const r = await run(['sh', '-c', 'pwd -P'], { cwd: dir });
    assert.equal(r.stdout, `${realpathSync(dir)}\n`);
  });

  test('a missing cwd is a failure to start, not a missing program', async () => {
    const dir = tempDir();
    const r = await run(['true'], { cwd: join(dir, 'absent') });
    assert.equal(r.ok, false);
    assert.equal(r.notFound, false);
    assert.equal(r.pid, undefined);
    assert.match(r.stderr, /working directory/);
  });

  test('input is fed to stdin', async () => {
    const r = await run(['cat'], { input: 'hello\nworld' });
    assert.equal(r.stdout, 'hello\nworld');
    const bytes = await run(['cat'], { input: new TextEncoder().encode('bytes') });
    assert.equal(bytes.stdout, 'bytes');
  });

  test('stdin is /dev/null without input', async () => {
    const r = await run(['cat'], { timeoutMs: 2000 });
    assert.equal(r.ok, true);
    assert.equal(r.stdout, '');
  });
});

describe('run: output', () => {
  test('logFile gets stdout and stderr appended in arrival order', async () => {
    const dir = tempDir();
    const path = script(dir, 'three.sh', THREE_LINES);
    const logFile = join(dir, 'action.log');
    writeFileSync(logFile, 'previous\n');
    const r = await run([path], { logFile });
    assert.equal(r.exitCode, 3);
    assert.equal(readFileSync(logFile, 'utf8'), 'previous\nout1\nerr1\nout2\n');
  });

  test('an unopenable logFile: the program is not run, ok is false, stderr says why', async () => {
    const dir = tempDir();
    const marker = join(dir, 'ran');
    const r = await run(['touch', marker], { logFile: join(dir, 'no-such-dir', 'x.log') });
    assert.equal(r.ok, false);
    assert.equal(r.notFound, false);
    assert.equal(r.pid, undefined);
    assert.match(r.stderr, /cannot open log file/);
    assert.equal(existsSync(marker), false);
    const err = assertThrowsGanetiError(() => check(r), 'GNT_EXEC_FAILED', 'environment_error');
    assert.match(err.message, /could not be started/);
  });

  test('maxBuffer keeps the tail of stdout, stderr and all', async () => {
    const full = Array.from({ length: 100 }, (_, i) => `line${i}\n`).join('');
    const loop = 'i=0; while [ $i -lt 100 ]; do echo line$i; i=$((i+1)); done';
    const r = await run(['sh', '-c', `${loop}; sleep 0.05; ${loop} >&2`], { maxBuffer: 20 });
    assert.equal(r.ok, true);
    assert.equal(r.stdout, full.slice(-20));
    assert.equal(r.stderr, full.slice(-20));
    assert.equal(r.all, full.slice(-20));
  });

  test('maxBuffer never cuts a character in half', async () => {
    const r = await run(['sh', '-c', 'printf "\\303\\251\\303\\251\\303\\251"'], { maxBuffer: 3 });
    assert.equal(r.stdout, 'é');
  });
});

describe('boundRunner', () => {
  test('aborting the bound signal kills the command; defaults and call options combine', async () => {
    const ac = new AbortController();
    const runner = boundRunner(ac.signal, { env: { FROM_DEFAULTS: 'd' }, inheritEnv: [] });
    const env = await runner(['env'], { env: { FROM_CALL: 'c' } });
    assert.deepEqual(env.stdout.split('\n').filter((l) => l !== '').sort(), ['FROM_CALL=c', 'FROM_DEFAULTS=d']);

    const pending = runner(['sleep', '30']);
    setTimeout(() => ac.abort(), 50);
    const r = await pending;
    assert.equal(r.aborted, true);
  });

  test("the call's own signal also aborts", async () => {
    const runner = boundRunner(new AbortController().signal);
    const own = new AbortController();
    setTimeout(() => own.abort(), 50);
    const r = await runner(['sleep', '30'], { signal: own.signal });
    assert.equal(r.aborted, true);
  });
});
