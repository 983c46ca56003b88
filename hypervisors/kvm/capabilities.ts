/**
 * What the installed qemu supports, asked of qemu itself instead of guessed from its version:
 * `-help` for the options, `-device help` for the devices, `-version` for the version. The
 * answers are cached per binary and its modification time, so an upgrade is seen at once.
 * A command that needs something this qemu lacks is refused before it runs, naming it.
 */
import { stat } from 'node:fs/promises';
import { GanetiError, type ProviderContext } from '../../core/index.js';
import type { QemuCommand } from './command-line.js';

export interface QemuCapabilities {
  readonly version: readonly number[];
  readonly options: ReadonlySet<string>;
  readonly devices: ReadonlySet<string>;
}

const cache = new Map<string, { key: string; caps: QemuCapabilities }>();

async function ask(ctx: ProviderContext, binary: string, args: string[]): Promise<string> {
  const r = await ctx.run([binary, ...args], { timeoutMs: 30_000 });
  if (!r.ok) throw new GanetiError('GNT_KVM_QEMU_UNSUPPORTED', { binary, what: `'${args.join(' ')}'`, reason: r.notFound ? 'the binary does not exist' : `it failed: ${r.all.trim().split('\n').slice(-3).join(' ')}` });
  return r.stdout;
}

export async function qemuCapabilities(ctx: ProviderContext, binary: string): Promise<QemuCapabilities> {
  const st = await stat(binary).catch(() => null);
  if (!st) throw new GanetiError('GNT_KVM_QEMU_UNSUPPORTED', { binary, what: 'the qemu binary', reason: 'it does not exist (hvparam kvm_path)' });
  const key = `${st.ino}:${st.mtimeMs}:${st.size}`;
  const hit = cache.get(binary);
  if (hit?.key === key) return hit.caps;
  const [help, devs, ver] = await Promise.all([ask(ctx, binary, ['-help']), ask(ctx, binary, ['-device', 'help']), ask(ctx, binary, ['-version'])]);
  const options = new Set([...help.matchAll(/^(-[a-zA-Z0-9-]+)/gm)].map((m) => m[1]!));
  const devices = new Set([...devs.matchAll(/^name "([^"]+)"/gm)].map((m) => m[1]!));
  const version = (/version (\d+)\.(\d+)(?:\.(\d+))?/.exec(ver) ?? []).slice(1).filter(Boolean).map(Number);
  const caps = { version, options, devices };
  cache.set(binary, { key, caps });
  return caps;
}

/** Refuses a command needing an option or device this qemu does not have. */
export function checkCommand(cmd: QemuCommand, caps: QemuCapabilities): void {
  for (const o of cmd.options) {
    if (!caps.options.has(o.option)) throw new GanetiError('GNT_KVM_QEMU_UNSUPPORTED', { binary: cmd.binary, what: `option ${o.option}`, reason: 'its -help does not list it' });
  }
  for (const d of cmd.devices) {
    if (!caps.devices.has(d.driver)) throw new GanetiError('GNT_KVM_QEMU_UNSUPPORTED', { binary: cmd.binary, what: `device ${d.driver}`, reason: "its '-device help' does not list it" });
  }
}

/** QMP commands the plugin sends; a qemu whose query-commands lacks one is refused at start. */
export const QMP_COMMANDS_USED = Object.freeze(['cont', 'stop', 'quit', 'query-status', 'system_powerdown', 'system_reset', 'migrate', 'migrate_cancel', 'migrate-set-parameters', 'query-migrate']);

const qmpChecked = new Set<string>();

/**
 * Asks the running qemu which QMP commands it has (`query-commands`), once per binary, and
 * refuses one that lacks a command this plugin sends, naming it.
 */
export async function checkQmpCommands(client: { execute<T>(command: string): Promise<T> }, binary: string): Promise<void> {
  if (qmpChecked.has(binary)) return;
  const have = new Set((await client.execute<{ name: string }[]>('query-commands')).map((c) => c.name));
  for (const name of QMP_COMMANDS_USED) {
    if (!have.has(name)) throw new GanetiError('GNT_KVM_QEMU_UNSUPPORTED', { binary, what: `QMP command ${name}`, reason: 'its query-commands does not list it' });
  }
  qmpChecked.add(binary);
}
