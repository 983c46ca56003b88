import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GanetiError, describeError, type HookFailure, type Logger, type HookNodeResult, type HooksTarget, type OpcodeHooksContext } from '../../core/index.js';
import { HKR_FAIL, type HookScriptResult } from './run-parts.js';

/** The procedure that runs a hooks directory on a node. */
export const HOOKS_RUNNER = 'hooks_runner';

type NodeResults = HookNodeResult<HookScriptResult[]>[];

/**
 * The master's hooks folder is this machine's (the master daemon runs on the master node):
 * when `<hpath>-<phase>.d` is not there, the master has nothing to run and is not called.
 * Global hooks run for every opcode, and most clusters have none; this spares each job two
 * round trips to its own node daemon.
 */
const hasHooksDir = (hooksDir: string, t: HooksTarget): Promise<boolean> =>
  stat(join(hooksDir, `${t.hpath}-${t.phase}.d`)).then((s) => s.isDirectory(), () => false);

async function callRunner(ctx: OpcodeHooksContext, t: HooksTarget, hooksDir: string | null): Promise<NodeResults> {
  const nodes = hooksDir !== null && t.nodes.some((n) => n.master) && !(await hasHooksDir(hooksDir, t)) ? t.nodes.filter((n) => !n.master) : t.nodes;
  if (nodes.length === 0) return [];
  return ctx.callNodes<HookScriptResult[]>(HOOKS_RUNNER, nodes, [t.hpath, t.phase, t.env]);
}

const isResultList = (v: unknown): v is HookScriptResult[] =>
  Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 3 && typeof e[0] === 'string' && typeof e[1] === 'number' && typeof e[2] === 'string');

/**
 * The failed scripts of each reachable node; offline nodes are left out silently and
 * unreachable ones are only reported through `warn` (Ganeti: they never deny an operation).
 */
function failures(results: NodeResults, warn: (m: string) => void): HookFailure[] {
  const out: HookFailure[] = [];
  for (const r of results) {
    if (!r.success) {
      if (!r.offline) warn(`Communication failure to node ${r.node}: ${r.error}`);
      continue;
    }
    if (!isResultList(r.payload)) {
      warn(`Communication failure to node ${r.node}: invalid hooks_runner answer`);
      continue;
    }
    for (const [script, status, output] of r.payload) if (status === HKR_FAIL) out.push([r.node, script, output]);
  }
  return out;
}

const warning = (ctx: OpcodeHooksContext) => (m: string) => ctx.job.log(` - WARNING: ${m}`);

/** Post-phase style reporting: every failed script is a warning (in the job log, unless `warn` says otherwise). */
async function runAndWarn(ctx: OpcodeHooksContext, t: HooksTarget, hooksDir: string | null, warn: (m: string) => void = warning(ctx)): Promise<void> {
  let results: NodeResults;
  try {
    results = await callRunner(ctx, t, hooksDir);
  } catch (e) {
    warn(`Communication failure running ${t.hpath}-${t.phase}.d hooks: ${describeError(e)}`);
    return;
  }
  for (const [node, script, output] of failures(results, warn)) warn(`On ${node} script ${script} failed, output: ${output || '(no output)'}`);
}

/**
 * The taps of the plugin. Global hooks run for every opcode and only report: their failures
 * (a node without a noded, a failing script) go to the daemon's log, never to the job's.
 */
export function hookPhases(log: Logger, masterHooksDir: string | null = null) {
  const quiet = (m: string) => log.warn(m);
  return {
    /**
     * Pre phase: the global pre hooks first (results ignored), then the opcode's own, where
     * any failed script on a reachable node aborts the opcode with GNT_HOOKS_ABORT.
     */
    async pre(ctx: OpcodeHooksContext): Promise<void> {
      for (const t of ctx.global) await runAndWarn(ctx, t, masterHooksDir, quiet);
      if (ctx.hpath === null || ctx.nodes.length === 0) return;
      let results: NodeResults;
      try {
        results = await callRunner(ctx, { hpath: ctx.hpath, phase: 'pre', env: ctx.env, nodes: ctx.nodes }, masterHooksDir);
      } catch (e) {
        throw new GanetiError('GNT_HOOKS_FAILURE', { opcode: ctx.opcode.OP_ID, reason: describeError(e) }, { cause: e });
      }
      const failed = failures(results, warning(ctx));
      if (failed.length) throw new GanetiError('GNT_HOOKS_ABORT', { opcode: ctx.opcode.OP_ID, failures: failed });
    },
    /** Post phase: the opcode's own hooks, config-update, then the global post hooks; failures only warn. */
    async post(ctx: OpcodeHooksContext): Promise<void> {
      if (ctx.hpath !== null && ctx.nodes.length > 0) await runAndWarn(ctx, { hpath: ctx.hpath, phase: 'post', env: ctx.env, nodes: ctx.nodes }, masterHooksDir);
      if (ctx.configUpdate) await runAndWarn(ctx, ctx.configUpdate, masterHooksDir);
      for (const t of ctx.global) await runAndWarn(ctx, t, masterHooksDir, quiet);
    },
  };
}
