import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked } from '../../core/exec/index.js';
import { REPO_ROOT, tempDir } from './tmp.js';

export const FIXTURE_PLUGINS = join(REPO_ROOT, 'test', 'fixtures', 'plugins');
export const EXAMPLE_PLUGINS = ['ganeti-plugin-examplehv', 'ganeti-plugin-qemuimg'] as const;

export interface ScratchProject {
  /** Folder holding everything; remove it when done. */
  readonly root: string;
  /** The user's project: package.json, node_modules, ganeti.config.* */
  readonly dir: string;
  readonly tarballs: readonly string[];
  bin(name: string): string;
}

/**
 * What a user does to use third-party plugins: `npm pack` the example plugin packages (as if
 * published), then in a fresh project `npm install` ganeti-ts and the tarballs. ganeti-ts is
 * installed from this checkout (npm links a folder), so its bins are the built ones.
 */
export async function scratchProject(plugins: readonly string[] = EXAMPLE_PLUGINS): Promise<ScratchProject> {
  const root = await tempDir('gnt-scratch-');
  const npm = { timeoutMs: 120_000, inheritEnv: 'all' as const };
  for (const p of plugins) await runChecked(['npm', 'pack', join(FIXTURE_PLUGINS, p), '--pack-destination', root, '--silent'], npm);
  const tarballs = (await readdir(root)).filter((f) => f.endsWith('.tgz')).sort().map((f) => join(root, f));
  const dir = join(root, 'project');
  await runChecked(['mkdir', dir]);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'scratch-cluster', private: true, type: 'module' }, null, 2));
  await runChecked(['npm', 'install', '--no-audit', '--no-fund', '--silent', '--ignore-scripts', REPO_ROOT, ...tarballs], { ...npm, cwd: dir });
  return { root, dir, tarballs, bin: (name) => join(dir, 'node_modules', '.bin', name) };
}

/**
 * Ends a one-node cluster a test made in a scratch project: `gnt-cluster destroy`, and if that
 * fails (a test failed half way), SIGKILL for the daemons whose pid files are left.
 */
export async function destroyScratchCluster(root: string, destroy: () => Promise<{ code: number | null } | undefined>): Promise<void> {
  const { existsSync, readdirSync, readFileSync } = await import('node:fs');
  const { alive } = await import('./masterd.js');
  const r = await destroy().catch(() => undefined);
  const runDir = join(root, 'var/run/ganeti');
  if (r?.code !== 0 && existsSync(runDir))
    for (const f of readdirSync(runDir).filter((x) => x.endsWith('.pid'))) {
      const pid = Number(readFileSync(join(runDir, f), 'utf8'));
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    }
}
