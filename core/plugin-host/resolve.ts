import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** What the loader learns about a plugin before importing it. */
export interface ResolvedPlugin {
  readonly specifier: string;
  /** Absolute path of the module to import. */
  readonly entry: string;
  readonly packageDir: string | undefined;
  readonly packageJson: PackageJson | undefined;
}

export interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly main?: string;
  readonly exports?: unknown;
  /** Assets a plugin package ships: `{ "extstorage": {name: dir}, "os": {name: dir} }`. */
  readonly ganeti?: { readonly extstorage?: Record<string, string>; readonly os?: Record<string, string> };
}

const CONDITIONS = ['import', 'node', 'default'];

const isFile = async (p: string) => (await stat(p).catch(() => null))?.isFile() ?? false;
const isDir = async (p: string) => (await stat(p).catch(() => null))?.isDirectory() ?? false;

export async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** Picks the ESM entry from an `exports` value (string, conditions, or subpath map). */
function pickExport(value: unknown, subpath: string): string | undefined {
  if (typeof value === 'string') return subpath === '.' ? value : undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.some((k) => k.startsWith('.'))) return pickCondition(obj[subpath]);
  return subpath === '.' ? pickCondition(obj) : undefined;
}

function pickCondition(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return undefined;
  for (const c of CONDITIONS) {
    const hit = pickCondition((value as Record<string, unknown>)[c]);
    if (hit) return hit;
  }
  return undefined;
}

async function entryOfPackage(dir: string, pkg: PackageJson | undefined, subpath = '.'): Promise<string | undefined> {
  if (pkg?.exports !== undefined) {
    const target = pickExport(pkg.exports, subpath);
    return target ? resolve(dir, target) : undefined;
  }
  if (subpath !== '.') return resolve(dir, subpath);
  for (const candidate of [pkg?.main, 'index.js', 'index.mjs'].filter(Boolean) as string[]) {
    const p = resolve(dir, candidate);
    if (await isFile(p)) return p;
    if (await isFile(`${p}.js`)) return `${p}.js`;
  }
  return undefined;
}

const splitBare = (spec: string): [string, string] => {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  const rest = parts.slice(n).join('/');
  return [parts.slice(0, n).join('/'), rest ? `./${rest}` : '.'];
};

/**
 * Resolves a plugin as Node would from `baseDir` (the folder of the config file that names
 * it): a relative or absolute path to a file or package folder, or a package name looked up
 * in node_modules folders upwards. Returns undefined when nothing is installed there.
 */
export async function resolvePlugin(specifier: string, baseDir: string): Promise<ResolvedPlugin | undefined> {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const p = resolve(baseDir, specifier);
    if (await isDir(p)) {
      const pkg = await readPackageJson(p);
      const entry = await entryOfPackage(p, pkg);
      return entry ? { specifier, entry, packageDir: p, packageJson: pkg } : undefined;
    }
    if (await isFile(p)) return { specifier, entry: p, packageDir: undefined, packageJson: undefined };
    return undefined;
  }
  const [name, subpath] = splitBare(specifier);
  for (let dir = resolve(baseDir); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    const pkg = await readPackageJson(pkgDir);
    if (pkg) {
      const entry = await entryOfPackage(pkgDir, pkg, subpath);
      return entry ? { specifier, entry, packageDir: pkgDir, packageJson: pkg } : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}
