/**
 * An OS definition on disk (interfaces §1.1-1.3): a folder named after the OS in one of the
 * search path's folders. Checked as Ganeti checks it: `ganeti_api_version` is a regular file
 * of integers that meets {10, 15, 20}; `create` (or `create_untrusted`), `import`, `export`,
 * `rename` and, from API 20, `verify` are regular files with the owner-execute bit; from API
 * 20 `parameters.list` must exist; `variants.list` is optional. Nothing here runs a script.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseParametersList, type OsApiVersion, type OsDefinition, type ProviderContext } from '../../core/index.js';

export const SUPPORTED_API_VERSIONS: readonly OsApiVersion[] = Object.freeze([20, 15, 10]);
export type OsScript = 'create' | 'import' | 'export' | 'rename' | 'verify';

/** A definition found valid: what diagnose reports plus where its scripts are. */
export interface OsFolder extends OsDefinition {
  /** Script paths; `create` is `create_untrusted` for untrusted definitions; verify only from API 20. */
  readonly scripts: Readonly<Partial<Record<OsScript, string>>>;
  /** The API version used for this definition's environment: the highest both sides support. */
  readonly api: OsApiVersion;
}

const errnoText = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  const words: Record<string, string> = { ENOENT: 'No such file or directory', EACCES: 'Permission denied', ENOTDIR: 'Not a directory' };
  return (err.code && words[err.code]) ?? err.message ?? String(e);
};

/** The file's stat, or the reason it is unusable (missing, not a regular file, not executable). */
async function checkFile(dir: string, file: string, script: boolean): Promise<string | null> {
  const path = join(dir, file);
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    return `'${file}' file not found in OS dir ${dir}: ${errnoText(e)}`;
  }
  if (!st.isFile()) return `'${file}' file in OS dir ${dir} is not a regular file`;
  if (script && (st.mode & 0o100) === 0) return `'${file}' script in OS dir ${dir} is not executable`;
  return null;
}

/** Lines of a list file: trimmed, without blanks and `#` comments. */
const listLines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));


class Invalid extends Error {}

/** Reads and checks the folder; throws Invalid with the reason. */
async function load(name: string, dir: string): Promise<OsFolder> {
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory()) throw new Invalid(`'${dir}' is not a directory`);
  const apiProblem = await checkFile(dir, 'ganeti_api_version', false);
  if (apiProblem) throw new Invalid(`API version file: ${apiProblem}`);
  let apiText: string;
  try {
    apiText = await readFile(join(dir, 'ganeti_api_version'), 'utf8');
  } catch (e) {
    throw new Invalid(`Error while reading the API version file at ${join(dir, 'ganeti_api_version')}: ${errnoText(e)}`);
  }
  const versions: number[] = [];
  for (const line of apiText.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (!/^-?\d+$/.test(line)) throw new Invalid(`API version file ${join(dir, 'ganeti_api_version')} has a line that is not a number: '${line}'`);
    versions.push(Number(line));
  }
  const common = SUPPORTED_API_VERSIONS.filter((v) => versions.includes(v));
  if (!common.length) throw new Invalid(`API version mismatch for path '${dir}': found ${versions.join(', ') || 'none'}, want one of ${SUPPORTED_API_VERSIONS.join(', ')}`);
  const api = common[0]!;

  // create or create_untrusted; a folder with both is trusted (create wins)
  const createProblem = await checkFile(dir, 'create', true);
  const untrustedProblem = createProblem ? await checkFile(dir, 'create_untrusted', true) : 'unused';
  if (createProblem && untrustedProblem) throw new Invalid(createProblem);
  const trusted = !createProblem;
  const scripts: Partial<Record<OsScript, string>> = { create: join(dir, trusted ? 'create' : 'create_untrusted') };
  const required: OsScript[] = ['export', 'import', 'rename', ...(api >= 20 ? (['verify'] as const) : [])];
  for (const s of required) {
    const problem = await checkFile(dir, s, true);
    if (problem) throw new Invalid(problem);
    scripts[s] = join(dir, s);
  }

  let variants: string[] = [];
  if (api >= 15) {
    const text = await readFile(join(dir, 'variants.list'), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw new Invalid(`Error while reading the OS variants file at ${join(dir, 'variants.list')}: ${errnoText(e)}`);
    });
    variants = listLines(text);
  }
  let parameters: [string, string][] = [];
  if (api >= 20) {
    const problem = await checkFile(dir, 'parameters.list', false);
    if (problem) throw new Invalid(problem);
    try {
      parameters = parseParametersList(await readFile(join(dir, 'parameters.list'), 'utf8'));
    } catch (e) {
      throw new Invalid(`Error while reading the OS parameters file at ${join(dir, 'parameters.list')}: ${errnoText(e)}`);
    }
  }
  return { name, path: dir, valid: true, diagnose: '', variants, parameters, api_versions: versions, trusted, scripts, api };
}

/** The definition in `dir`, valid or with the reason it is not. */
export async function loadOsFolder(name: string, dir: string): Promise<OsFolder> {
  try {
    return await load(name, dir);
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    return { name, path: dir, valid: false, diagnose: e.message, variants: [], parameters: [], api_versions: [], trusted: true, scripts: {}, api: 10 };
  }
}

/** The search path of this node: `/srv/ganeti/os` then `/usr/share/ganeti/os`, under the root. */
export const searchPath = (ctx: ProviderContext): readonly string[] => ctx.paths.osSearchPath;

/**
 * Every definition of the search path, in its order: the visible entries of each folder,
 * sorted, a name found twice counting only where it is first (Ganeti's FindFile).
 */
export async function diagnoseFolders(dirs: readonly string[]): Promise<OsFolder[]> {
  const out: OsFolder[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    const names = await readdir(dir).then((n) => n.filter((x) => !x.startsWith('.')).sort(), () => [] as string[]);
    const found = await Promise.all(names.filter((n) => !seen.has(n)).map((n) => loadOsFolder(n, join(dir, n))));
    for (const f of found) {
      seen.add(f.name);
      out.push(f);
    }
  }
  return out;
}

/** The first folder named `name` on the search path, loaded; null when there is none. */
export async function findOsFolder(name: string, dirs: readonly string[]): Promise<OsFolder | null> {
  for (const dir of dirs) {
    const path = join(dir, name);
    if ((await stat(path).catch(() => null))?.isDirectory()) return loadOsFolder(name, path);
  }
  return null;
}
