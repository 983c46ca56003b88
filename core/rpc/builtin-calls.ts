import { GanetiError } from '../errors/index.js';
import type { JsonSchema, RpcArgDef, RpcCallDef } from './calls.js';
import { RpcCallTable } from './calls.js';
import { BLOCKDEV_RPC_CALLS } from './blockdev-calls.js';
import { INSTANCE_RPC_CALLS } from './instance-calls.js';
import { DISK_COPY_RPC_CALLS } from './disk-copy-calls.js';
import { OS_RPC_CALLS } from './os-calls.js';
import { EXPORT_RPC_CALLS } from './export-calls.js';

/**
 * The procedures core declares (names, argument order and timeouts as in Ganeti's
 * lib/rpc_defs.py). More come with the modules that need them (instances, block devices,
 * storage, OS) and from plugins, through `RpcCallTable.define`.
 */

const arg = (name: string, schema: JsonSchema, hint: string, extra: Partial<RpcArgDef> = {}): RpcArgDef => Object.freeze({ name, schema, hint, ...extra });

const str: JsonSchema = { type: 'string' };
const strings: JsonSchema = { type: 'array', items: str };
const obj: JsonSchema = { type: 'object' };
/** ED_COMPRESS on the wire. */
export const COMPRESSED_SCHEMA: JsonSchema = { type: 'array', minItems: 2, maxItems: 2, items: [{ enum: [0, 1] }, { type: 'string' }] };
const COMPRESSED_HINT = 'compressed data ([0, text] or [1, base64 of zlib data])';
const absPath: JsonSchema = { type: 'string', pattern: '^/' };
const optNumber: JsonSchema = { type: ['number', 'null'] };

/** upload_file's file description: [file_name, data, mode, uid, gid, atime, mtime] (ED_FILE_DETAILS). */
export const FILE_DETAILS_SCHEMA: JsonSchema = {
  type: 'array',
  minItems: 7,
  maxItems: 7,
  items: [absPath, COMPRESSED_SCHEMA, { type: ['integer', 'null'], minimum: 0, maximum: 0o177777 }, str, str, optNumber, optNumber],
};

const uploadSingleArgs: RpcArgDef[] = [
  arg('file_name', absPath, 'an absolute path'),
  arg('content', COMPRESSED_SCHEMA, COMPRESSED_HINT, { encoding: 'compress' }),
  arg('mode', { type: ['integer', 'null'], minimum: 0, maximum: 0o177777 }, 'a file mode or null'),
  arg('uid', str, 'a user name'),
  arg('gid', str, 'a group name'),
  arg('atime', optNumber, 'a time in seconds or null'),
  arg('mtime', optNumber, 'a time in seconds or null'),
];

/** The storage type (Ganeti's su_name) and its arguments: [key (folder, VG...) or null, params, serving template or null]. */
const suName = arg('su_name', str, 'a storage type');
const suArgs = arg('su_args', { type: 'array', maxItems: 3, items: [{ type: ['string', 'null'] }, obj, { type: ['string', 'null'] }] },
  '[unit key or null, parameters, disk template or null]');

export const BUILTIN_RPC_CALLS: readonly RpcCallDef[] = Object.freeze([
  // DNS-only / misc
  {
    name: 'version', kind: 'multi', timeout: 'URGENT', args: [], acceptOffline: true,
    result: "the node's protocol version (integer)", description: 'Query node version',
  },
  {
    name: 'node_info', kind: 'multi', timeout: 'URGENT',
    args: [
      arg('storage_units', { type: 'array', items: { type: 'array', minItems: 2, maxItems: 3, items: [str, str, { type: 'array' }] } },
        'a list of [storage_type, key, params] triples'),
      arg('hv_specs', { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: [str, obj] } },
        'a list of [hypervisor, hvparams] pairs'),
    ],
    result: '[boot_id, [storage space per unit], [node resources per hypervisor]]', description: 'Return node information',
  },
  {
    name: 'node_verify', kind: 'multi', timeout: 'NORMAL',
    args: [
      arg('checkdict', obj, 'an object of checks to run'),
      arg('cluster_name', str, 'the cluster name'),
      arg('all_hvparams', obj, 'an object mapping hypervisor names to hvparams'),
    ],
    result: 'an object with one entry per check asked for (version: [protocol, release]; plugins: [{name, version}]; time: [s, us]; ssconf: {key: content|null}; config_serial: number|null)',
    description: 'Request verification of given parameters',
  },
  {
    name: 'test_delay', kind: 'multi', timeout: (args) => Math.max(1, Number(args[0]) || 0) + 5,
    args: [arg('duration', { type: 'number' }, 'a number of seconds')],
    result: 'null after sleeping', description: 'Sleep for a fixed time on given node(s)',
  },
  {
    name: 'hooks_runner', kind: 'multi', timeout: 'NORMAL',
    args: [
      arg('hpath', str, 'a hooks path (the opcode\'s HPATH)'),
      arg('phase', { enum: ['pre', 'post'] }, "'pre' or 'post'"),
      arg('env', { type: 'object', additionalProperties: { type: 'string' } }, 'an object of environment variables (strings)'),
    ],
    result: 'a list of [<hpath>-<phase>.d/<script>, status, output] in run order (status: 0 skipped, 1 failed, 2 succeeded; Ganeti\'s HKR_*)',
    description: 'Call the hooks runner',
  },
  // storage units (gnt-node list-storage, modify-storage, repair-storage)
  {
    name: 'storage_list', kind: 'multi', timeout: 'NORMAL',
    args: [suName, suArgs,
      arg('name', { type: ['string', 'null'] }, 'a unit name or null for all'),
      arg('fields', { type: 'array', items: str }, 'a list of field names (name, size, used, free, allocatable)')],
    result: 'a list of rows, each the values of the fields asked for, in their order (sizes in MiB)', description: 'Get list of storage units',
  },
  {
    name: 'storage_modify', kind: 'single', timeout: 'NORMAL',
    args: [suName, suArgs, arg('name', str, 'a unit name'), arg('changes', { type: 'object', properties: { allocatable: { type: 'boolean' } } }, 'an object of field changes ({allocatable: boolean})')],
    result: 'null once the unit is changed', description: 'Modify a storage unit',
  },
  {
    name: 'storage_execute', kind: 'single', timeout: 'NORMAL',
    args: [suName, suArgs, arg('name', str, 'a unit name'), arg('op', { enum: ['fix-consistency'] }, "an operation ('fix-consistency')")],
    result: 'null once the operation is done', description: 'Executes an operation on a storage unit',
  },
  // ExtStorage
  {
    name: 'extstorage_diagnose', kind: 'multi', timeout: 'FAST', args: [],
    result: 'a list of [name, path, valid, diagnose, [[parameter, description], ...]], one per provider folder of the search path (the first folder of a name only)',
    description: 'Request a diagnose of ExtStorage Providers',
  },
  // config distribution
  {
    name: 'upload_file', kind: 'multi', timeout: 'NORMAL',
    args: [arg('file_name', FILE_DETAILS_SCHEMA, '[file_name, data, mode, uid, gid, atime, mtime]', { encoding: 'fileDetails' })],
    result: 'null once the file is written', description: 'Upload files',
  },
  {
    name: 'upload_file_single', kind: 'multi', timeout: 'NORMAL', args: uploadSingleArgs,
    result: 'null once the file is written', description: 'Upload files',
  },
  {
    name: 'write_ssconf_files', kind: 'multi', timeout: 'NORMAL',
    args: [arg('values', { type: 'object', additionalProperties: { anyOf: [str, strings] } }, 'an object mapping ssconf keys to strings (or lists of lines)')],
    result: 'null once the files are written', description: 'Write ssconf files',
  },
  // job queue (replicated to master candidates)
  {
    name: 'jobqueue_update', kind: 'multi', timeout: 'URGENT',
    args: [arg('file_name', absPath, 'an absolute path in the queue folder'), arg('content', COMPRESSED_SCHEMA, COMPRESSED_HINT, { encoding: 'compress' })],
    result: 'null once the file is written', description: 'Update job queue file',
  },
  {
    name: 'jobqueue_purge', kind: 'single', timeout: 'NORMAL', args: [],
    result: 'null', description: 'Purge job queue',
  },
  {
    name: 'jobqueue_rename', kind: 'multi', timeout: 'URGENT',
    args: [arg('rename', { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: [absPath, absPath] } }, 'a list of [old, new] paths')],
    result: 'a list with null per renamed file', description: 'Rename job queue file',
  },
  {
    name: 'jobqueue_set_drain_flag', kind: 'multi', timeout: 'URGENT',
    args: [arg('flag', { type: 'boolean' }, 'a boolean')],
    result: 'null', description: 'Set job queue drain flag',
  },
  {
    name: 'node_crypto_tokens', kind: 'single', timeout: 'NORMAL',
    args: [arg('token_requests', { type: 'array', items: { type: 'array', minItems: 2, maxItems: 3, items: [str, str, { type: ['object', 'null'] }] } },
      'a list of [token_type, action, options] (ssl, get)')],
    result: 'a list of [token_type, value]: the SHA1 digest of the client certificate for ssl', description: 'Handle crypto tokens of the node',
  },
  {
    name: 'node_demote_from_mc', kind: 'single', timeout: 'FAST', args: [],
    result: 'null; config.data was moved aside', description: 'Demote a node from the master candidate role',
  },
  // bootstrap
  {
    name: 'master_node_name', kind: 'multi', timeout: 'URGENT', args: [],
    result: "the master node's name as this node's ssconf says (its vote in master failover)", description: 'Returns the master node name',
  },
  {
    name: 'node_stop_master', kind: 'single', timeout: 'FAST', args: [],
    result: 'null once no master daemon runs on the node', description: 'Stops the master daemons on a node',
  },
  {
    name: 'node_start_master_daemons', kind: 'single', timeout: 'FAST',
    args: [arg('no_voting', { type: 'boolean' }, 'a boolean')],
    result: 'null once the master daemon answers', description: 'Starts master daemons on a node',
  },
  // gnt-cluster command: ours (Ganeti runs it over ssh); only the master's certificate may call it
  {
    name: 'run_command', kind: 'multi', timeout: 'NORMAL',
    args: [arg('command', { type: 'string', minLength: 1 }, 'a shell command line')],
    result: '[exit code (null when killed), output (stdout and stderr interleaved)]', description: 'Runs a command on the node for gnt-cluster command',
  },
  {
    name: 'node_leave_cluster', kind: 'single', timeout: 'NORMAL',
    args: [arg('modify_ssh_setup', { type: 'boolean' }, 'a boolean')],
    result: '[true, "Shutdown scheduled"]; the node daemon stops afterwards', description: 'Requests a node to clean the cluster information it has',
  },
  // gnt-storage install: ours (Ganeti admins copy provider folders by hand); master only
  {
    name: 'extstorage_install', kind: 'multi', timeout: 'NORMAL',
    args: [
      arg('provider', { type: 'string', minLength: 1 }, 'a provider name'),
      arg('files', { type: 'array', items: { type: 'array', minItems: 3, maxItems: 3, items: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 0, maximum: 0o7777 }, { type: 'string' }] } },
        'a list of [relative path, mode, base64 content]'),
    ],
    result: 'the folder the provider was installed in', description: 'Installs an ExtStorage provider folder on the node',
  },
  ...BLOCKDEV_RPC_CALLS,
  ...INSTANCE_RPC_CALLS,
  ...OS_RPC_CALLS,
  ...EXPORT_RPC_CALLS,
  ...DISK_COPY_RPC_CALLS,
] satisfies RpcCallDef[]);

/** A fresh call table with the built-in procedures. */
export const createRpcCallTable = (): RpcCallTable => new RpcCallTable(BUILTIN_RPC_CALLS, 'core');

/** Core's declaration of a procedure, for a plugin that serves it (GNT_RPC_UNKNOWN_CALL if none). */
export function builtinRpcCall(name: string): RpcCallDef {
  const def = BUILTIN_RPC_CALLS.find((c) => c.name === name);
  if (!def) throw new GanetiError('GNT_RPC_UNKNOWN_CALL', { procedure: name, known: BUILTIN_RPC_CALLS.map((c) => c.name).join(', ') });
  return def;
}
