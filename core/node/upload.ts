import { dirname, join } from 'node:path';
import { GanetiError, describeError } from '../errors/index.js';
import type { GanetiPaths } from '../paths.js';
import { decompressData, localizeVirtualPath } from '../rpc/encoding.js';
import { lookupGid, lookupUid } from '../rpc/ents.js';
import type { RpcHandler, RpcRequestContext } from '../rpc/server.js';
import type { NodeEnv } from './context.js';
import { ensureDir, isBelowDir, writeFileSafely } from './files.js';
import { requireMasterPeer } from './master-peer.js';

/**
 * The files the master may overwrite on a node (Ganeti's _ALLOWED_UPLOAD_FILES), under this
 * node's root: config.data, /etc/hosts, known_hosts, the VNC password file, rapi.pem,
 * spice.pem, spice-ca.pem, rapi/users, hmac.key and cluster-domain-secret. Hypervisor
 * plugins add their ancillary files through `extra` (virtual paths).
 */
export function allowedUploadFiles(paths: GanetiPaths, extra: readonly string[] = []): Set<string> {
  return new Set([
    paths.configData,
    paths.under('/etc/hosts'),
    paths.knownHosts,
    join(paths.confDir, 'vnc-cluster-password'),
    paths.rapiPem,
    paths.spicePem,
    join(paths.dataDir, 'spice-ca.pem'),
    paths.rapiUsers,
    paths.hmacKey,
    paths.clusterDomainSecret,
    ...extra.map((v) => localizeVirtualPath(paths, v)),
  ]);
}

/**
 * Files `gnt-cluster copyfile` may write besides the fixed list above: any path under the
 * node's root except the folders whose files carry the node's cluster state and trust (the
 * data folder with certificates, ssconf and the job queue; pid files and sockets; locks).
 * Those change only through their own calls (write_ssconf_files, jobqueue_*,
 * renew-crypto...), so a stray copyfile cannot break a node's membership. Everything else is
 * the admin's, as with Ganeti's copyfile over ssh as root: hook scripts under
 * /etc/ganeti/hooks, /etc files, tools. Only the master's certificate may write these (the
 * node checks it; see master-peer.ts).
 */
export function isCopyfileTarget(paths: GanetiPaths, file: string): boolean {
  const guarded = [paths.dataDir, paths.runDir, paths.lockDir];
  return isBelowDir(paths.root, file) && !guarded.some((d) => d === file || isBelowDir(d, file));
}

export interface UploadHandlerOptions {
  /** More files (virtual paths) upload_file may write, e.g. a hypervisor's ancillary files. */
  readonly extraUploadFiles?: readonly string[];
}

/** Mode of an uploaded file when the master sends none (a fresh temp file's 0600, as in Ganeti). */
const DEFAULT_MODE = 0o600;

/**
 * upload_file ([file_name, data, mode, uid, gid, atime, mtime]) and upload_file_single (the
 * same seven values as arguments), Ganeti's backend.UploadFile: the path is virtual and must
 * be on the allow-list; the data is ED_COMPRESS; owner and group come as names and are
 * mapped to this node's ids; the file is replaced atomically with the mode and times given.
 */
export function uploadHandlers(env: NodeEnv, o: UploadHandlerOptions = {}): Record<string, RpcHandler> {
  const allowed = allowedUploadFiles(env.paths, o.extraUploadFiles);

  async function upload(procedure: string, details: readonly unknown[], ctx: RpcRequestContext): Promise<null> {
    const [name, data, mode, user, group, atime, mtime] = details as [string, unknown, number | null, string, string, number | null, number | null];
    const file = localizeVirtualPath(env.paths, name);
    if (!allowed.has(file)) {
      if (!isCopyfileTarget(env.paths, file)) throw new GanetiError('GNT_NODED_FILE_REFUSED', { file: name, reason: 'Filename passed to UploadFile not in allowed upload targets' });
      await requireMasterPeer(env.paths, procedure, ctx.peer.digest);
    }
    const raw = decompressData(data, `the content of ${name}`);
    const uid = await lookupUid(user);
    if (uid === null) throw new GanetiError('GNT_NODED_FAILED', { procedure, reason: `unknown user '${user}' (owner of ${name})` });
    const gid = await lookupGid(group);
    if (gid === null) throw new GanetiError('GNT_NODED_FAILED', { procedure, reason: `unknown group '${group}' (group of ${name})` });
    try {
      await ensureDir(dirname(file), 0o755);
      await writeFileSafely(file, raw, { mode: mode === null ? DEFAULT_MODE : mode & 0o7777, uid, gid, atime, mtime });
    } catch (e) {
      throw new GanetiError('GNT_NODED_FAILED', { procedure, reason: `writing ${name}: ${describeError(e)}` }, { cause: e });
    }
    env.log.debug(`${procedure}: wrote ${file} (${raw.length} bytes)`);
    return null;
  }

  return {
    upload_file: (args, ctx) => upload('upload_file', args[0] as unknown[], ctx),
    upload_file_single: (args, ctx) => upload('upload_file_single', args, ctx),
  };
}
