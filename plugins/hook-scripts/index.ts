/**
 * Built-in plugin: Ganeti's hook scripts (doc/hooks.rst). On every node it serves
 * `hooks_runner`, which runs `<hooks dir>/<hpath>-<phase>.d` with run-parts rules; on the
 * master it taps the opcode hook phases core computes and calls the nodes.
 */
import { PLUGIN_API_VERSION, builtinRpcCall, definePlugin, type HooksPhase } from '../../core/index.js';
import { HOOKS_RUNNER, hookPhases } from './phases.js';
import { runHooks } from './run-parts.js';

export const PLUGIN_NAME = 'builtin:plugins/hook-scripts';

export default definePlugin({
  name: PLUGIN_NAME,
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.rpc.register({
      call: builtinRpcCall(HOOKS_RUNNER),
      // the call table checked the argument types already
      handler: ([hpath, phase, env], ctx) => runHooks(ctx.paths.hooksDir, hpath as string, phase as HooksPhase, env as Record<string, string>, ctx),
    });
    const phases = hookPhases(host.log, host.paths.hooksDir);
    host.hooks.opcodeHooksPre.tapPromise(PLUGIN_NAME, phases.pre);
    host.hooks.opcodeHooksPost.tapPromise(PLUGIN_NAME, phases.post);
  },
});
