/** Certificates, keys and secrets of a cluster, made with the `openssl` CLI (see x509.ts). */
export { openssl, OPENSSL_TIMEOUT_MS } from './openssl.js';
export {
  X509_CERT_CN,
  X509_CERT_DEFAULT_VALIDITY_DAYS,
  RSA_KEY_BITS,
  CERT_FILE_MODE,
  pemBlocks,
  splitKeyAndCert,
  readKeyAndCert,
  generatePrivateKey,
  generateSelfSignedCert,
  generateSignedCert,
  writeKeyAndCert,
  writeSecretFile,
  writeSelfSignedCert,
  writeSignedCert,
  normalizeDigest,
  isDigest,
  certificateDigest,
  certificateDigestOfPem,
  certificateInfo,
  verifyCertificate,
  type KeyType,
  type CertOptions,
  type KeyAndCert,
  type CertificateInfo,
} from './x509.js';
export { generateSecret, writeHmacKey, SECRET_FILE_MODE } from './secrets.js';
export { generateClusterCrypto, writeNodeClientCert, type ClusterCryptoOptions, type ClusterCryptoResult } from './cluster.js';
