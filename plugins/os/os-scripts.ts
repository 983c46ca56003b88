/**
 * The script-folder OS provider: every OS definition folder of the node's search path. Each
 * operation looks its folder up again (a definition changed on disk is used at once, as in
 * Ganeti) and runs the script with the environment of the API version in use.
 */
import { GanetiError, type OsDefinition, type OsProvider, type OsCall, type ProviderContext } from '../../core/index.js';
import { diagnoseFolders, findOsFolder, searchPath, type OsFolder } from './definition.js';
import { coreEnv, instanceEnv } from './env.js';
import { logName, runOsScript, tail } from './run-script.js';

const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;
const VERIFY_MS = 5 * 60 * 1000;

/** The valid definition `name` of this node, or the coded error saying why there is none. */
async function definition(name: string, ctx: ProviderContext): Promise<OsFolder> {
  const dirs = searchPath(ctx);
  const def = await findOsFolder(name, dirs);
  if (!def) throw new GanetiError('GNT_OS_NOT_FOUND', { os: name, node: ctx.nodeName, searchPath: dirs.join(':') });
  if (!def.valid) throw new GanetiError('GNT_OS_INVALID', { os: name, node: ctx.nodeName, reason: def.diagnose });
  return def;
}

/** Drops the provider-only fields: diagnose reports the §1.1 tuple only. */
const publicDef = ({ scripts: _s, api: _a, ...d }: OsFolder): OsDefinition => d;

const withVersion = (req: OsCall, def: OsFolder) => ({ ...req, os: { ...req.os, api_version: Math.min(req.os.api_version, def.api) as typeof def.api } });

export const osScripts: OsProvider = {
  params: { type: 'object', additionalProperties: false, properties: {} },
  description: 'OS definitions as script folders (Ganeti\'s OS interface, API 10, 15 and 20)',

  async diagnose(ctx) {
    return (await diagnoseFolders(searchPath(ctx))).map(publicDef);
  },

  async create(req, ctx) {
    const def = await definition(req.os.name, ctx);
    const r = withVersion(req, def);
    const env = instanceEnv(r, req.instance);
    if (req.reinstall) env['INSTANCE_REINSTALL'] = '1';
    await runOsScript(def, 'create', req.instance.name, logName('add', req.instance.os, req.instance.name), env, ctx, DAY_MS);
  },

  async rename(req, ctx) {
    const def = await definition(req.os.name, ctx);
    const env = { ...instanceEnv(withVersion(req, def), req.instance), OLD_INSTANCE_NAME: req.old_name };
    await runOsScript(def, 'rename', req.instance.name, logName('rename', req.instance.os, `${req.old_name}-${req.instance.name}`), env, ctx, HOUR_MS);
  },

  async import(req, ctx) {
    const def = await definition(req.os.name, ctx);
    const disk = req.instance.disks[req.index];
    if (!disk) throw new GanetiError('GNT_PARAM_INVALID', { owner: `OS ${req.os.name}`, param: 'index', problem: `the instance has no disk ${req.index}` });
    const env: Record<string, string> = { ...instanceEnv(withVersion(req, def), req.instance), IMPORT_INDEX: String(req.index) };
    if (disk.dev_path) Object.assign(env, { IMPORT_DISK_PATH: disk.dev_path, IMPORT_DEVICE: disk.dev_path });
    if (disk.uri) env['IMPORT_DISK_URI'] = disk.uri;
    return { argv: [def.scripts.import!], cwd: def.path, env, inheritEnv: [] };
  },

  async export(req, ctx) {
    const def = await definition(req.os.name, ctx);
    const disk = req.instance.disks[req.index];
    if (!disk) throw new GanetiError('GNT_PARAM_INVALID', { owner: `OS ${req.os.name}`, param: 'index', problem: `the instance has no disk ${req.index}` });
    const env: Record<string, string> = { ...instanceEnv(withVersion(req, def), req.instance), EXPORT_INDEX: String(req.index) };
    if (disk.dev_path) Object.assign(env, { EXPORT_DISK_PATH: disk.dev_path, EXPORT_DEVICE: disk.dev_path });
    if (disk.uri) env['EXPORT_DISK_URI'] = disk.uri;
    return { argv: [def.scripts.export!], cwd: def.path, env, inheritEnv: [], sizeFd: true };
  },

  async verify(req, ctx) {
    const def = await definition(req.os.name, ctx);
    if (def.api < 20 || !def.scripts.verify) return;
    const env = coreEnv(withVersion(req, def), req.osparams);
    const r = await ctx.run([def.scripts.verify, ...req.checks], { cwd: def.path, env, inheritEnv: [], timeoutMs: VERIFY_MS });
    if (!r.ok) throw new GanetiError('GNT_OS_PARAMS_INVALID', { os: req.os.name, problem: `its verify script ${r.timedOut ? 'timed out' : `exited with code ${r.exitCode ?? r.signal}`} on node ${ctx.nodeName}:\n${tail(r.all)}` });
  },
};
