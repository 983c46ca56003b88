import { readFile, stat } from 'node:fs/promises';
import { GanetiError, describeError } from '../errors/index.js';
import type { GanetiPaths } from '../paths.js';
import { compressData, toVirtualPath, type CompressedData } from './encoding.js';
import { lookupGroupName, lookupUserName } from './ents.js';

/** upload_file's file description: [file_name, data, mode, uid, gid, atime, mtime]. */
export type FileDetails = [string, CompressedData, number | null, string, string, number | null, number | null];

/**
 * Reads a local file for upload_file as Ganeti's _PrepareFileUpload does: its path made
 * virtual (relative to `paths.root`), its content compressed, its mode, its owner and group
 * as names, its access and modification times in seconds.
 */
export async function prepareFileUpload(paths: Pick<GanetiPaths, 'root'>, file: string): Promise<FileDetails> {
  const fail = (problem: string, cause?: unknown) =>
    new GanetiError('GNT_RPC_ARGS', { procedure: 'upload_file', problem: `cannot prepare ${file}: ${problem}` }, cause === undefined ? undefined : { cause });
  let data: Buffer;
  let st: import('node:fs').Stats;
  try {
    [data, st] = await Promise.all([readFile(file), stat(file)]);
  } catch (e) {
    throw fail(describeError(e), e);
  }
  const user = await lookupUserName(st.uid);
  const group = await lookupGroupName(st.gid);
  if (user === null) throw fail(`its owner uid ${st.uid} has no user name`);
  if (group === null) throw fail(`its group gid ${st.gid} has no group name`);
  return [toVirtualPath(paths, file), compressData(data), st.mode & 0o7777, user, group, st.atimeMs / 1000, st.mtimeMs / 1000];
}
