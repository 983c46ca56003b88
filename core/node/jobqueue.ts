import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GanetiError, describeError } from '../errors/index.js';
import type { GanetiPaths } from '../paths.js';
import { decompressData, localizeVirtualPath } from '../rpc/encoding.js';
import type { RpcHandler } from '../rpc/server.js';
import { serializer, type NodeEnv } from './context.js';
import { cleanDirectory, ensureDir, isBelowDir, writeFileSafely } from './files.js';

/** Mode of job queue files (Ganeti's JOB_QUEUE_FILES_PERMS) and of its folders. */
export const JOB_QUEUE_FILES_PERMS = 0o640;
export const JOB_QUEUE_DIR_PERMS = 0o750;

/** A wire path localized, refused unless it lies in the queue folder (Ganeti's _EnsureJobQueueFile). */
function queueFile(paths: GanetiPaths, virtual: string): string {
  const file = localizeVirtualPath(paths, virtual);
  if (!isBelowDir(paths.queueDir, file))
    throw new GanetiError('GNT_NODED_FILE_REFUSED', { file: virtual, reason: `Passed job queue file does not belong to the queue directory '${paths.queueDir}'` });
  return file;
}

/** Removes the job files of the queue (not its lock) and the files directly in the archive folder (Ganeti's JobQueuePurge). */
export async function purgeQueue(paths: GanetiPaths): Promise<void> {
  await cleanDirectory(paths.queueDir, [join(paths.queueDir, 'lock')]);
  await cleanDirectory(paths.queueArchiveDir);
}

/**
 * The job queue replication calls a master candidate answers (Ganeti's JobQueueUpdate,
 * JobQueueRename, JobQueuePurge, SetDrainFlag): paths are virtual and must lie in the queue
 * folder; writes are atomic with mode 0640; calls run one at a time.
 */
export function jobQueueHandlers(env: NodeEnv): Record<string, RpcHandler> {
  const { paths } = env;
  const exclusive = serializer();
  const failed = (procedure: string, e: unknown) =>
    e instanceof GanetiError ? e : new GanetiError('GNT_NODED_FAILED', { procedure, reason: describeError(e) }, { cause: e });

  return {
    jobqueue_update: (args) =>
      exclusive(async () => {
        const [name, content] = args as [string, unknown];
        const file = queueFile(paths, name);
        const data = decompressData(content, `the content of ${name}`);
        try {
          await ensureDir(dirname(file), JOB_QUEUE_DIR_PERMS);
          await writeFileSafely(file, data, { mode: JOB_QUEUE_FILES_PERMS });
        } catch (e) {
          throw failed('jobqueue_update', e);
        }
        return null;
      }),

    jobqueue_rename: (args) =>
      exclusive(async () => {
        const [pairs] = args as [[string, string][]];
        const checked = pairs.map(([from, to]) => [queueFile(paths, from), queueFile(paths, to)] as const);
        const out: null[] = [];
        for (const [from, to] of checked) {
          try {
            await ensureDir(dirname(to), JOB_QUEUE_DIR_PERMS);
            await rename(from, to);
          } catch (e) {
            throw failed('jobqueue_rename', e);
          }
          out.push(null);
        }
        return out;
      }),

    jobqueue_purge: () =>
      exclusive(async () => {
        try {
          await purgeQueue(paths);
        } catch (e) {
          throw failed('jobqueue_purge', e);
        }
        return null;
      }),

    jobqueue_set_drain_flag: (args) =>
      exclusive(async () => {
        const [flag] = args as [boolean];
        const drain = join(paths.queueDir, 'drain');
        try {
          if (flag) {
            await ensureDir(paths.queueDir, JOB_QUEUE_DIR_PERMS);
            await writeFile(drain, '', { mode: 0o644 });
          } else await rm(drain, { force: true });
        } catch (e) {
          throw failed('jobqueue_set_drain_flag', e);
        }
        return null;
      }),
  };
}
