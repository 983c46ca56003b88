import type { InstanceConsole } from '../../core/contracts/hypervisor.js';
import { submitAndWait, pyStr, type OpcodeOptions } from '../common/luxi.js';
import { CliExit } from '../common/program.js';
import { GanetiError } from '../../core/errors/index.js';
import { EXIT } from '../common/exit-codes.js';

/** gnt-instance list, list-fields, info and console. */

export const INSTANCE_LIST_DEFAULT_FIELDS = Object.freeze(['name', 'hypervisor', 'os', 'pnode', 'status', 'oper_ram']);

export interface InstanceListOptions {
  headers: boolean;
  separator?: string;
  units?: string;
  output?: string;
  verbose?: boolean;
  filter?: boolean;
}

export async function listInstances(names: readonly string[], opts: InstanceListOptions): Promise<void> {
  const [{ makeFilter }, { genericList, parseFields }, { exitWith, withClient }, { joinList, formatDictColumn }] = await Promise.all([
    import('../../core/query/qlang.js'),
    import('./query-output.js'),
    import('./node.js'),
    import('./params-info.js'),
  ]);
  const fields = parseFields(opts.output, INSTANCE_LIST_DEFAULT_FIELDS);
  const qfilter = makeFilter(names, Boolean(opts.filter));
  const lists = Object.fromEntries(['snodes', 'nic.macs', 'nic.ips', 'nic.modes', 'nic.links', 'nic.bridges', 'nic.names', 'nic.networks', 'disk.sizes', 'disk.names', 'disk.uuids', 'tags'].map((f) => [f, { format: joinList }]));
  const dicts = Object.fromEntries(['beparams', 'hvparams', 'osparams', 'custom_beparams', 'custom_hvparams'].map((f) => [f, { format: formatDictColumn }]));
  const code = await withClient((client) =>
    genericList(client, 'instance', fields, qfilter, { header: opts.headers, separator: opts.separator, units: opts.units, verbose: opts.verbose ?? false, overrides: { ...lists, ...dicts } }),
  );
  exitWith(code);
}

export async function listInstanceFields(fields: readonly string[], opts: { headers: boolean; separator?: string }): Promise<void> {
  const [{ genericListFields }, { exitWith, withClient }] = await Promise.all([import('./query-output.js'), import('./node.js')]);
  exitWith(await withClient((client) => genericListFields(client, 'instance', fields, { header: opts.headers, separator: opts.separator })));
}

type Info = Record<string, unknown> & { disks: Record<string, unknown>[]; nics: unknown[][] };

const paramLines = (indent: string, own: Record<string, unknown>, actual: Record<string, unknown>): string[] =>
  Object.keys(actual).sort().map((k) => `${indent}${k}: ${k in own ? pyStr(own[k]) : `default (${pyStr(actual[k])})`}`);

/** Ganeti's gnt-instance info layout (one block per instance). */
export function formatInstanceInfo(i: Info): string[] {
  const state = `configured to be ${String(i['config_state'])}${i['run_state'] === null ? '' : `, actual state is ${String(i['run_state'])}`}`;
  const out = [
    `Instance name: ${String(i['name'])}`,
    `UUID: ${String(i['uuid'])}`,
    `Serial number: ${String(i['serial_no'])}`,
    `Creation time: ${new Date(Number(i['ctime']) * 1000).toString()}`,
    `Modification time: ${new Date(Number(i['mtime']) * 1000).toString()}`,
    `State: ${state}`,
    '  Nodes:',
    `    - primary: ${String(i['pnode'])}`,
    `      group: ${String(i['pnode_group_name'])} (UUID ${String(i['pnode_group_uuid'])})`,
    `    - secondaries: ${(i['snodes'] as string[]).join(', ')}`,
    `  Operating system: ${String(i['os'])}`,
    `  Allocated network port: ${pyStr(i['network_port'])}`,
    `  Hypervisor: ${String(i['hypervisor'])}`,
    '  Hypervisor parameters:',
    ...paramLines('    ', i['hv_instance'] as Record<string, unknown>, i['hv_actual'] as Record<string, unknown>),
    '  Back-end parameters:',
    ...paramLines('    ', i['be_instance'] as Record<string, unknown>, i['be_actual'] as Record<string, unknown>),
    '  NICs:',
  ];
  i.nics.forEach(([name, uuid, ip, mac, mode, link, vlan, , netName], n) => {
    out.push(`    - nic/${n}: `, `      MAC: ${String(mac)}`, `      IP: ${pyStr(ip)}`, `      mode: ${String(mode)}`, `      link: ${String(link)}`, `      vlan: ${String(vlan)}`, `      network: ${pyStr(netName)}`, `      UUID: ${String(uuid)}`, `      name: ${pyStr(name)}`);
  });
  out.push(`  Disk template: ${String(i['disk_template'])}`, '  Disks:');
  for (const d of i.disks) {
    out.push(`    - ${String(d['iv_name'])}: ${String(d['dev_type'])}, size ${formatSize(Number(d['size']))}`, `      access mode: ${String(d['mode'])}`, `      logical_id: ${(d['logical_id'] as unknown[]).map(String).join(', ')}`, `      on nodes: ${(d['nodes'] as string[]).join(', ')}`, `      name: ${pyStr(d['name'])}`, `      UUID: ${String(d['uuid'])}`);
  }
  return out;
}

const formatSize = (mib: number): string => (mib >= 1024 ? `${(mib / 1024).toFixed(1)}G` : `${mib}M`);

export async function showInstanceInfo(names: string[], o: { all?: boolean; static?: boolean }): Promise<void> {
  if (names.length === 0 && !o.all) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: 'name the instances to show, or give --all' });
  const res = await submitAndWait([{ OP_ID: 'OP_INSTANCE_QUERY_DATA', instances: names, static: Boolean(o.static), use_locking: false }], { reporter: { logMessage: () => undefined, notChanged: () => undefined } }, { binary: 'gnt-instance', command: 'info' });
  const data = (res?.[0] ?? {}) as Record<string, Info>;
  const blocks = Object.values(data).map((i) => formatInstanceInfo(i).join('\n'));
  if (blocks.length) process.stdout.write(`${blocks.join('\n')}\n`);
}

/** The ssh command Ganeti builds for a console of kind ssh. */
export function sshCommand(c: InstanceConsole): string[] {
  return ['ssh', '-oBatchMode=yes', '-oEscapeChar=none', '-t', '-q', ...(c.port && c.port !== 22 ? ['-p', String(c.port)] : []), `${c.user ?? 'root'}@${c.host}`, ...(c.command ?? [])];
}

export async function console(name: string, o: OpcodeOptions & { showCmd?: boolean }): Promise<void> {
  const res = await submitAndWait([{ OP_ID: 'OP_INSTANCE_CONSOLE', instance_name: name }], { ...o, reporter: { logMessage: () => undefined, notChanged: () => undefined } }, { binary: 'gnt-instance', command: 'console' });
  const c = res?.[0] as InstanceConsole | undefined;
  if (!c) return;
  switch (c.kind) {
    case 'msg':
      process.stderr.write(`${c.message ?? 'no console'}\n`);
      throw new CliExit(EXIT.FAILURE);
    case 'vnc':
      process.stdout.write(`Instance ${c.instance} has VNC listening on ${c.host}:${c.port} (display ${c.display}), please connect to it with a VNC client\n`);
      return;
    case 'spice':
      process.stdout.write(`Instance ${c.instance} has SPICE listening on ${c.host}:${c.port}\n`);
      return;
    case 'ssh': {
      const argv = sshCommand(c);
      if (o.showCmd) {
        process.stdout.write(`${argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}\n`);
        return;
      }
      // core/exec (execa) is loaded only here: list and info start faster without it
      const { run } = await import('../../core/exec/index.js');
      const r = await run(argv, { interactive: true, inheritEnv: 'all' });
      if (r.exitCode !== 0) throw new CliExit(r.exitCode ?? EXIT.FAILURE);
    }
  }
}
