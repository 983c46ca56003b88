import { access } from 'node:fs/promises';
import type { GanetiPaths } from '../paths.js';
import { SECRET_FILE_MODE, writeHmacKey } from './secrets.js';
import { CERT_FILE_MODE, generatePrivateKey, splitKeyAndCert, writeKeyAndCert, writeSecretFile, writeSelfSignedCert, writeSignedCert, type KeyType } from './x509.js';

const exists = (file: string) => access(file).then(() => true, () => false);

export interface ClusterCryptoOptions {
  /** Name of this node (the master at init): the CN of its client certificate. */
  readonly nodeName: string;
  /** Replace the cluster certificate even if server.pem exists (renew-crypto --new-cluster-certificate). */
  readonly newClusterCert?: boolean;
  /** Replace this node's client certificate (implied by a new cluster certificate). */
  readonly newClientCert?: boolean;
  readonly newRapiCert?: boolean;
  readonly newHmacKey?: boolean;
  readonly newClusterDomainSecret?: boolean;
  /** A given RAPI key + certificate (PEM) instead of a generated one. */
  readonly rapiCertPem?: string;
  /** A given cluster domain secret instead of a generated one. */
  readonly clusterDomainSecret?: string;
  /** Key type of server.pem and client.pem (default RSA). */
  readonly keyType?: KeyType;
  /** Key type of rapi.pem (default: `keyType`). */
  readonly rapiKeyType?: KeyType;
}

export interface ClusterCryptoResult {
  /** The files written, by path. */
  readonly written: readonly string[];
}

/**
 * Creates the cluster's key material under `paths` as Ganeti's GenerateClusterCrypto does:
 * missing files are always created, existing ones only when asked. server.pem (self-signed,
 * serial 1), client.pem (signed by server.pem, CN the node name; renewed with a new cluster
 * certificate), rapi.pem, hmac.key and cluster-domain-secret (40 hex + newline, 0400).
 */
export async function generateClusterCrypto(paths: GanetiPaths, o: ClusterCryptoOptions): Promise<ClusterCryptoResult> {
  const keyType = o.keyType ? { keyType: o.keyType } : {};
  const newCluster = o.newClusterCert === true || !(await exists(paths.serverPem));
  const newClient = newCluster || o.newClientCert === true || !(await exists(paths.clientPem));
  // Each file is independent but client.pem, which needs server.pem to sign it; its key is
  // made meanwhile. Key generation (RSA) is the slow part, so the openssl runs overlap.
  const clientKey = newClient ? generatePrivateKey(o.keyType) : undefined;
  clientKey?.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const server = newCluster ? writeSelfSignedCert(paths.serverPem, { serial: 1, ...keyType }).then(() => [paths.serverPem]) : none;
  const client = clientKey
    ? server.then(() => writeSignedCert(paths.clientPem, paths.serverPem, { commonName: o.nodeName, mode: CERT_FILE_MODE, keyPem: clientKey })).then(() => [paths.clientPem])
    : none;
  const hmac = (async () => {
    if (o.newHmacKey !== true && (await exists(paths.hmacKey))) return [];
    await writeHmacKey(paths.hmacKey);
    return [paths.hmacKey];
  })();
  const rapi = (async () => {
    if (o.rapiCertPem !== undefined) await writeKeyAndCert(paths.rapiPem, splitKeyAndCert(o.rapiCertPem, 'the given RAPI certificate'));
    else if (o.newRapiCert === true || !(await exists(paths.rapiPem))) {
      const rapiKeyType = o.rapiKeyType ?? o.keyType;
      await writeSelfSignedCert(paths.rapiPem, { serial: 1, ...(rapiKeyType ? { keyType: rapiKeyType } : {}) });
    }
    else return [];
    return [paths.rapiPem];
  })();
  const cds = (async () => {
    if (o.clusterDomainSecret !== undefined) {
      const text = o.clusterDomainSecret.endsWith('\n') ? o.clusterDomainSecret : `${o.clusterDomainSecret}\n`;
      await writeSecretFile(paths.clusterDomainSecret, text, SECRET_FILE_MODE, 'write the cluster domain secret');
    } else if (o.newClusterDomainSecret === true || !(await exists(paths.clusterDomainSecret))) await writeHmacKey(paths.clusterDomainSecret);
    else return [];
    return [paths.clusterDomainSecret];
  })();
  // allSettled first: no openssl run is left behind when another part fails
  const parts = await Promise.allSettled([server, client, hmac, rapi, cds]);
  const failed = parts.find((p): p is PromiseRejectedResult => p.status === 'rejected');
  if (failed) throw failed.reason;
  return { written: parts.flatMap((p) => (p.status === 'fulfilled' ? p.value : [])) };
}

const none: Promise<string[]> = Promise.resolve([]);

/**
 * (Re)creates a node's client certificate, `client.pem`, signed by the cluster certificate
 * `server.pem` found under the same root (Ganeti's GenerateNewClientSslCert; serial = now).
 */
export async function writeNodeClientCert(paths: GanetiPaths, nodeName: string, keyType?: KeyType): Promise<void> {
  await writeSignedCert(paths.clientPem, paths.serverPem, { commonName: nodeName, mode: CERT_FILE_MODE, ...(keyType ? { keyType } : {}) });
}
