import { niceSort } from '../../core/config/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';
import { parseKeyValues } from '../common/params.js';
import { formatTable } from '../output/table.js';
import { InfoMap, formatGenericInfo } from './generic-info.js';

/**
 * gnt-os: list, diagnose, info and modify, with Ganeti's output (lib/client/gnt_os.py): list
 * shows `name+variant` for each variant of each valid, visible OS; diagnose shows each
 * node's view of each OS and exits 1 when one is not valid everywhere; info the details;
 * modify changes the cluster's OS settings.
 */
type NodeEntry = [path: string, valid: boolean, diagnose: string, variants: string[], parameters: [string, string][], api_versions: number[], trusted: boolean];

const source = (command: string) => ({ binary: 'gnt-os', command });

async function diagnoseRows(fields: string[], o: OpcodeOptions, command: string): Promise<unknown[][]> {
  const r = await submitAndWait([{ OP_ID: 'OP_OS_DIAGNOSE', output_fields: fields, names: [] }], o, source(command));
  return (r?.[0] as unknown[][] | undefined) ?? [];
}

/** Ganeti's CalculateOSNames: one name per variant, or the bare name. */
const osNames = (name: string, variants: readonly string[]): string[] => (variants.length ? variants.map((v) => `${name}+${v}`) : [name]);

export async function listOs(o: OpcodeOptions & { headers?: boolean }): Promise<void> {
  const rows = await diagnoseRows(['name', 'variants'], o, 'list');
  const names = rows.flatMap(([name, variants]) => osNames(name as string, variants as string[]));
  const lines = formatTable([{ name: 'name', title: 'Name', doc: 'OS name', get: (r: string) => r }], names, { headers: o.headers !== false });
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}

const status = (valid: boolean, diagnose: string) => (valid ? 'valid' : `invalid - ${diagnose}`);

export async function diagnoseOs(o: OpcodeOptions): Promise<void> {
  const rows = await diagnoseRows(['name', 'valid', 'variants', 'node_status', 'hidden', 'blacklisted'], o, 'diagnose');
  let bad = false;
  const out: string[] = [];
  for (const [name, , variants, nodeData, hidden, blacklisted] of rows as [string, boolean, string[], Record<string, NodeEntry[]>, boolean, boolean][]) {
    const good = new Map<string, string>();
    const wrong = new Map<string, string>();
    const shadowed = new Map<string, string[]>();
    for (const [node, entries] of Object.entries(nodeData)) {
      shadowed.set(node, []);
      const [first, ...rest] = entries;
      if (!first) {
        wrong.set(node, 'OS not found');
        continue;
      }
      const [path, ok, diag, vars, params, api, trusted] = first;
      let msg = `${status(ok, diag)} (path: ${path})`;
      const maxApi = api.length ? Math.max(...api) : 0;
      msg += api.length ? ` [API versions: ${api.join(', ')}]` : ' [no API versions declared]';
      if (maxApi >= 15) msg += vars.length ? ` [variants: ${vars.join(', ')}]` : ' [no variants]';
      if (maxApi >= 20) msg += params.length ? ` [parameters: ${params.map(([p]) => p).join(', ')}]` : ' [no parameters]';
      msg += trusted ? ' [trusted]' : ' [untrusted]';
      (ok ? good : wrong).set(node, msg);
      for (const [hpath, hok, hmsg] of rest) shadowed.get(node)!.push(`    [hidden] path: ${hpath}, status: ${status(hok, hmsg)}`);
    }
    const global = good.size && !wrong.size ? 'valid' : !good.size && wrong.size ? 'invalid' : 'partial valid';
    if (global !== 'valid') bad = true;
    out.push(`OS: ${name} [global status: ${global}]${hidden ? ' [hidden]' : ''}${blacklisted ? ' [blacklisted]' : ''}`);
    if (variants.length) out.push(`  Variants: [${variants.join(', ')}]`);
    for (const m of [good, wrong])
      for (const node of niceSort(m.keys())) {
        out.push(`  Node: ${node}, status: ${m.get(node)}`);
        out.push(...(shadowed.get(node) ?? []));
      }
    out.push('');
  }
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
  if (bad) throw new CliExit(EXIT.FAILURE);
}

const pyBool = (b: unknown) => (b ? 'True' : 'False');

export async function infoOs(names: string[], o: OpcodeOptions): Promise<void> {
  const rows = await diagnoseRows(['name', 'valid', 'variants', 'parameters', 'api_versions', 'blacklisted', 'hidden', 'os_hvp', 'osparams', 'trusted'], o, 'info');
  const wanted = [...names];
  const filter = wanted.length > 0;
  const out: string[] = [];
  const osHvp: Record<string, unknown> = {};
  const osParams: Record<string, unknown> = {};
  for (const [name, valid, variants, parameters, api, blk, hid, hvp, osp, trusted] of rows as [string, boolean, string[], [string, string][], number[], boolean, boolean, object, object, boolean][]) {
    osHvp[name] = hvp;
    osParams[name] = osp;
    if (filter) {
      const i = wanted.indexOf(name);
      if (i < 0) continue;
      wanted.splice(i, 1);
    }
    out.push(`${name}:`, `  - valid: ${pyBool(valid)}`, `  - hidden: ${pyBool(hid)}`, `  - blacklisted: ${pyBool(blk)}`);
    if (valid) {
      out.push('  - API versions:', ...[...api].sort((a, b) => a - b).map((v) => `    - ${v}`));
      out.push('  - variants:', ...variants.map((v) => `    - ${v}`));
      out.push('  - parameters:', ...parameters.map(([p, d]) => `    - ${p}: ${d}`));
    }
    out.push(`  - trusted: ${pyBool(trusted)}`, '');
  }
  // names no node has, but with cluster settings (name+variant entries), show those settings
  for (const name of wanted) {
    if (!(name in osHvp) && !(name in osParams)) out.push(`${name}: `);
    else out.push(formatGenericInfo(new InfoMap([[name, new InfoMap([['OS-specific hypervisor parameters', osHvp[name] ?? {}], ['OS parameters', osParams[name] ?? {}]])]])).replace(/\n$/, ''));
    out.push('');
  }
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
}

export interface ModifyOsOptions extends OpcodeOptions {
  hypervisorParameters?: string;
  osParameters?: string;
  osParametersPrivate?: string;
  hidden?: string;
  blacklisted?: string;
}

const yesNo = (v: string | undefined, option: string): boolean | null => {
  if (v === undefined) return null;
  if (v === 'yes') return true;
  if (v === 'no') return false;
  process.stderr.write(`Invalid value for ${option}: '${v}' (expected yes or no)\n`);
  throw new CliExit(EXIT.FAILURE);
};

export async function modifyOs(os: string, o: ModifyOsOptions): Promise<void> {
  let osHvp: Record<string, Record<string, unknown>> | null = null;
  if (o.hypervisorParameters) {
    const colon = o.hypervisorParameters.indexOf(':');
    const hv = colon < 0 ? o.hypervisorParameters : o.hypervisorParameters.slice(0, colon);
    osHvp = { [os]: { [hv]: colon < 0 ? {} : parseKeyValues(o.hypervisorParameters.slice(colon + 1), '-H') } };
  }
  const osparams = o.osParameters ? { [os]: parseKeyValues(o.osParameters, '-O') } : null;
  const priv = o.osParametersPrivate ? { [os]: parseKeyValues(o.osParametersPrivate, '--os-parameters-private') } : null;
  const hidden = yesNo(o.hidden, '--hidden');
  const blacklisted = yesNo(o.blacklisted, '--blacklisted');
  if (!osHvp && !osparams && !priv && hidden === null && blacklisted === null) {
    process.stderr.write('At least one of OS parameters or hypervisor parameters must be passed\n');
    throw new CliExit(EXIT.FAILURE);
  }
  await submitAndWait([{
    OP_ID: 'OP_CLUSTER_SET_PARAMS', os_hvp: osHvp, osparams, osparams_private_cluster: priv,
    hidden_os: hidden === null ? null : [[hidden ? 'add' : 'remove', os]],
    blacklisted_os: blacklisted === null ? null : [[blacklisted ? 'add' : 'remove', os]],
  }], o, source('modify'));
}
