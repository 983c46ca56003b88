import type { ParamsSchema } from './params.js';

/**
 * What every provider has: its parameters as a JSON schema, and a line for `gnt-debug plugins`.
 * Kept in its own file so that the provider contracts (hypervisor.ts, storage.ts, ...) can
 * extend it without an import cycle through plugin.ts, which imports them all.
 */
export interface ProviderBase {
  readonly params: ParamsSchema;
  readonly description?: string;
}
