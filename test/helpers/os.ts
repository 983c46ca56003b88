import { cp, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ganetiPaths } from '../../core/paths.js';
import { REPO_ROOT } from './tmp.js';

/** The noop OS definition shipped with ganeti-ts (installs nothing). */
export const NOOP_OS = join(REPO_ROOT, 'plugins/os/noop');

/** Copies an OS definition folder into a node root's first OS search path folder (`/srv/ganeti/os`). */
export async function installOs(root: string, src = NOOP_OS, name = basename(src)): Promise<string> {
  const dir = join(ganetiPaths(root).osSearchPath[0]!, name);
  await mkdir(ganetiPaths(root).osSearchPath[0]!, { recursive: true });
  await cp(src, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}
