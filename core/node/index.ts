import type { RpcHandler } from '../rpc/server.js';
import type { NodeEnv } from './context.js';
import { jobQueueHandlers } from './jobqueue.js';
import { miscHandlers, type MiscHandlerOptions } from './misc.js';
import { ssconfHandlers } from './ssconf.js';
import { roleHandlers } from './role.js';
import { uploadHandlers, type UploadHandlerOptions } from './upload.js';
import { masterRoleHandlers, type MasterRoleOptions } from './master-role.js';
import { commandHandlers } from './command.js';
import { blockdevHandlers } from './blockdev.js';
import { extstorageInstallHandlers } from './extstorage-install.js';
import { storageUnitHandlers } from './storage-units.js';
import { extStorageHandlers } from './extstorage.js';
import { osHandlers } from './os.js';
import { exportHandlers } from './export.js';
import { instanceHandlers } from './instance.js';
import { diskCopyHandlers } from './disk-copy.js';

/** Node-side handlers of the RPC procedures core implements, by family. */
export type BuiltinNodeHandlerOptions = MiscHandlerOptions & UploadHandlerOptions & MasterRoleOptions;

/** All of core's node handlers (hooks_runner is declared but left to the hook-scripts plugin). */
export function builtinNodeHandlers(env: NodeEnv, o: BuiltinNodeHandlerOptions = {}): Record<string, RpcHandler> {
  return {
    ...miscHandlers(env, o),
    ...ssconfHandlers(env),
    ...uploadHandlers(env, o),
    ...jobQueueHandlers(env),
    ...roleHandlers(env),
    ...masterRoleHandlers(env, o),
    ...commandHandlers(env),
    ...blockdevHandlers(env),
    ...extstorageInstallHandlers(env),
    ...storageUnitHandlers(env),
    ...extStorageHandlers(env),
    ...osHandlers(env),
    ...exportHandlers(env),
    ...instanceHandlers(env),
    ...diskCopyHandlers(env),
  };
}

export { providerContext, serializer, type NodeEnv } from './context.js';
export { miscHandlers, linuxNodeInfo, NV_VERSION, NV_PLUGINS, type MiscHandlerOptions, type NodeVerifyExtension, type PluginVersion } from './misc.js';
export { ssconfHandlers } from './ssconf.js';
export { roleHandlers, CRYPTO_TYPE_SSL_DIGEST, CRYPTO_ACTION_GET } from './role.js';
export { uploadHandlers, allowedUploadFiles, isCopyfileTarget, type UploadHandlerOptions } from './upload.js';
export { masterRoleHandlers, runningMasterd, type MasterRoleOptions } from './master-role.js';
export { commandHandlers } from './command.js';
export { blockdevHandlers } from './blockdev.js';
export { storageUnitHandlers, findStorageUnits } from './storage-units.js';
export { extStorageHandlers, type ExtDiagnoseEntry } from './extstorage.js';
export { osHandlers, splitOsName, type OsDiagnoseEntry } from './os.js';
export { masterDigest, requireMasterPeer } from './master-peer.js';
export { jobQueueHandlers, purgeQueue, JOB_QUEUE_FILES_PERMS, JOB_QUEUE_DIR_PERMS } from './jobqueue.js';
export { isBelowDir, writeFileSafely, cleanDirectory, ensureDir } from './files.js';
