/**
 * extstorage_install (ganeti-ts: `gnt-storage install`; Ganeti admins copy provider folders
 * by hand): writes one ExtStorage provider folder into the first folder of this node's
 * ExtStorage search path. The new folder is written beside the old one and swapped in with
 * renames, so a provider is never seen half-copied. Only the master may call it: it installs
 * executables that run as root.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { GanetiError } from '../errors/index.js';
import type { RpcHandler } from '../rpc/server.js';
import type { NodeEnv } from './context.js';
import { requireMasterPeer } from './master-peer.js';

/** `[relative path, mode, base64 content]` */
export type ProviderFile = readonly [string, number, string];

import { PROVIDER_NAME_RE } from '../storage/provider-name.js';

function checkRelative(provider: string, rel: string): string {
  const n = normalize(rel);
  if (n !== rel || rel.startsWith('/') || rel.split('/').includes('..') || rel.includes('\0'))
    throw new GanetiError('GNT_ES_INSTALL_INVALID', { provider, reason: `file name '${rel}' is not a plain relative path` });
  return n;
}

export function extstorageInstallHandlers(env: NodeEnv): Record<string, RpcHandler> {
  return {
    async extstorage_install(args, req) {
      await requireMasterPeer(env.paths, 'extstorage_install', req.peer.digest);
      const [name, files] = args as [string, ProviderFile[]];
      if (!PROVIDER_NAME_RE.test(name)) throw new GanetiError('GNT_ES_INSTALL_INVALID', { provider: name, reason: 'a provider name is one folder name (letters, digits, . _ + -)' });
      const base = env.paths.extstorageSearchPath[0]!;
      const target = join(base, name);
      const tmp = join(base, `.${name}.${randomBytes(6).toString('hex')}.new`);
      const old = join(base, `.${name}.${randomBytes(6).toString('hex')}.old`);
      await mkdir(base, { recursive: true, mode: 0o755 });
      try {
        for (const [rel, mode, content] of files) {
          const path = join(tmp, checkRelative(name, rel));
          await mkdir(dirname(path), { recursive: true, mode: 0o755 });
          await writeFile(path, Buffer.from(content, 'base64'), { mode: mode & 0o7777, flag: 'wx' });
        }
        await rename(target, old).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
        await rename(tmp, target);
      } finally {
        await rm(tmp, { recursive: true, force: true });
        await rm(old, { recursive: true, force: true });
      }
      env.log.info(`extstorage_install: installed provider ${name} in ${target} (${files.length} files)`);
      return target;
    },
  };
}
