/**
 * Network providers: one per NIC mode (`bridged`, `routed`, `openvswitch`, ...; interfaces
 * §10.2). The hypervisor creates the host-side interface of a NIC (tap, veth); the network
 * provider connects it to the node's network according to the NIC's mode, link and vlan.
 * Hypervisors reach it only through the NicConnector the core gives them.
 *
 * NIC state machine, on one node:
 *
 * ```
 *              hypervisor creates iface        connect
 *  configured ─────────────────────────► plugged ────────► connected
 *      ▲                                   ▲  │               │
 *      │   hypervisor removes iface        │  └─ disconnect ◄─┘
 *      └───────────────────────────────────┘
 * ```
 * - configured: in the config only; no interface on this node.
 * - plugged: the interface exists (the guest is not yet running, or is paused); `connect`
 *   is called now, so traffic flows as soon as the guest runs.
 * - connected: bridged into `link`, routed, or an OVS port with its VLANs. `disconnect`
 *   undoes what `connect` did, before or after the interface disappears (stop, cleanup,
 *   hot-remove). A hot-modified NIC is disconnected and connected again with its new
 *   parameters. On a migration target, `migrationPrepare` runs before the interface exists.
 * Failures are thrown as a GanetiError (core/errors); a failed `connect` fails the start.
 */
import type { ProviderContext } from './context.js';
import type { Params } from './params.js';
import type { ProviderBase } from './provider.js';
import type { AttachedNic, HvInstance, HvNic, NicMode } from './hypervisor.js';

/**
 * The network side of one NIC mode. Registered with `host.networks.register(mode, p)`;
 * `params` is the schema of the NIC parameters this mode accepts (mode, link, vlan, ...),
 * checked on the master for syntax.
 */
export interface NetworkProvider extends ProviderBase {
  /** The NIC mode served; equals the registration name. */
  readonly mode: NicMode;
  /**
   * On the node, once the interface `nic.iface` exists and before the guest runs: connects
   * it (add to the bridge, set routes and proxy ARP, add the OVS port with its VLANs) and
   * brings it up. Must be idempotent.
   */
  connect(nic: AttachedNic, instance: HvInstance, ctx: ProviderContext): Promise<void>;
  /**
   * On the node: undoes `connect`. Idempotent; must succeed when the interface is already
   * gone (only leftovers such as routes or OVS ports are then removed).
   */
  disconnect(nic: AttachedNic, instance: HvInstance, ctx: ProviderContext): Promise<void>;
  /**
   * On the master, synchronous: rules the schema cannot express (e.g. routed needs an IP,
   * bridged a link). Throws GanetiError (ECODE_INVAL).
   */
  checkNicParams?(nicparams: Params, ip: string | null): void;
  /**
   * On the node (instance start prechecks, `gnt-cluster verify`): checks `link` is usable
   * here (the bridge or switch exists). Returns an error message, or null when fine.
   */
  verifyNode?(link: string, ctx: ProviderContext): Promise<string | null>;
  /**
   * On a migration target, before the hypervisor accepts the instance: prepares what must
   * exist before the interface does. Throwing aborts the migration.
   */
  migrationPrepare?(nic: HvNic, instance: HvInstance, ctx: ProviderContext): Promise<void>;
}

/** Methods every network provider has; the host refuses a registration lacking one. */
export const NETWORK_REQUIRED_METHODS = Object.freeze(['connect', 'disconnect'] as const satisfies readonly (keyof NetworkProvider)[]);
