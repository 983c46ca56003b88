import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GanetiError, safeEncode, type HooksPhase, type ProviderContext } from '../../core/index.js';

/** Ganeti's per-script results (HKR_*). */
export const HKR_SKIP = 0;
export const HKR_FAIL = 1;
export const HKR_SUCCESS = 2;
export type HookScriptResult = [script: string, status: number, output: string];

/** run-parts' rule (Ganeti's EXT_PLUGIN_MASK): other names are skipped, so `foo.sh` never runs. */
export const SCRIPT_NAME_RE = /^[a-zA-Z0-9_-]+$/;
/** The PATH hook scripts get (Ganeti's HOOKS_PATH). */
export const HOOKS_PATH_ENV = '/sbin:/bin:/usr/sbin:/usr/bin';

/**
 * The node side of `hooks_runner` (Ganeti's HooksRunner.RunHooks): runs the executables of
 * `<hooksDir>/<hpath>-<phase>.d` one after the other in name order, each with stdin
 * /dev/null and an environment of PATH and the GANETI_* variables only, stdout and stderr
 * captured together. A missing directory runs nothing. Hidden files are not listed at all.
 */
export async function runHooks(hooksDir: string, hpath: string, phase: HooksPhase, env: Readonly<Record<string, string>>, ctx: Pick<ProviderContext, 'run'>): Promise<HookScriptResult[]> {
  // hpath names a folder under the hooks dir: nothing that could climb out of it.
  if (!SCRIPT_NAME_RE.test(hpath)) throw new GanetiError('GNT_HOOKS_PATH_INVALID', { hpath });
  const subdir = `${hpath}-${phase}.d`;
  const dir = join(hooksDir, subdir);
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) return [];
    names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
  // Python's sorted(): code point order, not the locale's.
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const scriptEnv = hookEnv(env);
  const results: HookScriptResult[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const rel = `${subdir}/${name}`;
    if (!SCRIPT_NAME_RE.test(name) || !(await isExecutable(file))) {
      results.push([rel, HKR_SKIP, '']);
      continue;
    }
    const r = await ctx.run([file], { env: scriptEnv, inheritEnv: [], cwd: '/' });
    if (r.pid === undefined && !r.aborted) {
      results.push([rel, HKR_FAIL, `Hook script execution error: ${r.stderr.replace(/^ganeti-ts: /, '').trim()}`]);
      continue;
    }
    results.push([rel, r.ok ? HKR_SUCCESS : HKR_FAIL, safeEncode(r.all.trim())]);
  }
  return results;
}

/** Only PATH and GANETI_* reach a script, whatever the caller sent. */
function hookEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { PATH: HOOKS_PATH_ENV };
  for (const [k, v] of Object.entries(env)) if (k === 'PATH' || k.startsWith('GANETI_')) out[k] = v;
  return out;
}

/** A regular file we may execute (Ganeti's IsExecutable). */
async function isExecutable(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

