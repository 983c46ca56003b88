import type { EcodeName } from './ecode.js';

/**
 * Every error code ganeti-ts raises, in one place (like fastify's lib/errors.js).
 * A code is stable once released: tools and tests match on it. Each entry gives Ganeti's
 * ECODE_* class where one applies and builds a one-line message from named arguments.
 * `core/errors/README.md` must list exactly these codes (a test checks it).
 */
interface ErrorDef<A> {
  readonly ecode: EcodeName | null;
  readonly message: (args: A) => string;
}

const def = <A = Record<string, never>>(ecode: EcodeName | null, message: (args: A) => string): ErrorDef<A> =>
  Object.freeze({ ecode, message });

type S = string;

export const ERROR_CATALOG = Object.freeze({
  // plugins and the plugin host
  GNT_PLUGIN_NOT_FOUND: def<{ plugin: S; from: S }>('ECODE_NOENT',
    (a) => `plugin '${a.plugin}' is not installed (listed in ${a.from}); install it with npm or remove it from the list`),
  GNT_PLUGIN_LOAD_FAILED: def<{ plugin: S; reason: S }>('ECODE_ENVIRON',
    (a) => `plugin '${a.plugin}' could not be loaded: ${a.reason}`),
  GNT_PLUGIN_INVALID: def<{ plugin: S; reason: S }>('ECODE_INVAL',
    (a) => `plugin '${a.plugin}' is not a ganeti-ts plugin: ${a.reason}`),
  GNT_PLUGIN_API_VERSION: def<{ plugin: S; wanted: S; supported: S }>('ECODE_ENVIRON',
    (a) => `plugin '${a.plugin}' was built for plugin API ${a.wanted}, this ganeti-ts supports API ${a.supported}`),
  GNT_PLUGIN_DEPENDENCY_MISSING: def<{ plugin: S; dependency: S }>('ECODE_ENVIRON',
    (a) => `plugin '${a.plugin}' needs '${a.dependency}', which is not installed or did not load`),
  GNT_PLUGIN_DUPLICATE: def<{ plugin: S; first: S; second: S }>('ECODE_EXISTS',
    (a) => `plugin '${a.plugin}' is loaded twice (from ${a.first} and from ${a.second}); the second is ignored`),
  GNT_PLUGIN_APPLY_FAILED: def<{ plugin: S; reason: S }>('ECODE_FAULT',
    (a) => `plugin '${a.plugin}' failed in apply(): ${a.reason}; none of its registrations were kept`),
  GNT_PLUGIN_HOOK_FAILED: def<{ plugin: S; hook: S; reason: S }>('ECODE_FAULT',
    (a) => `plugin '${a.plugin}' failed in hook '${a.hook}': ${a.reason}`),
  GNT_PLUGIN_CONFIG_INVALID: def<{ file: S; reason: S }>('ECODE_INVAL',
    (a) => `invalid ganeti configuration in ${a.file}: ${a.reason}`),

  // providers registered by plugins
  GNT_PROVIDER_DUPLICATE: def<{ kind: S; name: S; plugin: S; owner: S }>('ECODE_EXISTS',
    (a) => `plugin '${a.plugin}' registers ${a.kind} provider '${a.name}', already registered by '${a.owner}'`),
  GNT_PROVIDER_INVALID: def<{ kind: S; name: S; plugin: S; reason: S }>('ECODE_INVAL',
    (a) => `plugin '${a.plugin}' registers an invalid ${a.kind} provider '${a.name}': ${a.reason}`),
  GNT_PROVIDER_UNKNOWN: def<{ kind: S; name: S; known: S }>('ECODE_NOENT',
    (a) => `unknown ${a.kind} '${a.name}' (known: ${a.known || 'none'})`),
  GNT_PROVIDER_FAILED: def<{ plugin: S; hook: S; reason: S }>('ECODE_FAULT',
    (a) => `plugin '${a.plugin}' failed in '${a.hook}': ${a.reason}`),

  // parameters (hypervisor, backend, disk, NIC, OS, provider options)
  GNT_PARAM_UNKNOWN: def<{ owner: S; param: S; known: S }>('ECODE_INVAL',
    (a) => `unknown parameter '${a.param}' for ${a.owner} (known: ${a.known || 'none'})`),
  GNT_PARAM_INVALID: def<{ owner: S; param: S; problem: S }>('ECODE_INVAL',
    (a) => `parameter '${a.param}' for ${a.owner} ${a.problem}`),
  GNT_PARAM_MISSING: def<{ owner: S; param: S }>('ECODE_INVAL',
    (a) => `parameter '${a.param}' for ${a.owner} is required`),

  // child processes (core/exec)
  GNT_EXEC_NOT_FOUND: def<{ command: S }>('ECODE_ENVIRON',
    (a) => `command not found: ${a.command}`),
  GNT_EXEC_FAILED: def<{ command: S; status: S; tail: S }>('ECODE_ENVIRON',
    (a) => `command '${a.command}' ${a.status}${a.tail ? `; last output:\n${a.tail}` : ''}`),
  GNT_EXEC_TIMEOUT: def<{ command: S; timeoutMs: S }>('ECODE_ENVIRON',
    (a) => `command '${a.command}' timed out after ${a.timeoutMs} ms and was killed`),
  GNT_EXEC_ABORTED: def<{ command: S }>('ECODE_STATE',
    (a) => `command '${a.command}' was aborted`),

  // hypervisors (instances on one node)
  GNT_HV_INSTANCE_RUNNING: def<{ hypervisor: S; instance: S; node: S }>('ECODE_STATE',
    (a) => `${a.hypervisor} instance '${a.instance}' is already running on node ${a.node}`),
  GNT_HV_INSTANCE_NOT_RUNNING: def<{ hypervisor: S; instance: S; node: S }>('ECODE_STATE',
    (a) => `${a.hypervisor} instance '${a.instance}' is not running on node ${a.node}`),
  GNT_HV_NOT_MIGRATING: def<{ hypervisor: S; instance: S; node: S }>('ECODE_STATE',
    (a) => `${a.hypervisor} instance '${a.instance}' is not migrating from node ${a.node}`),
  GNT_HV_FAILED: def<{ hypervisor: S; action: S; reason: S }>('ECODE_ENVIRON',
    (a) => `hypervisor ${a.hypervisor} could not ${a.action}: ${a.reason}`),

  // storage (block devices and storage units on one node)
  GNT_DISK_SPEC_INVALID: def<{ template: S; disk: S; reason: S }>('ECODE_INVAL',
    (a) => `invalid ${a.template} disk ${a.disk}: ${a.reason}`),
  GNT_DISK_EXISTS: def<{ template: S; disk: S; node: S }>('ECODE_EXISTS',
    (a) => `${a.template} disk '${a.disk}' already exists on node ${a.node}; it is not overwritten`),
  GNT_DISK_NOT_FOUND: def<{ template: S; disk: S; node: S }>('ECODE_NOENT',
    (a) => `${a.template} disk '${a.disk}' does not exist on node ${a.node}`),
  GNT_DISK_SHRINK: def<{ template: S; disk: S; amount: S }>('ECODE_INVAL',
    (a) => `${a.template} disk '${a.disk}' cannot shrink (asked to grow by ${a.amount} MiB)`),
  GNT_DISK_FAILED: def<{ template: S; disk: S; action: S; reason: S }>('ECODE_ENVIRON',
    (a) => `could not ${a.action} ${a.template} disk '${a.disk}': ${a.reason}`),
  GNT_STORAGE_UNIT_NOT_FOUND: def<{ type: S; name: S; node: S }>('ECODE_NOENT',
    (a) => `${a.type} storage unit '${a.name}' does not exist on node ${a.node}`),

  // last resort
  GNT_INTERNAL: def<{ reason: S }>('ECODE_FAULT', (a) => `internal error: ${a.reason}`),
});

export type ErrorCode = keyof typeof ERROR_CATALOG;
export type ErrorArgs<C extends ErrorCode> = Parameters<(typeof ERROR_CATALOG)[C]['message']>[0];
