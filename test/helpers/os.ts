import { cp, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ganetiPaths } from '../../core/paths.js';
import { REPO_ROOT } from './tmp.js';

/** The noop OS definition shipped with ganeti-ts (installs nothing). */
export const NOOP_OS = join(REPO_ROOT, 'plugins/os/noop');

/** Copies an OS definition folder into a folder of a node root's OS search path (default the first, `/srv/ganeti/os`). */
export async function installOs(root: string, src = NOOP_OS, name = basename(src), searchDir = ganetiPaths(root).osSearchPath[0]!): Promise<string> {
  const dir = join(searchDir, name);
  await mkdir(searchDir, { recursive: true });
  await cp(src, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}
