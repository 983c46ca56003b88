/**
 * The public API of ganeti-ts for plugins: `import { definePlugin, ... } from 'ganeti-ts'`.
 * Providers import only this module and core/contracts; nothing else of core is theirs.
 */
export * from './contracts/index.js';
export * from './errors/index.js';
export { run, check, runChecked, boundRunner } from './exec/index.js';
export type { RunOptions, RunResult, Runner } from './exec/types.js';
export { ganetiPaths, type GanetiPaths } from './paths.js';
export { createLogger, memoryLogger } from './log.js';
export { VERSION } from './version.js';
export { safeEncode } from './safe-encode.js';
export { builtinRpcCall } from './rpc/builtin-calls.js';
export { imageFiles, parseFileId, folderStorageUnits, fileImageStorage, FILE_DRIVERS, type ImageFiles, type FileDriver, type FileImageStorageOptions } from './storage/image-files.js';
export { hostNodeInfo, parseMeminfo } from './host-node-info.js';
export { isMountPoint, mountRoot, unmountRoot } from './container-root.js';
export { connectNics, disconnectNics } from './nic-connect.js';
export { linkInfo, nicCommand, fixMac, parseVlan, type LinkInfo } from './net-link.js';
export { pyStr, parseParametersList } from './script-text.js';
