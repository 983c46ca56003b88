/** The configuration: objects, schema, upgrade, the single-writer store and ssconf. */
export * from './objects.js';
export { configSchema, configProblem, objectProblem, type SchemaLevel } from './schema.js';
export {
  CONFIG_VERSION,
  OLDEST_CONFIG_VERSION,
  COMPAT_RELEASE_VERSION,
  buildVersion,
  splitVersion,
  formatVersion,
  isSupportedVersion,
  checkVersion,
  upgradeConfig,
  type UpgradeOptions,
  type UpgradeResult,
} from './upgrade.js';
export { ConfigSerializer } from './serialize.js';
export { nodeConfigFs, writeFileAtomic, sameFile, AtomicWriteError, type ConfigFs, type FileIdentity, type AtomicWriteOptions } from './fs.js';
export { acquireLock, isAlive, type AcquireResult, type AcquireOptions, type LockHolder } from './lock.js';
export type { ConfigTxn, TxnResult } from './txn.js';
export {
  ConfigStore,
  loadConfigFile,
  type ConfigStoreSnapshot,
  type ConfigStoreOptions,
  type UpdateResult,
  type WrittenListener,
  type LoadedConfig,
  type NewConfig,
} from './store.js';
export { niceSort, niceSortBy, niceCompare } from './nicesort.js';
export {
  SSCONF_KEYS,
  SSCONF_MAX_SIZE,
  computeSsconf,
  ssconfFileContent,
  writeSsconfFiles,
  type SsconfKey,
  type SsconfValues,
  type SsconfOptions,
  type WriteSsconfOptions,
  type WriteSsconfResult,
} from './ssconf.js';
