/**
 * OS providers: sources of OS definitions (interfaces §1).
 *
 * One provider serves any number of OS definitions, reported by `diagnose`. Two kinds fit
 * the same interface:
 * - the built-in script-folder provider scans the OS search path (and folders that packages
 *   declare under `"ganeti": {"os": ...}`), validates each folder as §1.2 says, and runs
 *   its scripts with the §1.4 environment built from the typed requests below, in the
 *   folder, with a reset environment;
 * - an npm plugin implements the operations in JavaScript (spawning tools through
 *   `ctx.run`) and reports its definitions with `path` = its package folder.
 *
 * States, per definition on a node (from `diagnose`) and per instance disk set:
 * ```
 *  definition:  not found ── installed ──► invalid (diagnose says why) ─ fixed ─► valid
 *  instance:    blank disks ──create──► installed ──rename──► installed (new name)
 *                   ▲                       │ export (read, per disk) / import (write, per disk)
 *                   └──── reinstall (create with INSTANCE_REINSTALL=1) ◄┘
 * ```
 * Only valid definitions are used; `verify` (API 20) runs before create/reinstall when
 * parameters are given. A failed create leaves the disks to the core to wipe or remove.
 * Requests are typed (OsInstance, OsDisk, OsNic); turning them into `OS_*`, `INSTANCE_*`,
 * `DISK_N_*`, `NIC_N_*`, `OSP_*` variables is the script provider's job. The core asks all
 * providers of a node and, for a name reported twice, uses the first provider registered
 * (built-ins load first), as the search path's first hit wins in Ganeti. Names arrive
 * without variant; the core has already checked the variant and the parameter names
 * against the definition. Failures are thrown as a GanetiError (core/errors) whose message
 * ends with the last 20 lines of the operation's output.
 */
import type { ProviderContext } from './context.js';
import type { Params } from './params.js';
import type { ProviderBase } from './provider.js';
import type { HvBeParams, HvNic } from './hypervisor.js';
import type { CommandSpec } from './storage.js';

/** OS API versions ganeti-ts supports (§1.3). */
export type OsApiVersion = 10 | 15 | 20;

/** One OS definition on this node: Ganeti's diagnose tuple (§1.1) as an object. */
export interface OsDefinition {
  /** OS name, without variant. */
  readonly name: string;
  /** Folder of the definition (script folder, or the plugin's package folder). */
  readonly path: string;
  readonly valid: boolean;
  /** Why it is invalid; `''` when valid. */
  readonly diagnose: string;
  /** Variants, first is the default; empty when the OS has none. */
  readonly variants: readonly string[];
  /** OS parameters as `[name, description]`. */
  readonly parameters: readonly (readonly [string, string])[];
  /** API versions the definition declares, in the order of its `ganeti_api_version` file. */
  readonly api_versions: readonly number[];
  /** False when the OS can only be installed from a helper VM (only `create_untrusted`). */
  readonly trusted: boolean;
}

/** Which definition an operation is for. */
export interface OsRef {
  readonly name: string;
  /** Requested variant, or the default one; `''` when the OS has no variants or API < 15. */
  readonly variant: string;
  /** Effective API version: the highest one supported by both sides. */
  readonly api_version: OsApiVersion;
}

/** A disk as an OS operation sees it (`DISK_N_*`). */
export interface OsDisk {
  readonly uuid: string;
  readonly name: string | null;
  /** Size in MiB. */
  readonly size: number;
  /** `DISK_N_ACCESS`. */
  readonly mode: 'rw' | 'ro';
  /** Local block device or file path, when one exists. */
  readonly dev_path: string | null;
  /** Userspace URI, when one exists. */
  readonly uri: string | null;
  /** hvparam `disk_type`, when the hypervisor has it. */
  readonly frontend_type: string | null;
  /** `block`, or `file:<driver>` (`loop`, `blktap`, `blktap2`) for file-based templates. */
  readonly backend_type: string;
}

/** A NIC as an OS operation sees it (`NIC_N_*`). */
export interface OsNic extends HvNic {
  /** Bridge, for bridged NICs only. */
  readonly bridge: string | null;
  /** hvparam `nic_type`, when the hypervisor has it. */
  readonly frontend_type: string | null;
}

/** The instance an OS operation works on (the typed form of §1.4's instance variables). */
export interface OsInstance {
  readonly name: string;
  readonly uuid: string;
  /** Full OS string, with variant. */
  readonly os: string;
  /** Seconds since the epoch. */
  readonly ctime: number;
  readonly mtime: number;
  /** Primary node as Ganeti's environment carries it (the node UUID). */
  readonly primary_node: string;
  readonly secondary_nodes: readonly string[];
  readonly hypervisor: string;
  readonly hvparams: Params;
  readonly beparams: HvBeParams;
  /** OS parameters, private ones merged in clear text. */
  readonly osparams: Params;
  /** Assembled on this node, in order. */
  readonly disks: readonly OsDisk[];
  readonly nics: readonly OsNic[];
}

/** What every OS operation receives. */
export interface OsCall {
  readonly os: OsRef;
  /** `DEBUG_LEVEL`. */
  readonly debug_level: 0 | 1;
}

/** `create`: install the OS (`gnt-instance add`, `reinstall`). */
export interface OsCreateRequest extends OsCall {
  readonly instance: OsInstance;
  /** `gnt-instance reinstall` (`INSTANCE_REINSTALL=1`). */
  readonly reinstall: boolean;
}

/** `import`/`export`: one disk of the instance. */
export interface OsImportRequest extends OsCall {
  readonly instance: OsInstance;
  /** Index of the disk in `instance.disks`. */
  readonly index: number;
}

export type OsExportRequest = OsImportRequest;

/** `rename` after `gnt-instance rename`. */
export interface OsRenameRequest extends OsCall {
  /** The instance under its new name. */
  readonly instance: OsInstance;
  readonly old_name: string;
}

/** `verify`: check OS parameter values (no instance involved). */
export interface OsVerifyRequest extends OsCall {
  readonly osparams: Params;
  /** Checks asked for; only `parameters` exists. */
  readonly checks: readonly 'parameters'[];
}

/** The export command, and whether it reports the expected dump size. */
export interface OsExportCommand extends CommandSpec {
  /** When true the core opens an extra descriptor and names it in `EXP_SIZE_FD`. */
  readonly sizeFd: boolean;
}

/**
 * A source of OS definitions. Registered with `host.os.register(name, p)`; the name
 * identifies the provider, not an OS. `params` is the provider's own options (usually
 * NO_PARAMS); OS parameters are per definition (`OsDefinition.parameters`).
 * All methods run on the node named by `ctx.nodeName`.
 */
export interface OsProvider extends ProviderBase {
  /**
   * Every definition this provider offers on the node, valid or not (invalid ones carry
   * their reason). Throws only when the source itself cannot be read.
   */
  diagnose(ctx: ProviderContext): Promise<OsDefinition[]>;
  /** Installs the OS onto the instance's disks (the instance name resolves). */
  create(req: OsCreateRequest, ctx: ProviderContext): Promise<void>;
  /**
   * Returns the command that reads one disk's dump from stdin and writes it to the disk;
   * the core runs it in the import pipeline. Diagnostics go to stderr.
   */
  import(req: OsImportRequest, ctx: ProviderContext): Promise<CommandSpec>;
  /** Returns the command that writes one disk's dump to stdout (stdout is the data channel). */
  export(req: OsExportRequest, ctx: ProviderContext): Promise<OsExportCommand>;
  /** Adapts the installed OS to the instance's new name; may do nothing. */
  rename(req: OsRenameRequest, ctx: ProviderContext): Promise<void>;
  /**
   * Checks OS parameter values (API 20). Throws GanetiError (ECODE_INVAL) with the
   * definition's diagnostics. Absent: any listed parameter name is accepted.
   */
  verify?(req: OsVerifyRequest, ctx: ProviderContext): Promise<void>;
}

/** Methods every OS provider has; the host refuses a registration lacking one. */
export const OS_REQUIRED_METHODS = Object.freeze([
  'diagnose',
  'create',
  'import',
  'export',
  'rename',
] as const satisfies readonly (keyof OsProvider)[]);
