import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ganetiPaths, type GanetiPaths } from '../../../core/paths.js';
import { REPO_ROOT, tempDir } from '../../helpers/tmp.js';

export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'config');
export const FIXTURE_216 = join(FIXTURES, 'ganeti-2.16.config.data.json');
export const FIXTURE_30 = join(FIXTURES, 'ganeti-3.0.config.data.json');

/** UUIDs of the fixture clusters (both versions use the same ones). */
export const U = {
  cluster: 'f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f',
  node1: '5b0f2a3e-7d41-4c8e-9a16-2f3c4d5e6a71',
  node2: '8c1e9d20-3b54-4f6a-8e27-6a7b8c9d0e12',
  node10: 'c2d3e4f5-0617-4283-9a4b-5c6d7e8f9a03',
  groupDefault: '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b',
  groupAnnex: 'e1f2a3b4-c5d6-47e8-99a0-b1c2d3e4f506',
  db1: 'a7b6c5d4-e3f2-4a1b-8c9d-0e1f2a3b4c5d',
  web10: '3e4d5c6b-7a89-4b0c-9d1e-2f3a4b5c6d7e',
  web3: '6f5e4d3c-2b1a-4098-8f7e-6d5c4b3a2910',
  diskPlain: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
  diskDrbd: '1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a',
  diskFile: '7e6f5a4b-3c2d-4e1f-a0b9-c8d7e6f5a4b3',
  network: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
  filter: '2b3c4d5e-6f70-4819-9a2b-3c4d5e6f7081',
} as const;

export const readJson = async (file: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

/** A fresh root whose config.data is a copy of `fixture` (or nothing). */
export async function rootWith(fixture: string | null): Promise<{ root: string; paths: GanetiPaths }> {
  const root = await tempDir('gnt-config-');
  const paths = ganetiPaths(root);
  await mkdir(paths.dataDir, { recursive: true });
  if (fixture) await copyFile(fixture, paths.configData);
  return { root, paths };
}
