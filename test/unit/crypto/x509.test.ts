import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { X509Certificate, createHash } from 'node:crypto';
import { join } from 'node:path';
import { ganetiPaths, type GanetiPaths } from '../../../core/paths.js';
import { run } from '../../../core/exec/index.js';
import { GanetiError } from '../../../core/errors/index.js';
import {
  X509_CERT_CN,
  certificateDigest,
  certificateDigestOfPem,
  certificateInfo,
  generateClusterCrypto,
  normalizeDigest,
  pemBlocks,
  readKeyAndCert,
  splitKeyAndCert,
  verifyCertificate,
  writeNodeClientCert,
  writeSelfSignedCert,
} from '../../../core/crypto/index.js';
import { removeDir, tempDir } from '../../helpers/tmp.js';

const DIGEST = /^(?:[0-9A-F]{2}:){19}[0-9A-F]{2}$/;
const mode = async (file: string) => (await stat(file)).mode & 0o7777;

let dir: string;
let paths: GanetiPaths;

before(async () => {
  dir = await tempDir('gnt-crypto-');
  paths = ganetiPaths(join(dir, 'node1'));
  await generateClusterCrypto(paths, { nodeName: 'node1.example.com' });
});

after(() => removeDir(dir));

describe('cluster crypto (openssl CLI)', () => {
  test('writes every file with Ganeti\'s mode, and nothing else', async () => {
    assert.equal(await mode(paths.serverPem), 0o440);
    assert.equal(await mode(paths.clientPem), 0o440);
    assert.equal(await mode(paths.rapiPem), 0o440);
    assert.equal(await mode(paths.hmacKey), 0o400);
    assert.equal(await mode(paths.clusterDomainSecret), 0o400);
    // no key left behind in a work folder, no temp file
    assert.deepEqual((await readdir(paths.dataDir)).sort(), ['client.pem', 'cluster-domain-secret', 'hmac.key', 'rapi.pem', 'server.pem']);
  });

  test('hmac.key and the cluster domain secret are 40 hex characters and a newline', async () => {
    const hmac = await readFile(paths.hmacKey, 'utf8');
    const cds = await readFile(paths.clusterDomainSecret, 'utf8');
    assert.match(hmac, /^[0-9a-f]{40}\n$/);
    assert.match(cds, /^[0-9a-f]{40}\n$/);
    assert.notEqual(hmac, cds);
  });

  test('server.pem holds a key and a self-signed certificate that openssl verifies', async () => {
    const text = await readFile(paths.serverPem, 'utf8');
    assert.deepEqual(pemBlocks(text).map((b) => b.label), ['PRIVATE KEY', 'CERTIFICATE']);
    const r = await run(['openssl', 'verify', '-CAfile', paths.serverPem, paths.serverPem]);
    assert.equal(r.exitCode, 0, r.all);
    assert.match(r.stdout, /: OK$/m);
    const info = await certificateInfo(paths.serverPem);
    assert.equal(info.commonName, X509_CERT_CN);
    assert.equal(info.issuer, `CN=${X509_CERT_CN}`);
    assert.equal(info.serial, '01');
    const years = (info.notAfter.getTime() - info.notBefore.getTime()) / (365 * 86400_000);
    assert.ok(years > 4.9 && years < 5.1, `validity ${years} years`);
    // the key belongs to the certificate: openssl agrees on the public key
    const pubOfKey = await run(['openssl', 'pkey', '-pubout', '-in', paths.serverPem]);
    const pubOfCert = await run(['openssl', 'x509', '-noout', '-pubkey', '-in', paths.serverPem]);
    assert.equal(pubOfKey.stdout, pubOfCert.stdout);
    assert.match(pubOfKey.stdout, /BEGIN PUBLIC KEY/);
  });

  test('client.pem is signed by the cluster certificate (openssl verify) and names the node', async () => {
    const r = await run(['openssl', 'verify', '-CAfile', paths.serverPem, paths.clientPem]);
    assert.equal(r.exitCode, 0, r.all);
    await verifyCertificate(paths.clientPem, paths.serverPem);
    const info = await certificateInfo(paths.clientPem);
    assert.equal(info.commonName, 'node1.example.com');
    assert.equal(info.issuer, `CN=${X509_CERT_CN}`);
    // serial: the time of creation in seconds, as Ganeti
    assert.ok(Math.abs(Number.parseInt(info.serial, 16) - Date.now() / 1000) < 600, info.serial);
    const bits = await run(['openssl', 'x509', '-noout', '-text', '-in', paths.clientPem]);
    assert.match(bits.stdout, /Public-Key: \(2048 bit\)/);
    assert.match(bits.stdout, /sha256WithRSAEncryption/);
  });

  test('a certificate not signed by the cluster certificate is refused with a coded error', async () => {
    await assert.rejects(verifyCertificate(paths.rapiPem, paths.serverPem), (e: unknown) => {
      assert.ok(e instanceof GanetiError);
      assert.equal(e.code, 'GNT_CRYPTO_BAD_CERT');
      assert.match(e.message, /rapi\.pem.*not verified by .*server\.pem/);
      return true;
    });
  });

  test('the digest is SHA1 of the DER certificate in Ganeti\'s form (upper-case hex pairs, colons)', async () => {
    const digest = await certificateDigest(paths.clientPem);
    assert.match(digest, DIGEST);
    const { certPem } = await readKeyAndCert(paths.clientPem);
    const x509 = new X509Certificate(certPem);
    const sha1 = createHash('sha1').update(x509.raw).digest('hex').toUpperCase().match(/../g)!.join(':');
    assert.equal(digest, sha1);
    assert.equal(digest, x509.fingerprint); // what noded sees of a peer
    assert.equal(await certificateDigestOfPem(certPem), digest);
    assert.notEqual(await certificateDigest(paths.serverPem), digest);
  });

  test('normalizeDigest accepts openssl\'s, Node\'s and bare forms and refuses others', () => {
    const d = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01';
    assert.equal(normalizeDigest(`sha1 Fingerprint=${d.toLowerCase()}\n`), d);
    assert.equal(normalizeDigest(`SHA1 Fingerprint=${d}`), d);
    assert.equal(normalizeDigest(d.replace(/:/g, '')), d);
    assert.throws(() => normalizeDigest('AB:CD'), { code: 'GNT_CRYPTO_FAILED' });
  });

  test('existing files are kept; a new cluster certificate renews the client certificate too', async () => {
    const server = await certificateDigest(paths.serverPem);
    const client = await certificateDigest(paths.clientPem);
    const hmac = await readFile(paths.hmacKey, 'utf8');
    const again = await generateClusterCrypto(paths, { nodeName: 'node1.example.com' });
    assert.deepEqual(again.written, []);
    assert.equal(await certificateDigest(paths.serverPem), server);

    const other = ganetiPaths(join(dir, 'renew'));
    await generateClusterCrypto(other, { nodeName: 'n' });
    const before = { server: await certificateDigest(other.serverPem), client: await certificateDigest(other.clientPem) };
    const renewed = await generateClusterCrypto(other, { nodeName: 'n', newClusterCert: true });
    assert.deepEqual(renewed.written, [other.serverPem, other.clientPem]);
    assert.notEqual(await certificateDigest(other.serverPem), before.server);
    assert.notEqual(await certificateDigest(other.clientPem), before.client);
    await verifyCertificate(other.clientPem, other.serverPem);
    assert.equal(await readFile(paths.hmacKey, 'utf8'), hmac);
    assert.equal(client, await certificateDigest(paths.clientPem));
  });

  test('EC keys work as well', async () => {
    const ec = ganetiPaths(join(dir, 'ec'));
    await writeSelfSignedCert(ec.serverPem, { keyType: 'ec' });
    await writeNodeClientCert(ec, 'node-ec', 'ec');
    await verifyCertificate(ec.clientPem, ec.serverPem);
    const text = await run(['openssl', 'x509', '-noout', '-text', '-in', ec.clientPem]);
    assert.match(text.stdout, /id-ecPublicKey/);
    assert.match(text.stdout, /prime256v1|P-256/);
  });

  test('a PEM file without its key or certificate is refused', async () => {
    const { certPem, keyPem } = await readKeyAndCert(paths.serverPem);
    assert.throws(() => splitKeyAndCert(certPem, 'x.pem'), /x\.pem is not usable: it holds no PEM private key/);
    assert.throws(() => splitKeyAndCert(keyPem, 'y.pem'), /y\.pem is not usable: it holds no PEM certificate/);
    const broken = join(dir, 'broken.pem');
    await writeFile(broken, 'not a certificate\n');
    await assert.rejects(certificateDigest(broken), { code: 'GNT_CRYPTO_FAILED' });
    await assert.rejects(readKeyAndCert(join(dir, 'missing.pem')), { code: 'GNT_CRYPTO_BAD_CERT' });
  });
});
