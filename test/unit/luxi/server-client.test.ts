import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, createServer, type Socket } from 'node:net';
import { existsSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLuxiServer, type LuxiServer } from '../../../core/luxi/server.js';
import { LuxiClient, LUXI_VERSION } from '../../../core/luxi/client.js';
import { LuxiRemoteError, encodeLuxiError } from '../../../core/luxi/errors.js';
import type { LuxiHandlers } from '../../../core/luxi/methods.js';
import { GanetiError } from '../../../core/errors/index.js';
import { run } from '../../../core/exec/index.js';
import { memoryLogger } from '../../../core/log.js';
import { removeDir, tempDir } from '../../helpers/tmp.js';

let dir: string;
let socketPath: string;
let server: LuxiServer;
const aborted: string[] = [];
const log = memoryLogger();

const handlers: LuxiHandlers = {
  QueryClusterInfo: () => ({ name: 'cluster.example.com' }),
  QueryJobs: (args) => ({ echo: args }),
  // answers after `timeout` seconds, or when the connection goes away
  WaitForJobChange: async (args, ctx) => {
    const ms = (args[4] as number) * 1000;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(t);
        aborted.push(`job ${String(args[0])}`);
        resolve();
      });
    });
    return ctx.signal.aborted ? 'aborted' : [['running'], []];
  },
  CancelJob: (args) => {
    throw new GanetiError('GNT_JOB_NOT_FOUND', { job: String(args[0]) });
  },
  ArchiveJob: () => {
    throw new Error('disk on fire');
  },
  SubmitJob: () => {
    throw new GanetiError('GNT_JOB_QUEUE_DRAINED', {});
  },
  AutoArchiveJobs: () => undefined,
  ChangeJobPriority: (args, ctx) => [true, `${ctx.method} v${ctx.version} ${JSON.stringify(args)}`],
};

before(async () => {
  dir = await tempDir('gnt-luxi-');
  socketPath = join(dir, 'run', 'socket', 'ganeti-query');
  server = createLuxiServer(handlers, { socketPath, log });
  await server.listen();
});

after(async () => {
  await server.close();
  await removeDir(dir);
});

/** Sends raw bytes on a new connection and collects `count` answers (0x03-terminated). */
async function raw(bytes: Buffer | string, count: number, path = socketPath): Promise<{ answers: string[]; socket: Socket }> {
  const socket = createConnection(path);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const answers: string[] = [];
  let buf = '';
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let i;
      while ((i = buf.indexOf('\x03')) !== -1) {
        answers.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      if (answers.length >= count) resolve();
    });
    socket.on('close', () => (answers.length >= count ? resolve() : reject(new Error(`closed after ${answers.length} answers`))));
  });
  socket.write(bytes);
  await done;
  return { answers, socket };
}

const client = (opts: Partial<ConstructorParameters<typeof LuxiClient>[0]> = {}) => new LuxiClient({ socketPath, ...opts });

async function remoteError(p: Promise<unknown>): Promise<LuxiRemoteError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof LuxiRemoteError, `expected a LuxiRemoteError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('LUXI server on a unix socket', () => {
  test('the socket is 0600 in a 0700 folder', () => {
    assert.equal(statSync(socketPath).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'run', 'socket')).mode & 0o777, 0o700);
    assert.ok(statSync(socketPath).isSocket());
  });

  test('bytes on the wire: one request and its answer, exactly', async () => {
    const { answers, socket } = await raw('{"method":"QueryClusterInfo","args":[],"version":3010000}\x03', 1);
    socket.destroy();
    assert.deepEqual(answers, ['{"success":true,"result":{"name":"cluster.example.com"}}']);
  });

  test('bytes on the wire: what the client sends, and how it reads the answer', async () => {
    const path = join(dir, 'raw.sock');
    const seen: Buffer[] = [];
    const fake = createServer((s) => {
      s.on('data', (d) => {
        seen.push(d);
        if (d.includes(3)) s.write('{"success":true,"result":[[1,"success"]]}\x03');
      });
    });
    await new Promise<void>((resolve) => fake.listen(path, resolve));
    try {
      const c = new LuxiClient({ socketPath: path });
      assert.deepEqual(await c.queryJobs([1], ['id', 'status']), [[1, 'success']]);
      c.close();
      assert.equal(Buffer.concat(seen).toString('latin1'), `{"method":"QueryJobs","args":[[1],["id","status"]],"version":${LUXI_VERSION}}\x03`);
      assert.equal(LUXI_VERSION, 3010000);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  test('round trip through the client; job ids given as strings arrive as numbers', async () => {
    const c = client();
    assert.deepEqual(await c.queryClusterInfo(), { name: 'cluster.example.com' });
    assert.deepEqual(await c.call('QueryJobs', [['7', 8], ['id']]), { echo: [[7, 8], ['id']] });
    assert.deepEqual(await c.changeJobPriority(5, -10), [true, 'ChangeJobPriority v3010000 [5,-10]']);
    assert.equal(await c.call('AutoArchiveJobs', [-1, 89]), null, 'undefined results are sent as null');
    c.close();
  });

  test('malformed JSON gets a ProtocolError answer and the connection keeps serving', async () => {
    const { answers, socket } = await raw('{"method": "QueryJobs", args\x03{"method":"QueryClusterInfo","args":[]}\x03', 2);
    socket.destroy();
    const first = JSON.parse(answers[0]!) as { success: boolean; result: [string, [string]] };
    assert.equal(first.success, false);
    assert.equal(first.result[0], 'ProtocolError');
    assert.match(first.result[1][0], /^GNT_LUXI_PROTOCOL: LUXI protocol error: invalid request \(not JSON\): /);
    assert.deepEqual(JSON.parse(answers[1]!), { success: true, result: { name: 'cluster.example.com' } });
  });

  test('requests that are JSON but not requests are answered with what is missing', async () => {
    const { answers, socket } = await raw('[1,2]\x03{"args":[]}\x03{"method":"QueryJobs"}\x03{"method":"X","args":[],"version":"3"}\x03', 4);
    socket.destroy();
    const msgs = answers.map((a) => (JSON.parse(a) as { result: [string, [string]] }).result);
    assert.deepEqual(
      msgs.map(([cls, [m]]) => [cls, m.replace(/^GNT_LUXI_PROTOCOL: LUXI protocol error: /, '')]),
      [
        ['ProtocolError', 'invalid request (not a JSON object with method and args)'],
        ['ProtocolError', 'invalid request (no method name)'],
        ['ProtocolError', 'invalid request (no args for QueryJobs)'],
        ['ProtocolError', 'invalid request (version is not an integer)'],
      ],
    );
  });

  test('an unknown method, and a known one this server does not serve', async () => {
    const c = client();
    const e = await remoteError(c.call('FrobnicateJob', [1]));
    assert.equal(e.errorClass, 'OpPrereqError');
    assert.equal(e.ecode, 'wrong_input');
    assert.equal(e.remoteCode, 'GNT_LUXI_UNKNOWN_METHOD');
    assert.match(e.remoteMessage, /^GNT_LUXI_UNKNOWN_METHOD: LUXI method 'FrobnicateJob' does not exist \(known: SubmitJob, /);
    const e2 = await remoteError(c.call('QueryTags', ['cluster', '']));
    assert.equal(e2.toLine(), "GNT_LUXI_UNKNOWN_METHOD: LUXI method 'QueryTags' is not served by this daemon");
    // the same connection still works
    assert.deepEqual(await c.queryClusterInfo(), { name: 'cluster.example.com' });
    c.close();
  });

  test('wrong args are refused naming the argument, without calling the handler', async () => {
    const c = client();
    const cases: [string, unknown[], string][] = [
      ['WaitForJobChange', [1, ['status'], null, null], 'expects 5 arguments [job_id, fields, prev_job_info, prev_log_serial, timeout], got 4'],
      ['WaitForJobChange', ['x1', ['status'], null, null, 10], 'argument 0 (job_id) must be a job id (a non-negative integer, or a string of digits), got string "x1"'],
      ['WaitForJobChange', [1, 'status', null, null, 10], 'argument 1 (fields) must be a list of field names, got string "status"'],
      ['CancelJob', [1, 'yes'], 'argument 1 (kill) must be a boolean, got string "yes"'],
      ['ChangeJobPriority', [1, 42], 'argument 1 (priority) must be an integer from -20 (highest) to 19 (lowest), got number 42'],
      ['QueryClusterInfo', [1], 'expects 0 arguments [], got 1'],
      ['SubmitJob', [[{ duration: 1 }]], "argument 0 (ops), element 0: must have required property 'OP_ID'"],
    ];
    for (const [method, args, problem] of cases) {
      const e = await remoteError(c.call(method, args));
      assert.equal(e.errorClass, 'OpPrereqError', method);
      assert.deepEqual(e.errorArgs, [`GNT_LUXI_ARGS: invalid arguments for LUXI method ${method}: ${problem}`, 'wrong_input']);
    }
    const { answers, socket } = await raw('{"method":"ArchiveJob","args":{"job":1}}\x03', 1);
    socket.destroy();
    assert.deepEqual(JSON.parse(answers[0]!), {
      success: false,
      result: ['OpPrereqError', ['GNT_LUXI_ARGS: invalid arguments for LUXI method ArchiveJob: args must be a JSON array, got an object', 'wrong_input']],
    });
    c.close();
  });

  test("handlers' errors are encoded with Ganeti's classes", async () => {
    const c = client();
    const notFound = await remoteError(c.cancelJob(12));
    assert.deepEqual([notFound.errorClass, notFound.errorArgs], ['OpPrereqError', ['GNT_JOB_NOT_FOUND: job 12 not found', 'unknown_entity']]);
    assert.equal(notFound.code, 'GNT_LUXI_REMOTE');
    assert.equal(notFound.ecodeName, 'ECODE_NOENT');
    assert.equal(notFound.toLine(), 'GNT_JOB_NOT_FOUND: job 12 not found');
    const generic = await remoteError(c.archiveJob(1));
    assert.deepEqual([generic.errorClass, generic.errorArgs], ['GenericError', ['disk on fire']]);
    assert.equal(generic.ecode, null);
    assert.equal(generic.toLine(), 'GenericError: disk on fire');
    const drained = await remoteError(c.submitJob([{ OP_ID: 'OP_TEST_DELAY', duration: 0 }]));
    assert.deepEqual([drained.errorClass, drained.errorArgs], ['JobQueueDrainError', ['GNT_JOB_QUEUE_DRAINED: Job queue is drained, refusing job']]);
    assert.ok(log.lines.some((l) => l.startsWith('error: LUXI ArchiveJob failed: Error: disk on fire')));
    c.close();
  });

  test('encodeLuxiError: environment and internal errors are OpExecError', () => {
    assert.deepEqual(encodeLuxiError(new GanetiError('GNT_INTERNAL', { reason: 'x' })), ['OpExecError', ['GNT_INTERNAL: internal error: x']]);
    assert.deepEqual(encodeLuxiError(new GanetiError('GNT_QUERY_FILTER', { reason: 'bad' })), ['OpPrereqError', ['GNT_QUERY_FILTER: invalid query filter: bad', 'wrong_input']]);
    assert.deepEqual(encodeLuxiError('just a string'), ['GenericError', ['just a string']]);
  });

  test('one connection answers in order, one request at a time', async () => {
    const slow = '{"method":"WaitForJobChange","args":[1,["status"],null,null,0.1]}\x03';
    const fast = '{"method":"QueryJobs","args":[[2],["id"]]}\x03';
    const started = Date.now();
    const { answers, socket } = await raw(slow + fast + slow.replace('[1,', '[3,') + fast, 4);
    socket.destroy();
    assert.deepEqual(
      answers.map((a) => JSON.parse(a) as unknown),
      [
        { success: true, result: [['running'], []] },
        { success: true, result: { echo: [[2], ['id']] } },
        { success: true, result: [['running'], []] },
        { success: true, result: { echo: [[2], ['id']] } },
      ],
    );
    assert.ok(Date.now() - started >= 190, 'the two slow requests ran one after the other');
  });

  test('many connections are served at the same time', async () => {
    const clients = Array.from({ length: 10 }, () => client());
    const started = Date.now();
    const results = await Promise.all(clients.map((c, i) => c.waitForJobChange(i, ['status'], null, null, 0.2)));
    assert.ok(Date.now() - started < 1500, 'in parallel, not one after the other');
    assert.equal(results.length, 10);
    assert.equal(server.connections >= 10, true);
    for (const c of clients) c.close();
  });

  test('a client runs its calls one at a time over one connection, in order', async () => {
    const c = client();
    const order: number[] = [];
    await Promise.all([
      c.waitForJobChange(1, ['status'], null, null, 0.05).then(() => order.push(1)),
      c.queryJobs([2], ['id']).then(() => order.push(2)),
      c.waitForJobChange(3, ['status'], null, null, 0.02).then(() => order.push(3)),
      c.queryJobs([4], ['id']).then(() => order.push(4)),
    ]);
    assert.deepEqual(order, [1, 2, 3, 4]);
    assert.ok(c.connected);
    c.close();
    assert.ok(!c.connected);
  });

  test('an oversized request is answered with a ProtocolError and the connection closed; others go on', async () => {
    const small = createLuxiServer(handlers, { socketPath: join(dir, 'small.sock'), maxMessageBytes: 1024 });
    await small.listen();
    try {
      const { answers, socket } = await raw(Buffer.alloc(2000, 0x61), 1, small.socketPath);
      const [answer] = answers.map((a) => JSON.parse(a) as { success: boolean; result: [string, [string]] });
      assert.equal(answer!.success, false);
      assert.equal(answer!.result[0], 'ProtocolError');
      assert.match(answer!.result[1][0], /larger than 1024 bytes/);
      await new Promise((resolve) => (socket.closed ? resolve(null) : socket.once('close', resolve)));
      const c = new LuxiClient({ socketPath: small.socketPath });
      assert.deepEqual(await c.queryClusterInfo(), { name: 'cluster.example.com' });
      c.close();
    } finally {
      await small.close();
    }
  });

  test('inject answers a request without a socket', async () => {
    assert.deepEqual(await server.inject({ method: 'QueryClusterInfo', args: [] }), { success: true, result: { name: 'cluster.example.com' } });
    const bad = await server.inject('nope');
    assert.equal(bad.success, false);
    assert.equal((bad.result as [string])[0], 'ProtocolError');
  });
});

describe('LUXI server lifecycle', () => {
  test('a stale socket file is removed on listen; a live one or a plain file is refused', async () => {
    const path = join(dir, 'stale', 'sock');
    mkdirSync(join(dir, 'stale'));
    // a process that dies without closing its server leaves the socket file behind
    const r = await run([process.execPath, '-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(statSync(path).isSocket(), 'the stale socket file exists');
    const s = createLuxiServer(handlers, { socketPath: path });
    await s.listen();
    const c = new LuxiClient({ socketPath: path });
    assert.deepEqual(await c.queryClusterInfo(), { name: 'cluster.example.com' });
    c.close();

    const second = createLuxiServer(handlers, { socketPath: path });
    await assert.rejects(second.listen(), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_LUXI_LISTEN' && /another server is listening/.test(e.message));
    await s.close();
    assert.ok(!existsSync(path), 'close removes the socket');

    const file = join(dir, 'stale', 'file');
    writeFileSync(file, 'keep me');
    await assert.rejects(createLuxiServer(handlers, { socketPath: file }).listen(), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_LUXI_LISTEN' && /not a socket/.test(e.message));
    assert.ok(existsSync(file));
  });

  test('close() stops listening and ends open connections; pending handlers see the abort', async () => {
    const path = join(dir, 'closing.sock');
    const s = createLuxiServer(handlers, { socketPath: path });
    await s.listen();
    const c = new LuxiClient({ socketPath: path });
    const pending = assert.rejects(
      c.waitForJobChange(99, ['status'], null, null, 30),
      (e: unknown) => e instanceof GanetiError && e.code === 'GNT_LUXI_PROTOCOL' && /connection closed by the server while waiting for the answer to WaitForJobChange/.test(e.message),
    );
    await sleep(50);
    await s.close();
    await pending;
    assert.ok(aborted.includes('job 99'));
    assert.equal(s.connections, 0);
    await assert.rejects(c.queryClusterInfo(), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_LUXI_CONNECT');
  });
});

describe('LUXI client', () => {
  test('no server: GNT_LUXI_CONNECT at once', async () => {
    const c = new LuxiClient({ socketPath: join(dir, 'nobody-here') });
    const started = Date.now();
    await assert.rejects(c.queryClusterInfo(), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_LUXI_CONNECT' && /does not exist/.test(e.message));
    assert.ok(Date.now() - started < 1000);
  });

  test('waitForServer retries until the server comes up', async () => {
    const path = join(dir, 'late.sock');
    const c = new LuxiClient({ socketPath: path, waitForServer: true, connectTimeoutMs: 5000 });
    const s = createLuxiServer(handlers, { socketPath: path });
    setTimeout(() => void s.listen(), 300);
    assert.deepEqual(await c.queryClusterInfo(), { name: 'cluster.example.com' });
    c.close();
    await s.close();
  });

  test('the read timeout drops the connection; the next call reconnects', async () => {
    const c = client({ readTimeoutMs: 100 });
    await assert.rejects(c.waitForJobChange(5, ['status'], null, null, 2), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_LUXI_TIMEOUT' && /after 100 ms/.test(e.message));
    assert.ok(!c.connected);
    assert.deepEqual(await c.queryClusterInfo(), { name: 'cluster.example.com' });
    c.close();
  });

  test('bad answers are protocol errors: not JSON, wrong shape, other version, plain string errors', async () => {
    const path = join(dir, 'liar.sock');
    const answers = ['not json', '{"result":1}', '{"success":true,"result":1,"version":2}', '{"success":false,"result":"Failed to parse request: x"}'];
    const fake = createServer((s) => {
      s.on('data', () => s.write(`${answers.shift()}\x03`));
    });
    await new Promise<void>((resolve) => fake.listen(path, resolve));
    try {
      const c = new LuxiClient({ socketPath: path });
      const protocol = (re: RegExp) => (e: unknown) => e instanceof GanetiError && e.code === 'GNT_LUXI_PROTOCOL' && re.test(e.message);
      await assert.rejects(c.queryClusterInfo(), protocol(/not JSON/));
      await assert.rejects(c.queryClusterInfo(), protocol(/invalid answer to QueryClusterInfo/));
      await assert.rejects(c.queryClusterInfo(), protocol(/version mismatch: client 3010000, server 2/));
      const e = await remoteError(c.queryClusterInfo());
      assert.equal(e.errorClass, 'RequestError');
      assert.equal(e.remoteMessage, 'Failed to parse request: x');
      c.close();
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});
