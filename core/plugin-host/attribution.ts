import { GanetiError, describeError } from '../errors/index.js';

/**
 * Attribution of failures to a plugin and a hook (rollup's PluginDriver does the same).
 * A GanetiError raised on purpose keeps its code and gains the attribution; anything else
 * becomes GNT_PLUGIN_HOOK_FAILED (taps) or GNT_PROVIDER_FAILED (provider methods).
 */
export function attribute(err: unknown, plugin: string, hook: string, code: 'GNT_PLUGIN_HOOK_FAILED' | 'GNT_PROVIDER_FAILED'): GanetiError {
  if (err instanceof GanetiError) {
    err.plugin ??= plugin;
    err.hook ??= hook;
    return err;
  }
  return new GanetiError(code, { plugin, hook, reason: describeError(err) }, { cause: err, plugin, hook });
}

type OnError = (e: unknown) => GanetiError;

/** Calls fn, mapping a synchronous throw or a rejected promise through onError. */
export function callAttributed(fn: Function, thisArg: unknown, args: unknown[], onError: OnError): unknown {
  let out: unknown;
  try {
    out = fn.apply(thisArg, args);
  } catch (e) {
    throw onError(e);
  }
  if (out !== null && typeof out === 'object' && typeof (out as PromiseLike<unknown>).then === 'function') {
    return Promise.resolve(out).catch((e: unknown) => {
      throw onError(e);
    });
  }
  return out;
}

/**
 * Wraps every method of a provider, including those of nested groups such as `migration` or
 * `storageUnits[0]`, so that its failures name the plugin and the method
 * (`hypervisor kvm.migration.migrate`). Data properties and `this` are untouched. The proxy
 * target is a blank object so that frozen providers work (proxy invariants).
 */
export function attributedProvider<P extends object>(provider: P, plugin: string, label: string): P {
  const cache = new Map<PropertyKey, { from: unknown; to: unknown }>();
  const wrap = (prop: string, value: unknown): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => wrap(`${prop}[${i}]`, v));
    if (value !== null && typeof value === 'object' && !(value instanceof Promise)) return attributedProvider(value, plugin, `${label}.${prop}`);
    if (typeof value !== 'function') return value;
    const onError = (e: unknown) => attribute(e, plugin, `${label}.${prop}`, 'GNT_PROVIDER_FAILED');
    return (...args: unknown[]) => callAttributed(value, provider, args, onError);
  };
  return new Proxy({} as P, {
    get(_blank, prop) {
      const value: unknown = Reflect.get(provider, prop);
      if (typeof prop === 'symbol' || prop === 'constructor' || prop === 'params') return value;
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
      const hit = cache.get(prop);
      if (hit && hit.from === value) return hit.to;
      const to = wrap(prop, value);
      cache.set(prop, { from: value, to });
      return to;
    },
    has: (_blank, prop) => prop in provider,
    ownKeys: () => Reflect.ownKeys(provider),
    getOwnPropertyDescriptor(_blank, prop) {
      const d = Reflect.getOwnPropertyDescriptor(provider, prop);
      return d && { ...d, configurable: true };
    },
  });
}
