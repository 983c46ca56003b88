import { run } from './run.js';
import type { RunOptions, Runner } from './types.js';

/**
 * A `Runner` tied to `signal` (what providers get as `ctx.run`): aborting `signal` kills every
 * command started through it. A call's own `signal` is combined with it (either aborts).
 * `defaults` apply under each call's options; `env` is merged (the call's variables win).
 */
export function boundRunner(signal: AbortSignal, defaults: RunOptions = {}): Runner {
  return (argv, options = {}) => {
    const signals = [signal, defaults.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
    const env = defaults.env || options.env ? { ...defaults.env, ...options.env } : undefined;
    return run(argv, {
      ...defaults,
      ...options,
      ...(env ? { env } : {}),
      signal: signals.length === 1 ? signal : AbortSignal.any(signals),
    });
  };
}
