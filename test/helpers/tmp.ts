import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temp folder that the test removes in its `after` hook. */
export async function tempDir(prefix = 'gnt-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes `files` (relative path → content) under `dir`, creating folders. */
export async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, content);
  }
}

/** file:// URL of the compiled core entry, for plugin modules written by tests. */
export const CORE_URL = new URL('../../core/index.js', import.meta.url).href;
/** Root of the repository (the folder holding package.json). */
export const REPO_ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
