import type { HvDisk } from '../contracts/hypervisor.js';
import type { ProviderContext } from '../contracts/context.js';
import { diskSpecOf, type WireDisk } from '../storage/disk-wire.js';
import type { DiskTrees } from './disk-tree.js';

/**
 * Assembles an instance's disks on this node (idempotent), opens them, and describes them as
 * the hypervisor and the OS scripts see them: the block device and the userspace URI for
 * `hypervisor`.
 */
export async function assembleHvDisks(trees: DiskTrees, hypervisor: string, wire: readonly WireDisk[], ctx: ProviderContext, exclusive = true): Promise<HvDisk[]> {
  const out: HvDisk[] = [];
  for (const w of wire) {
    const spec = diskSpecOf(w);
    const access = await trees.assembleTree(spec, true, ctx);
    await trees.provider(spec).open?.(spec, exclusive, ctx);
    const prefix = `${hypervisor}:`;
    const uri = access.uris.find((u) => u.startsWith(prefix))?.slice(prefix.length) ?? null;
    out.push({
      uuid: spec.uuid, name: spec.name ?? null, iv_name: spec.iv_name, dev_type: spec.dev_type, size: spec.size, mode: spec.mode,
      access: spec.params['access'] === 'userspace' ? 'userspace' : 'kernelspace', dev_path: access.devPath ?? null, uri,
    });
  }
  return out;
}
