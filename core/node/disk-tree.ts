/**
 * Disk trees on the node: a disk and its children (drbd over two LVs), each level handed to
 * the storage provider of its template. Children come first where the parent needs them
 * (create, assemble) and last where the parent sits on them (shutdown, remove). Shared by
 * the block-device RPCs and the instance RPCs (start assembles the instance's disks).
 */
import type { BlockDevStatus, DeviceAccess, DiskSpec, LdiskStatus, StorageProvider } from '../contracts/storage.js';
import type { ProviderContext } from '../contracts/context.js';
import type { NodeEnv } from './context.js';

export function diskTrees(env: NodeEnv) {
  const provider = (spec: DiskSpec): StorageProvider => env.host.storage.get(spec.dev_type);

  /** Creates the tree (children first, each assembled for its parent); undoes this call's work on failure. */
  async function createTree(spec: DiskSpec, excl: boolean, ctx: ProviderContext, made: DiskSpec[]): Promise<readonly unknown[]> {
    const children: DeviceAccess[] = [];
    for (const child of spec.children ?? []) {
      await createTree(child, excl, ctx, made);
      children.push(await provider(child).assemble(child, { children: [], primary: false }, ctx));
    }
    const id = await provider(spec).create(spec, { children, exclusiveStorage: excl }, ctx);
    made.push({ ...spec, logicalId: id });
    return id;
  }

  async function assembleTree(spec: DiskSpec, primary: boolean, ctx: ProviderContext): Promise<DeviceAccess> {
    const children: DeviceAccess[] = [];
    for (const child of spec.children ?? []) children.push(await assembleTree(child, primary, ctx));
    return provider(spec).assemble(spec, { children, primary }, ctx);
  }

  async function shutdownTree(spec: DiskSpec, ctx: ProviderContext): Promise<void> {
    await provider(spec).shutdown(spec, ctx);
    for (const child of spec.children ?? []) await shutdownTree(child, ctx);
  }

  /** Removes parent then children; every level is tried, the first error is reported. */
  async function removeTree(spec: DiskSpec, ctx: ProviderContext): Promise<void> {
    let first: unknown;
    await provider(spec).remove(spec, ctx).catch((e: unknown) => void (first ??= e));
    for (const child of spec.children ?? []) await removeTree(child, ctx).catch((e: unknown) => void (first ??= e));
    if (first !== undefined) throw first;
  }

  /** The tree's status: the device's own, with the children's worst local disk status folded in. */
  async function statusTree(spec: DiskSpec, ctx: ProviderContext): Promise<BlockDevStatus> {
    const own = await provider(spec).syncStatus(spec, ctx);
    let ldisk: LdiskStatus = own.ldisk_status;
    let degraded = own.is_degraded;
    for (const child of spec.children ?? []) {
      const c = await statusTree(child, ctx);
      ldisk = Math.max(ldisk, c.ldisk_status) as LdiskStatus;
      degraded ||= c.is_degraded;
    }
    return { ...own, ldisk_status: ldisk, is_degraded: degraded };
  }

  return { provider, createTree, assembleTree, shutdownTree, removeTree, statusTree };
}

/** The disk-tree walker of one node daemon. */
export type DiskTrees = ReturnType<typeof diskTrees>;
