/**
 * The `ext` template (Ganeti's ExtStorageDevice): every operation is a script of a named
 * provider (logical id `[provider, volume]`), found in the node's ExtStorage search path.
 * State machine mapping: create → `create`; assemble → `attach` (idempotent, prints where the
 * volume is); shutdown → `detach`; open/close → `open`/`close` (skipped when absent); remove
 * → `remove` (when it fails, `attach` tells whether the volume is already gone).
 *
 * ExtStorage has no read-only lookup, so `attach()` runs the attach script as Ganeti's own
 * lookup does: the provider maps the volume if it was not mapped. A volume that does not exist
 * is one for which the script prints nothing.
 */
import { GanetiError, type DeviceAccess, type DiskSpec, type ParamsSchema, type ProviderContext, type StorageProvider } from '../../core/index.js';
import { actionEnv, type ActionValues } from './env.js';
import { TEMPLATE, extId, type ExtId } from './logical-id.js';
import { findProvider, diagnoseProviders, type ExtAction } from './scripts.js';
import { runAction } from './run-action.js';
import { blockDevice, parseAttachOutput, uriFor } from './attach-output.js';
import { DEFAULT_TIMEOUTS, type ExtTimeouts } from './timeouts.js';
import { validateExtParams } from './validate-params.js';

/**
 * The template's own disk parameters (cluster/group `-D ext:access=...`). The provider's
 * parameters are not template parameters: each provider has its own, they are given per disk
 * (`--disk 0:size=1G,provider=p,foo=bar`) and checked on the node against the provider's
 * parameters.list by validateDiskParams, since only the node knows the provider.
 */
export const EXT_PARAMS: ParamsSchema = Object.freeze({
  type: 'object',
  properties: {
    access: { enum: ['kernelspace', 'userspace'], default: 'kernelspace', description: 'how instances reach the disks: kernelspace (block device) or userspace (URI, e.g. for qemu)' },
  },
});


const accessOf = (out: { devPath: string | null; uris: string[] }, dev?: { major: number; minor: number }): DeviceAccess => ({
  ...(out.devPath !== null ? { devPath: out.devPath } : {}),
  uris: out.uris,
  ...(dev ? { major: dev.major, minor: dev.minor } : {}),
});

export function createExtStorage(timeouts: ExtTimeouts = DEFAULT_TIMEOUTS): StorageProvider {
  const act = async (action: ExtAction, spec: DiskSpec, ctx: ProviderContext, v?: ActionValues, id: ExtId = extId(spec)) => {
    const provider = await findProvider(id.provider, ctx);
    return runAction(provider, action, id, actionEnv(action, spec, id, v), timeouts, ctx);
  };

  /** Runs attach; null when the script names neither a device nor a URI. */
  const lookup = async (spec: DiskSpec, ctx: ProviderContext): Promise<DeviceAccess | null> => {
    const id = extId(spec);
    const { result } = await act('attach', spec, ctx, {}, id);
    const out = parseAttachOutput(result.stdout);
    if (out.devPath === null) return out.uris.length ? accessOf(out) : null;
    const dev = await blockDevice(out.devPath);
    if (typeof dev === 'string') throw new GanetiError('GNT_EXT_ATTACH_OUTPUT', { provider: id.provider, volume: id.volume, problem: dev, tail: result.all.trimEnd().split('\n').slice(-20).join('\n') });
    return accessOf(out, dev);
  };

  const attached = async (spec: DiskSpec, ctx: ProviderContext): Promise<DeviceAccess> => {
    const found = await lookup(spec, ctx);
    if (!found) throw new GanetiError('GNT_DISK_NOT_FOUND', { template: TEMPLATE, disk: extId(spec).volume, node: ctx.nodeName });
    return found;
  };

  return {
    description: 'Disks from ExtStorage provider scripts (Ganeti ExtStorage interface)',
    params: EXT_PARAMS,
    diskTemplate: TEMPLATE,
    storageType: 'ext',
    mirrored: 'external',
    fileBased: false,
    // Present for every provider; a provider without a snapshot script refuses with a coded error.
    supportsSnapshot: true,
    supportsGrow: true,
    userspaceAccess: true,

    async create(spec, opts, ctx) {
      const id = extId(spec);
      if (!Number.isInteger(spec.size) || spec.size <= 0)
        throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: id.volume, reason: `size must be a positive whole number of MiB, not ${spec.size}` });
      if (opts.exclusiveStorage)
        throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: id.volume, reason: 'ExtStorage disks cannot be made with exclusive_storage' });
      await act('create', spec, ctx, { size: spec.size }, id);
      ctx.log.info(`created ext volume ${id.volume} (${spec.size} MiB) with provider ${id.provider}`);
      return spec.logicalId;
    },

    attach: lookup,

    async assemble(spec, _opts, ctx) {
      const id = extId(spec);
      const found = await lookup(spec, ctx);
      if (!found) throw new GanetiError('GNT_EXT_ATTACH_OUTPUT', { provider: id.provider, volume: id.volume, problem: 'printed neither a block device nor a userspace URI', tail: '' });
      return found;
    },

    async shutdown(spec, ctx) {
      await act('detach', spec, ctx);
    },

    async remove(spec, ctx) {
      // Ganeti runs attach first to see whether the volume exists. Running remove first and
      // asking attach only when remove fails keeps remove idempotent with one script in the
      // common case: a volume attach no longer finds is already gone.
      try {
        await act('remove', spec, ctx);
      } catch (e) {
        if (e instanceof GanetiError && e.code === 'GNT_EXT_SCRIPT_FAILED' && (await lookup(spec, ctx).catch(() => undefined)) === null) return;
        throw e;
      }
      ctx.log.info(`removed ext volume ${extId(spec).volume}`);
    },

    async syncStatus(spec, ctx) {
      const a = await attached(spec, ctx);
      // The provider's storage does its own redundancy; there is nothing to resync here.
      return { dev_path: a.devPath ?? null, major: a.major ?? null, minor: a.minor ?? null, sync_percent: null, estimated_time: null, is_degraded: false, ldisk_status: 1 };
    },

    async actualSize(spec, ctx) {
      const a = await attached(spec, ctx);
      const id = extId(spec);
      if (!a.devPath) throw new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: id.volume, action: 'measure', reason: 'the provider gives no block device (userspace access only)' });
      const r = await ctx.run(['blockdev', '--getsize64', a.devPath]);
      const bytes = Number(r.stdout.trim());
      if (!r.ok || !Number.isSafeInteger(bytes))
        throw new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: id.volume, action: 'measure', reason: `blockdev --getsize64 ${a.devPath}: ${r.all.trim() || 'no number printed'}` });
      return { size: bytes, spindles: null };
    },

    async open(spec, exclusive, ctx) {
      const id = extId(spec);
      if (!(await findProvider(id.provider, ctx)).scripts.open) return ctx.log.info(`provider ${id.provider} has no open script; skipped`);
      await act('open', spec, ctx, { exclusive }, id);
    },

    async close(spec, ctx) {
      const id = extId(spec);
      if (!(await findProvider(id.provider, ctx)).scripts.close) return ctx.log.info(`provider ${id.provider} has no close script; skipped`);
      await act('close', spec, ctx, {}, id);
    },

    async grow(spec, amount, opts, ctx) {
      const id = extId(spec);
      if (!Number.isInteger(amount))
        throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: id.volume, reason: `growth must be a whole number of MiB, not ${amount}` });
      if (amount < 0) throw new GanetiError('GNT_DISK_SHRINK', { template: TEMPLATE, disk: id.volume, amount: String(amount) });
      if (!opts.backingStore) return;
      await attached(spec, ctx);
      if (opts.dryRun || amount === 0) return;
      await act('grow', spec, ctx, { size: spec.size, newSize: spec.size + amount }, id);
    },

    async snapshot(spec, snap, ctx) {
      const id = extId(spec);
      const name = snap.name || `${id.volume}.snap`;
      const size = snap.size || spec.size;
      await act('snapshot', spec, ctx, { snapshotName: name, snapshotSize: size }, id);
      return [id.provider, name];
    },

    async setInfo(spec, text, ctx) {
      // As Ganeti: a safe first character, safe characters only, at most 128 of them.
      const metadata = text.replace(/^[^A-Za-z0-9_+.]/, '_').replace(/[^-A-Za-z0-9_+.]/g, '_').slice(0, 128);
      await act('setinfo', spec, ctx, { metadata });
    },

    async userspaceUri(spec, hypervisor, ctx) {
      return uriFor((await attached(spec, ctx)).uris, hypervisor);
    },

    // the provider's own parameters pass the master's schema check and are checked here
    freeDiskParams: true,
    validateDiskParams: (params, ctx, spec) => validateExtParams(params, EXT_PARAMS, ctx, spec ? extId(spec).provider : undefined),

    diagnose: diagnoseProviders,
  };
}


