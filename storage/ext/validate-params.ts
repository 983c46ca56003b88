/**
 * Per-disk parameters of an ext disk, checked on the node (interfaces §10.2 disk keys): the
 * provider (from the disk's logical id, else the `provider` key of a --disk spec) must exist
 * and be valid here; every other key that is not a template parameter (`access`) is the
 * provider's own and must appear in its parameters.list.
 */
import { GanetiError, type Params, type ParamsSchema, type ProviderContext } from '../../core/index.js';
import { findProvider } from './scripts.js';

export async function validateExtParams(params: Params, template: ParamsSchema, ctx: ProviderContext, fromId?: string): Promise<void> {
  const name = fromId ?? params['provider'];
  if (typeof name !== 'string' || name === '') throw new GanetiError('GNT_PARAM_MISSING', { owner: "disk template 'ext'", param: 'provider' });
  const provider = await findProvider(name, ctx);
  const known = new Set(provider.parameters.map(([p]) => p));
  for (const param of Object.keys(params).sort()) {
    if (param === 'provider' || param in template.properties) continue;
    if (!known.has(param)) throw new GanetiError('GNT_EXT_PARAM_UNKNOWN', { provider: name, param, known: [...known].join(', ') || '(none)' });
  }
}
