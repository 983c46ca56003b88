import { access } from 'node:fs/promises';
import type { GanetiPaths } from '../paths.js';
import { SECRET_FILE_MODE, writeHmacKey } from './secrets.js';
import { CERT_FILE_MODE, splitKeyAndCert, writeKeyAndCert, writeSecretFile, writeSelfSignedCert, writeSignedCert, type KeyType } from './x509.js';

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
  readonly keyType?: KeyType;
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
  const written: string[] = [];
  const newCluster = o.newClusterCert === true || !(await exists(paths.serverPem));
  if (newCluster) {
    await writeSelfSignedCert(paths.serverPem, { serial: 1, ...(o.keyType ? { keyType: o.keyType } : {}) });
    written.push(paths.serverPem);
  }
  if (newCluster || o.newClientCert === true || !(await exists(paths.clientPem))) {
    await writeNodeClientCert(paths, o.nodeName, o.keyType);
    written.push(paths.clientPem);
  }
  if (o.newHmacKey === true || !(await exists(paths.hmacKey))) {
    await writeHmacKey(paths.hmacKey);
    written.push(paths.hmacKey);
  }
  if (o.rapiCertPem !== undefined) {
    await writeKeyAndCert(paths.rapiPem, splitKeyAndCert(o.rapiCertPem, 'the given RAPI certificate'));
    written.push(paths.rapiPem);
  } else if (o.newRapiCert === true || !(await exists(paths.rapiPem))) {
    await writeSelfSignedCert(paths.rapiPem, { serial: 1, ...(o.keyType ? { keyType: o.keyType } : {}) });
    written.push(paths.rapiPem);
  }
  if (o.clusterDomainSecret !== undefined) {
    const s = o.clusterDomainSecret.endsWith('\n') ? o.clusterDomainSecret : `${o.clusterDomainSecret}\n`;
    await writeSecretFile(paths.clusterDomainSecret, s, SECRET_FILE_MODE, 'write the cluster domain secret');
    written.push(paths.clusterDomainSecret);
  } else if (o.newClusterDomainSecret === true || !(await exists(paths.clusterDomainSecret))) {
    await writeHmacKey(paths.clusterDomainSecret);
    written.push(paths.clusterDomainSecret);
  }
  return { written };
}

/**
 * (Re)creates a node's client certificate, `client.pem`, signed by the cluster certificate
 * `server.pem` found under the same root (Ganeti's GenerateNewClientSslCert; serial = now).
 */
export async function writeNodeClientCert(paths: GanetiPaths, nodeName: string, keyType?: KeyType): Promise<void> {
  await writeSignedCert(paths.clientPem, paths.serverPem, { commonName: nodeName, mode: CERT_FILE_MODE, ...(keyType ? { keyType } : {}) });
}
