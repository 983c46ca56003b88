import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { runChecked } from '../../core/exec/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { diagnoseExtStorage } from './storage-diagnose.js';

/**
 * `gnt-storage install SOURCE` (ganeti-ts): SOURCE is a provider folder (it holds
 * parameters.list; the folder name is the provider name), an npm package folder or tarball,
 * or the name of an installed npm package. A package declares its providers in package.json:
 * `"ganeti": {"extstorage": {"<provider>": "<folder in the package>"}}`.
 */

export interface InstallOptions extends OpcodeOptions {
  nodeGroup?: string;
  name?: string;
}

type ProviderFile = [string, number, string];

interface Provider {
  readonly name: string;
  readonly dir: string;
}

const invalid = (provider: string, reason: string) => new GanetiError('GNT_ES_INSTALL_INVALID', { provider, reason });
const exists = (p: string) => lstat(p).then(() => true, () => false);

/** Every regular file below `dir`, with its mode; anything else (links, devices) is refused. */
async function readProvider(p: Provider, dir = p.dir, prefix = ''): Promise<ProviderFile[]> {
  const out: ProviderFile[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...(await readProvider(p, path, `${rel}/`)));
    else if (entry.isFile()) out.push([rel, (await lstat(path)).mode & 0o7777, (await readFile(path)).toString('base64')]);
    else throw invalid(p.name, `${path} is neither a regular file nor a folder`);
  }
  return out;
}

/** The providers a package declares. */
async function packageProviders(pkgDir: string): Promise<Provider[]> {
  const pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { name?: string; ganeti?: { extstorage?: Record<string, string> } };
  const declared = pkg.ganeti?.extstorage ?? {};
  const list = Object.entries(declared).map(([name, rel]) => ({ name, dir: resolve(pkgDir, rel) }));
  if (list.length === 0) throw invalid(pkg.name ?? pkgDir, 'its package.json declares no "ganeti": {"extstorage": {...}} providers');
  return list;
}

async function providersOf(source: string, o: InstallOptions, scratch: () => Promise<string>): Promise<Provider[]> {
  const path = resolve(source);
  if (await exists(path)) {
    if ((await lstat(path)).isDirectory()) {
      if (await exists(join(path, 'parameters.list'))) return [{ name: o.name ?? basename(path), dir: path }];
      if (await exists(join(path, 'package.json'))) return packageProviders(path);
      throw invalid(basename(path), `${path} holds neither parameters.list nor package.json`);
    }
    if (/\.(tgz|tar\.gz)$/.test(path)) {
      const dir = await scratch();
      await runChecked(['tar', '-xzf', path, '-C', dir]);
      return packageProviders(join(dir, 'package'));
    }
    throw invalid(basename(path), `${path} is not a folder or an npm tarball`);
  }
  // an installed npm package, resolved as the project's own imports are
  try {
    const pkgJson = createRequire(join(process.cwd(), 'noop.js')).resolve(`${source}/package.json`);
    return await packageProviders(dirname(pkgJson));
  } catch (e) {
    if (e instanceof GanetiError) throw e;
    throw invalid(source, 'it is not a folder, an npm tarball or an installed npm package');
  }
}

export async function storageInstall(source: string, o: InstallOptions): Promise<void> {
  let tmp: string | undefined;
  const scratch = async () => (tmp ??= await mkdtemp(join(tmpdir(), 'gnt-storage-install-')));
  try {
    const providers = await providersOf(source, o, scratch);
    for (const p of providers) {
      const files = await readProvider(p);
      const res = await submitAndWait([{ OP_ID: 'OP_EXT_STORAGE_INSTALL', provider: p.name, files, group_name: o.nodeGroup ?? null }], o, { binary: 'gnt-storage', command: 'install' });
      for (const [node, dir] of (res?.[0] ?? []) as [string, string][]) process.stdout.write(`Installed ${p.name} on ${node} in ${dir}\n`);
    }
    // then what every node makes of them, as `gnt-storage diagnose` shows it
    if (!o.submit) {
      process.stdout.write('\n');
      await diagnoseExtStorage(o, providers.map((p) => p.name), 'install');
    }
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}
