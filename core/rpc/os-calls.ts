/**
 * The OS procedures (Ganeti's os_diagnose, os_validate, instance_os_add, instance_run_rename;
 * interfaces §1, §9). The instance travels as its runtime view with its disks in wire form
 * (the node assembles them) and `os_info`: the filled OS parameters and the timestamps the
 * scripts see.
 */
import type { JsonSchema, RpcArgDef, RpcCallDef } from './calls.js';
import { WIRE_DISK_SCHEMA } from '../storage/disk-wire.js';
import { HV_INSTANCE_SCHEMA } from '../instance/runtime.js';

const arg = (name: string, schema: JsonSchema, hint: string): RpcArgDef => Object.freeze({ name, schema, hint });
const instance = arg('instance', HV_INSTANCE_SCHEMA, 'an instance (runtime view, parameters filled)');
const disks = arg('disks', { type: 'array', items: WIRE_DISK_SCHEMA }, 'the instance\'s disks (wire form), in order');
const osInfo = arg('os_info', {
  type: 'object', required: ['osparams', 'ctime', 'mtime'], additionalProperties: false,
  properties: { osparams: { type: 'object' }, ctime: { type: 'number' }, mtime: { type: 'number' } },
}, '{osparams, ctime, mtime}: the filled OS parameters (private ones in clear) and the instance\'s timestamps');
const debug = arg('debug', { enum: [0, 1] }, 'the debug level, 0 or 1');

export const OS_RPC_CALLS: readonly RpcCallDef[] = Object.freeze([
  {
    name: 'os_diagnose', kind: 'multi', timeout: 'FAST', args: [],
    result: 'a list of [name, path, valid, diagnose, variants, parameters, api_versions, trusted], one per OS definition',
    description: 'Lists the OS definitions of the node, valid or not',
  },
  {
    name: 'os_validate', kind: 'multi', timeout: 'FAST',
    args: [
      arg('required', { type: 'boolean' }, 'whether a missing OS is an error (else the answer is false)'),
      arg('name', { type: 'string', minLength: 1 }, 'an OS name, with its variant'),
      arg('checks', { type: 'array', items: { enum: ['parameters'] } }, 'checks to run: ["parameters"] or []'),
      arg('osparams', { type: 'object' }, 'OS parameters'),
      arg('force_variant', { type: 'boolean' }, 'accept a variant the OS does not list'),
    ],
    result: 'true when the OS is there and the parameters pass; false when it is missing and not required',
    description: 'Checks an OS name, its variant and parameters on the node',
  },
  {
    name: 'instance_os_add', kind: 'single', timeout: 'ONE_DAY',
    args: [instance, disks, osInfo, arg('reinstall', { type: 'boolean' }, 'a reinstall (INSTANCE_REINSTALL=1)'), debug],
    result: 'null', description: 'Installs the instance\'s OS onto its disks (the create script)',
  },
  {
    name: 'instance_os_export', kind: 'single', timeout: 'ONE_DAY',
    args: [instance, disks, osInfo, arg('index', { type: 'integer', minimum: 0 }, 'the disk index'), arg('dest', { type: 'string', minLength: 1 }, 'the dump file, in the export folder')],
    result: 'the size of the dump in bytes', description: 'Writes one disk\'s dump through the OS export script into a file of the export folder',
  },
  {
    name: 'instance_os_import', kind: 'single', timeout: 'ONE_DAY',
    args: [instance, disks, osInfo, arg('index', { type: 'integer', minimum: 0 }, 'the disk index'), arg('src', { type: 'string', minLength: 1 }, 'the dump file, in the export folder')],
    result: 'null', description: 'Reads one disk\'s dump from a file of the export folder through the OS import script',
  },
  {
    name: 'instance_run_rename', kind: 'single', timeout: 'SLOW',
    args: [instance, disks, osInfo, arg('old_name', { type: 'string', minLength: 1 }, 'the instance\'s old name'), debug],
    result: 'null', description: 'Runs the OS rename script after an instance rename',
  },
]);
