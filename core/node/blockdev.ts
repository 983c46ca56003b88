/**
 * The block-device RPCs on the node (Ganeti's blockdev_* calls, interfaces §9.2, §14.2): each
 * names a disk tree in its wire form; this module walks the tree, children first where the
 * parent needs them (create, assemble) and parent first where it sits on them (shutdown,
 * remove), and hands each level to the storage provider of its template.
 *
 * A create that fails part-way removes what this call created, so a failed create leaves
 * the node as it found it; the master then leaves the config untouched.
 */
import type { BlockDevStatus, DeviceAccess, DiskSpec, LdiskStatus, StorageProvider } from '../contracts/storage.js';
import type { ProviderContext } from '../contracts/context.js';
import type { RpcHandler } from '../rpc/server.js';
import { GanetiError, describeError } from '../errors/index.js';
import { diskSpecOf, type WireDisk } from '../storage/disk-wire.js';
import { providerContext, type NodeEnv } from './context.js';
import { diskTrees } from './disk-tree.js';

const noOptions = { children: [], exclusiveStorage: false } as const;

export function blockdevHandlers(env: NodeEnv): Record<string, RpcHandler> {
  const { provider, createTree, assembleTree, shutdownTree, removeTree, statusTree } = diskTrees(env);

  const spec = (w: unknown): DiskSpec => diskSpecOf(w as WireDisk);
  const ctxOf = (signal: AbortSignal) => providerContext(env, signal);

  return {
    async blockdev_create(args, req) {
      const [disk, , , onPrimary, info, excl] = args as [WireDisk, number, unknown, boolean, string, boolean];
      const ctx = ctxOf(req.signal);
      const made: DiskSpec[] = [];
      const s = spec(disk);
      // the environment check first (ext: the provider exists here and lists these parameters)
      await provider(s).validateDiskParams?.(s.params, ctx, s);
      try {
        const id = await createTree(s, Boolean(excl), ctx, made);
        const created = { ...s, logicalId: id };
        // as Ganeti's BlockdevCreate: on the primary the new device is assembled and opened,
        // and the metadata (`originstname+<instance>`) is stored with it
        // (Ganeti's AssembleOnSecondary: a network mirror is brought up on the secondary as
        // well, so that the primary finds its peer when it opens the new pair)
        if (onPrimary || provider(created).mirrored === 'internal') await assembleTree(created, Boolean(onPrimary), ctx);
        if (onPrimary) await provider(created).open?.(created, true, ctx);
        if (info) await provider(created).setInfo?.(created, info, ctx);
        return id;
      } catch (e) {
        for (const m of made.reverse()) {
          await provider(m).remove(m, ctx).catch((u: unknown) => env.log.warn(`blockdev_create: could not undo ${m.dev_type} ${m.uuid}: ${describeError(u)}`));
        }
        throw e;
      }
    },

    async blockdev_assemble(args, req) {
      const [disk, , onPrimary] = args as [WireDisk, unknown, boolean];
      const ctx = ctxOf(req.signal);
      const s = spec(disk);
      const access = await assembleTree(s, Boolean(onPrimary), ctx);
      if (onPrimary) await provider(s).open?.(s, true, ctx);
      return [access.devPath ?? null, null, access.uris];
    },

    async blockdev_shutdown(args, req) {
      await shutdownTree(spec(args[0]), ctxOf(req.signal));
      return null;
    },

    async blockdev_remove(args, req) {
      await removeTree(spec(args[0]), ctxOf(req.signal));
      return null;
    },

    async blockdev_find(args, req) {
      const ctx = ctxOf(req.signal);
      const s = spec(args[0]);
      if (!(await provider(s).attach(s, ctx))) return null;
      return statusTree(s, ctx);
    },

    async blockdev_getmirrorstatus(args, req) {
      const ctx = ctxOf(req.signal);
      const out: [boolean, unknown][] = [];
      for (const d of args[0] as WireDisk[]) {
        try {
          out.push([true, await statusTree(spec(d), ctx)]);
        } catch (e) {
          out.push([false, describeError(e)]);
        }
      }
      return out;
    },

    async blockdev_getdimensions(args, req) {
      const ctx = ctxOf(req.signal);
      const out: ([number, number | null] | null)[] = [];
      for (const d of args[0] as WireDisk[]) {
        const s = spec(d);
        const found = await provider(s).attach(s, ctx).catch(() => null);
        if (!found) out.push(null);
        else {
          const dim = await provider(s).actualSize(s, ctx);
          out.push([dim.size, dim.spindles]);
        }
      }
      return out;
    },

    async blockdev_grow(args, req) {
      const [disk, amount, dryRun, backingStore, excl] = args as [WireDisk, number, boolean, boolean, boolean];
      const ctx = ctxOf(req.signal);
      const s = spec(disk);
      const p = provider(s);
      if (!p.grow) throw unsupported(s, 'grow');
      // Children first: a device never grows past what is under it.
      for (const child of s.children ?? []) {
        const cp = provider(child);
        if (cp.grow) await cp.grow(child, amount, { dryRun, backingStore, exclusiveStorage: excl }, ctx);
      }
      await p.grow(s, amount, { dryRun, backingStore, exclusiveStorage: excl }, ctx);
      return null;
    },

    async blockdev_setinfo(args, req) {
      const [disk, info] = args as [WireDisk, string];
      const s = spec(disk);
      await provider(s).setInfo?.(s, info, ctxOf(req.signal));
      return null;
    },

    async blockdev_open(args, req) {
      const [, disks, exclusive] = args as [string, WireDisk[], boolean];
      const ctx = ctxOf(req.signal);
      for (const d of disks) {
        const s = spec(d);
        await provider(s).open?.(s, exclusive, ctx);
      }
      return null;
    },

    async blockdev_close(args, req) {
      const [, disks] = args as [string, WireDisk[]];
      const ctx = ctxOf(req.signal);
      for (const d of disks) {
        const s = spec(d);
        await provider(s).close?.(s, ctx);
      }
      return null;
    },

    async blockdev_rename(args, req) {
      const ctx = ctxOf(req.signal);
      for (const [d, newId] of args[0] as [WireDisk, unknown[]][]) {
        const s = spec(d);
        const p = provider(s);
        if (!p.rename) throw unsupported(s, 'rename');
        await p.rename(s, newId, ctx);
      }
      return null;
    },

    async blockdev_snapshot(args, req) {
      const [disk, name, size] = args as [WireDisk, string | null, number | null];
      const s = spec(disk);
      const p = provider(s);
      if (!p.snapshot) throw unsupported(s, 'snapshot');
      return p.snapshot(s, { name: name ?? `${String(s.logicalId[1] ?? s.uuid)}.snap`, size: size ?? s.size }, ctxOf(req.signal));
    },

    async blockdev_addchildren(args, req) {
      const ctx = ctxOf(req.signal);
      const s = spec(args[0]);
      const children = [];
      for (const c of args[1] as WireDisk[]) children.push(await assembleTree(spec(c), false, ctx));
      await mirrorOf(s).addChildren(s, children, ctx);
      return null;
    },

    async blockdev_removechildren(args, req) {
      const s = spec(args[0]);
      await mirrorOf(s).removeChildren(s, (args[1] as WireDisk[]).map(spec), ctxOf(req.signal));
      return null;
    },

    async drbd_disconnect_net(args, req) {
      const ctx = ctxOf(req.signal);
      for (const d of args[0] as WireDisk[]) await mirrorOf(spec(d)).disconnectNet(spec(d), ctx);
      return null;
    },

    async drbd_attach_net(args, req) {
      const ctx = ctxOf(req.signal);
      for (const d of args[0] as WireDisk[]) await mirrorOf(spec(d)).attachNet(spec(d), Boolean(args[1]), ctx);
      return null;
    },

    async drbd_wait_sync(args, req) {
      const ctx = ctxOf(req.signal);
      let done = true;
      let lowest: number | null = null;
      for (const d of args[0] as WireDisk[]) {
        const st = await statusTree(spec(d), ctx);
        if (st.sync_percent !== null) {
          done = false;
          lowest = Math.min(lowest ?? 100, st.sync_percent);
        }
      }
      return [done, lowest];
    },
  };

  function mirrorOf(s: DiskSpec) {
    const m = provider(s).mirror;
    if (!m) throw unsupported(s, 'mirror operations');
    return m;
  }

  function unsupported(s: DiskSpec, action: string) {
    return new GanetiError('GNT_DISK_UNSUPPORTED', { template: s.dev_type, disk: String(s.logicalId[1] ?? s.uuid), action });
  }
}
