/**
 * An ExtStorage provider on disk (interfaces §2.1): a folder named after the provider in one
 * of the search path's folders, holding the action scripts and `parameters.list`. Checked as
 * Ganeti checks it: required files exist, every file is a regular file, every script has the
 * owner-execute bit. Nothing here runs a script.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GanetiError, parseParametersList, type ExtProviderStatus, type ProviderContext } from '../../core/index.js';

/** Scripts every provider must have (`verify` is never run, as in Ganeti, but must exist). */
export const REQUIRED_SCRIPTS = Object.freeze(['create', 'attach', 'detach', 'remove', 'grow', 'setinfo', 'verify'] as const);
/** Scripts a provider may leave out: open/close are then skipped, snapshot refused. */
export const OPTIONAL_SCRIPTS = Object.freeze(['open', 'close', 'snapshot'] as const);
export type ExtAction = (typeof REQUIRED_SCRIPTS)[number] | (typeof OPTIONAL_SCRIPTS)[number];
export const PARAMETERS_FILE = 'parameters.list';

/** A provider found valid: its folder, its scripts (null: optional and absent), its parameters. */
export interface ExtProvider {
  readonly name: string;
  readonly path: string;
  readonly scripts: Readonly<Record<ExtAction, string | null>>;
  readonly parameters: readonly (readonly [string, string])[];
}

const errnoText = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  const words: Record<string, string> = { ENOENT: 'No such file or directory', EACCES: 'Permission denied', ENOTDIR: 'Not a directory' };
  return (err.code && words[err.code]) ?? err.message ?? String(e);
};

/**
 * The search path: the node's default folder(s), then ssconf `extstorage_search_path` (one
 * folder a line, the cluster setting of `gnt-cluster modify --extstorage-search-path`); those
 * are cluster-wide paths, so each lies under this node's root, as every other path does.
 */
export async function searchPath(ctx: ProviderContext): Promise<string[]> {
  const dirs = [...ctx.paths.extstorageSearchPath];
  try {
    const text = await readFile(ctx.paths.ssconf('extstorage_search_path'), 'utf8');
    for (const line of text.split('\n')) {
      const dir = line.trim();
      if (!dir.startsWith('/')) continue;
      const local = ctx.paths.under(dir);
      if (!dirs.includes(local)) dirs.push(local);
    }
  } catch {
    // no cluster setting: the default folder only
  }
  return dirs;
}

const isDir = async (path: string): Promise<boolean> => (await stat(path).catch(() => null))?.isDirectory() ?? false;

/** The first folder of the search path holding a folder `name`, or null. */
export async function findProviderDir(name: string, dirs: readonly string[]): Promise<string | null> {
  for (const dir of dirs) if (await isDir(join(dir, name))) return join(dir, name);
  return null;
}

/** Checks one file of the provider; returns its path, null when optional and absent, or throws the reason. */
async function checkFile(dir: string, file: string, required: boolean, script: boolean): Promise<string | null> {
  const path = join(dir, file);
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    if (!required) return null;
    throw new Error(`File '${file}' under path '${dir}' is missing (${errnoText(e)})`);
  }
  if (!st.isFile()) throw new Error(`File '${file}' under path '${dir}' is not a regular file`);
  if (script && (st.mode & 0o100) === 0) throw new Error(`File '${file}' under path '${dir}' is not executable`);
  return path;
}


/** Validates the provider folder `path`; resolves with the provider or rejects with the reason (an Error). */
export async function loadProviderDir(name: string, path: string): Promise<ExtProvider> {
  const scripts = {} as Record<ExtAction, string | null>;
  // files checked one after the other so that the reason is always the first problem, as Ganeti's is
  for (const s of REQUIRED_SCRIPTS) scripts[s] = await checkFile(path, s, true, true);
  for (const s of OPTIONAL_SCRIPTS) scripts[s] = await checkFile(path, s, false, true);
  const paramsFile = (await checkFile(path, PARAMETERS_FILE, true, false))!;
  let text: string;
  try {
    text = await readFile(paramsFile, 'utf8');
  } catch (e) {
    throw new Error(`Error while reading the parameters file at ${paramsFile}: ${errnoText(e)}`);
  }
  return { name, path, scripts, parameters: parseParametersList(text) };
}

/** The provider `name` of this node, valid, or a coded error (not found, invalid). */
export async function findProvider(name: string, ctx: ProviderContext): Promise<ExtProvider> {
  const dirs = await searchPath(ctx);
  for (const dir of dirs) {
    const path = join(dir, name);
    const st = await stat(path).catch(() => null);
    if (!st?.isDirectory()) continue;
    // Every action looks its provider up; a folder whose stat has not changed was validated
    // moments ago. (A script changed in place within VALID_MS is caught when it is run.)
    const key = `${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
    const hit = validated.get(path);
    if (hit && hit.key === key && Date.now() - hit.at < VALID_MS) return hit.provider;
    try {
      const provider = await loadProviderDir(name, path);
      validated.set(path, { key, at: Date.now(), provider });
      return provider;
    } catch (e) {
      validated.delete(path);
      throw new GanetiError('GNT_EXT_PROVIDER_INVALID', { provider: name, node: ctx.nodeName, reason: (e as Error).message }, { cause: e });
    }
  }
  throw new GanetiError('GNT_EXT_PROVIDER_NOT_FOUND', { provider: name, node: ctx.nodeName, searchPath: dirs.join(':') });
}

/** Providers validated recently, by folder, with the folder's stat at the time. */
const validated = new Map<string, { key: string; at: number; provider: ExtProvider }>();
const VALID_MS = 5_000;

/**
 * Every provider folder of the search path with its status (gnt-storage diagnose): visible
 * entries of each folder in turn, a name found twice counting only where it is first.
 */
export async function diagnoseProviders(ctx: ProviderContext): Promise<ExtProviderStatus[]> {
  const out: ExtProviderStatus[] = [];
  const seen = new Set<string>();
  for (const dir of await searchPath(ctx)) {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
    } catch {
      continue; // a folder of the search path that does not exist holds no provider
    }
    const found = await Promise.all(
      names.filter((n) => !seen.has(n)).map(async (name): Promise<ExtProviderStatus> => {
        const path = join(dir, name);
        if (!(await isDir(path))) return { name, path, valid: false, diagnose: `'${path}' is not a directory`, parameters: [] };
        try {
          const p = await loadProviderDir(name, path);
          return { name, path, valid: true, diagnose: '', parameters: p.parameters };
        } catch (e) {
          return { name, path, valid: false, diagnose: (e as Error).message, parameters: [] };
        }
      }),
    );
    for (const s of found) {
      seen.add(s.name);
      out.push(s);
    }
  }
  return out;
}
