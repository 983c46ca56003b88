import type { HookName, HostHooks, PluginHooks } from '../contracts/hooks.js';
import type { PluginApi, ProviderBase, ProviderKind } from '../contracts/plugin.js';
import type { Logger } from '../contracts/context.js';
import type { Params } from '../contracts/params.js';
import type { GanetiPaths } from '../paths.js';
import { GanetiError } from '../errors/index.js';
import type { RpcProcedure } from '../contracts/rpc.js';
import { attribute, callAttributed } from './attribution.js';
import type { ProviderRegistry } from './registry.js';

type AnyHook = {
  tap(o: unknown, fn: Function): void;
  tapAsync?(o: unknown, fn: Function): void;
  tapPromise?(o: unknown, fn: Function): void;
};
type TapMethod = 'tap' | 'tapAsync' | 'tapPromise';

type Staged =
  | { type: 'provider'; kind: ProviderKind; name: string; provider: ProviderBase }
  | { type: 'rpc'; procedure: RpcProcedure }
  | { type: 'tap'; hook: HookName; method: TapMethod; options: unknown; fn: Function };

/** A node-side RPC procedure and the plugin that added it. */
export interface PluginRpcProcedure {
  readonly plugin: string;
  readonly procedure: RpcProcedure;
}

export interface HostParts {
  readonly hooks: HostHooks;
  /** Procedures added by plugins; appended on commit. */
  readonly rpcProcedures?: PluginRpcProcedure[];
  readonly registries: { readonly [K in ProviderKind]: ProviderRegistry<ProviderBase> };
  readonly paths: GanetiPaths;
}

/**
 * The API one plugin's apply() sees. Registrations and taps are checked at once but only
 * staged; `commit()` makes them live after apply succeeded, so a plugin that throws halfway
 * leaves nothing behind. Every tap is wrapped to name the plugin and the hook on failure.
 */
export function stagePluginApi(parts: HostParts, plugin: string, options: Params, log: Logger, apiVersion: number) {
  const staged: Staged[] = [];
  const pendingNames = new Map<ProviderKind, Set<string>>();

  const registrar = (kind: ProviderKind) => ({
    register(name: string, provider: ProviderBase) {
      const pending = pendingNames.get(kind) ?? new Set<string>();
      parts.registries[kind].check(name, provider, plugin, pending);
      pending.add(name);
      pendingNames.set(kind, pending);
      staged.push({ type: 'provider', kind, name, provider });
    },
  });

  const hookFacade = (hook: HookName) => {
    const real = parts.hooks[hook] as unknown as AnyHook;
    const facade: Partial<Record<TapMethod, (o: unknown, fn: Function) => void>> = {};
    for (const method of ['tap', 'tapAsync', 'tapPromise'] as const) {
      if (typeof real[method] !== 'function') continue;
      facade[method] = (options: unknown, fn: Function) => {
        if (typeof fn !== 'function') throw new TypeError(`${hook}.${method}() needs a function`);
        staged.push({ type: 'tap', hook, method, options, fn });
      };
    }
    return Object.freeze(facade);
  };

  const rpc = {
    register(procedure: RpcProcedure) {
      const name = procedure?.call?.name;
      const invalid = (reason: string) => new GanetiError('GNT_PROVIDER_INVALID', { kind: 'rpc', name: String(name), plugin, reason }, { plugin });
      if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name)) throw invalid('the procedure name must match [a-z][a-z0-9_]*');
      if (typeof procedure.handler !== 'function') throw invalid('it has no handler');
      const taken = parts.rpcProcedures?.find((p) => p.procedure.call.name === name) ?? staged.find((x) => x.type === 'rpc' && x.procedure.call.name === name);
      if (taken) throw new GanetiError('GNT_PROVIDER_DUPLICATE', { kind: 'rpc', name, plugin, owner: 'plugin' in taken ? taken.plugin : plugin }, { plugin });
      staged.push({ type: 'rpc', procedure });
    },
  };

  const hooks = Object.freeze(
    Object.fromEntries((Object.keys(parts.hooks) as HookName[]).map((h) => [h, hookFacade(h)])),
  ) as unknown as PluginHooks;

  const api = Object.freeze({
    apiVersion,
    pluginName: plugin,
    hooks,
    hypervisors: registrar('hypervisor'),
    storage: registrar('storage'),
    collectors: registrar('collector'),
    networks: registrar('network'),
    os: registrar('os'),
    iallocators: registrar('iallocator'),
    rpc: Object.freeze(rpc),
    paths: parts.paths,
    log,
    options,
  }) as unknown as PluginApi;

  const commit = () => {
    const provided: { kind: ProviderKind; name: string }[] = [];
    for (const s of staged) {
      if (s.type === 'provider') {
        parts.registries[s.kind].add(s.name, s.provider, plugin);
        provided.push({ kind: s.kind, name: s.name });
      } else if (s.type === 'rpc') {
        parts.rpcProcedures?.push({ plugin, procedure: s.procedure });
      } else {
        const onError = (e: unknown) => attribute(e, plugin, s.hook, 'GNT_PLUGIN_HOOK_FAILED');
        (parts.hooks[s.hook] as unknown as AnyHook)[s.method]!(s.options, wrapTap(s.method, signVetoes(s.fn, plugin), onError));
      }
    }
    return provided;
  };

  return { api, commit };
}

/** A tap's veto (`{ veto }` from a before-hook) is signed with the plugin's name. */
function signVetoes(fn: Function, plugin: string): Function {
  const sign = (r: unknown) => (r && typeof r === 'object' && typeof (r as { veto?: unknown }).veto === 'string' ? { ...(r as object), plugin } : r);
  return function (this: unknown, ...args: unknown[]) {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      // tapAsync: sign what is passed to the callback
      const cb = last as (err: unknown, result?: unknown) => void;
      return fn.apply(this, [...args.slice(0, -1), (err: unknown, result?: unknown) => cb(err, sign(result))]);
    }
    const out = fn.apply(this, args);
    return out && typeof (out as PromiseLike<unknown>).then === 'function' ? Promise.resolve(out).then(sign) : sign(out);
  };
}

function wrapTap(method: TapMethod, fn: Function, onError: (e: unknown) => GanetiError): Function {
  if (method === 'tapAsync') {
    return (...args: unknown[]) => {
      const callback = args.pop() as (err?: Error | null, result?: unknown) => void;
      try {
        fn(...args, (err: unknown, result?: unknown) => (err ? callback(onError(err)) : callback(null, result)));
      } catch (e) {
        callback(onError(e));
      }
    };
  }
  if (method === 'tapPromise') {
    return (...args: unknown[]) => {
      try {
        return Promise.resolve(fn(...args)).catch((e: unknown) => {
          throw onError(e);
        });
      } catch (e) {
        return Promise.reject(onError(e));
      }
    };
  }
  return (...args: unknown[]) => callAttributed(fn, undefined, args, onError);
}
