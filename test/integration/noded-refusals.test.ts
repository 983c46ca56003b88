import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type ConnectionOptions } from 'node:tls';
import { splitKeyAndCert, generateSelfSignedCert, generateSignedCert } from '../../core/crypto/x509.js';
import { startLoopbackCluster, NODED_PORT, type LoopbackCluster } from '../helpers/cluster.js';
import { until } from './support.js';

// What a node daemon (127.0.5.20) refuses, seen on the wire and in its log file: a client
// without a certificate or with one the cluster did not sign (closed right after the TLS
// handshake, before its request is read: no HTTP byte comes back), a cluster-signed
// certificate that is not a master candidate's (403), and a body that does not fit the
// procedure's schema (`[false, message]`).
const IP = '127.0.5.20';
/** The test's own source address, so the log lines name it. */
const CLIENT = '127.0.5.21';
let cluster: LoopbackCluster;
let ca: string;

interface Exchange {
  /** Everything the daemon sent after the handshake (the HTTP answer, if any). */
  bytes: string;
  /** The TLS or socket error, if the exchange ended with one (a refusal is a plain close). */
  error: string | null;
}

/** One raw HTTP/1.1 POST over TLS, as the master's client sends it. */
function exchange(tls: Pick<ConnectionOptions, 'cert' | 'key'>, path: string, body: string): Promise<Exchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | null = null;
    const options = { host: IP, port: NODED_PORT, localAddress: CLIENT, ca, checkServerIdentity: () => undefined, ...tls };
    const socket = connect(options as ConnectionOptions);
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('secureConnect', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${IP}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => resolve({ bytes: Buffer.concat(chunks).toString('utf8'), error }));
  });
}

const logText = () => readFileSync(cluster.nodedLog(0), 'utf8');
const logged = (re: RegExp) => until(`a log line matching ${re}`, () => re.test(logText()), 5000);

before(async () => {
  cluster = await startLoopbackCluster({ prefix: 'gnt-noded-refuse-', keyType: 'ec', nodes: [{ name: 'node1.example.org', ip: IP }] });
  ca = splitKeyAndCert(readFileSync(cluster.paths[0]!.serverPem, 'utf8')).certPem;
});

after(async () => {
  await cluster?.destroy();
});

test('the master candidate certificate gets an answer (the reference exchange)', async () => {
  const own = splitKeyAndCert(readFileSync(cluster.paths[0]!.clientPem, 'utf8'));
  const r = await exchange({ cert: own.certPem, key: own.keyPem }, '/version', '[]');
  assert.match(r.bytes, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(r.bytes, /\r\n\r\n\[true,\d+\]$/);
});

test('no client certificate: cut off after the handshake, no HTTP byte, logged', async () => {
  const r = await exchange({}, '/version', '[]');
  assert.equal(r.bytes, '');
  await logged(/WARN \[noded\] refused TLS connection from 127\.0\.5\.21: no client certificate$/m);
});

test('a self-signed certificate of another CA: cut off after the handshake, logged', async () => {
  const before = logText().split('\n').length;
  const other = await generateSelfSignedCert({ keyType: 'ec', commonName: 'intruder.example.org' });
  const r = await exchange({ cert: other.certPem, key: other.keyPem }, '/version', '[]');
  assert.equal(r.bytes, '');
  await until('a new refusal line', () => logText().split('\n').slice(before - 1).some((l) => /refused TLS connection from 127\.0\.5\.21: its certificate is not signed by the cluster certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)$/.test(l)), 5000);
});

test("a cluster-signed certificate that is not a master candidate's: 403, logged with its digest", async () => {
  const signed = await generateSignedCert(cluster.paths[0]!.serverPem, { keyType: 'ec', commonName: 'node9.example.org' });
  const r = await exchange({ cert: signed.certPem, key: signed.keyPem }, '/version', '[]');
  assert.match(r.bytes, /^HTTP\/1\.1 403 Forbidden\r\n/);
  assert.match(r.bytes, /<p>Message: Client certificate verification failed\./);
  await logged(/WARN \[noded\] refused request POST \/version from 127\.0\.5\.21: client certificate ([0-9A-F]{2}:){19}[0-9A-F]{2} is not a master candidate's/);
});

test("a body that does not fit the call's schema: [false, message], logged", async () => {
  const own = splitKeyAndCert(readFileSync(cluster.paths[0]!.clientPem, 'utf8'));
  const tls = { cert: own.certPem, key: own.keyPem };
  const bad = await exchange(tls, '/test_delay', '["soon"]');
  assert.match(bad.bytes, /^HTTP\/1\.1 200 OK\r\n/);
  const body = JSON.parse(bad.bytes.slice(bad.bytes.indexOf('\r\n\r\n') + 4)) as [boolean, string];
  assert.equal(body[0], false);
  assert.match(body[1], /argument 0 \(duration\) must be a number of seconds, got string "soon"/);
  await logged(/WARN \[noded\] refused RPC test_delay from 127\.0\.5\.21: .*argument 0 \(duration\)/);

  const notJson = await exchange(tls, '/test_delay', '{oops');
  assert.match(notJson.bytes, /\r\n\r\n\[false,".*not JSON/);
  await logged(/refused RPC test_delay from 127\.0\.5\.21: .*not JSON/);
  const extra = await exchange(tls, '/version', '[1]');
  assert.match(extra.bytes, /\r\n\r\n\[false,"[^"]*expects 0 arguments/);
});
