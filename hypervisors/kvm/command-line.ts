/**
 * The qemu command line of an instance, built from a typed model: every option is an
 * `{option, value}` pair, every device a `{driver, props}`, so the capability check knows
 * exactly which options and devices a command needs before qemu ever sees it.
 */
import type { HvDisk, HvInstance, Params } from '../../core/index.js';

export interface QemuOption {
  readonly option: string;
  readonly value?: string;
}

export interface QemuDevice {
  readonly driver: string;
  readonly props: Readonly<Record<string, string>>;
}

export interface QemuCommand {
  readonly binary: string;
  readonly options: readonly QemuOption[];
  readonly devices: readonly QemuDevice[];
}

export interface CommandFiles {
  readonly pid: string;
  readonly qmp: string;
  readonly serial: string;
  readonly serialLog: string;
}

export interface CommandOptions {
  /** Memory to start with, MiB. */
  readonly memory: number;
  /** Tap names by NIC index. */
  readonly taps: readonly string[];
  /** `tcp:IP:PORT` for the target of a migration. */
  readonly incoming?: string;
}

/** qemu's option-value escaping: a comma inside a value is doubled. */
const esc = (v: string) => v.replace(/,/g, ',,');
const kv = (o: Readonly<Record<string, string>>) => Object.entries(o).map(([k, v]) => `${k}=${esc(v)}`).join(',');
const shortId = (uuid: string) => uuid.replace(/-/g, '').slice(0, 8);

const NIC_MODELS: Readonly<Record<string, string>> = { paravirtual: 'virtio-net-pci', e1000: 'e1000', rtl8139: 'rtl8139', i82551: 'i82551', i82557b: 'i82557b', i82559er: 'i82559er', pcnet: 'pcnet', ne2k_pci: 'ne2k_pci' };
const BOOT: Readonly<Record<string, string>> = { disk: 'c', cdrom: 'd', network: 'n', floppy: 'a' };

export function kvmCommand(inst: HvInstance, disks: readonly HvDisk[], hv: Params, files: CommandFiles, o: CommandOptions): QemuCommand {
  const options: QemuOption[] = [];
  const devices: QemuDevice[] = [];
  const opt = (option: string, value?: string) => options.push(value === undefined ? { option } : { option, value });
  const str = (k: string) => String(hv[k] ?? '');
  const num = (k: string) => Number(hv[k] ?? 0);

  opt('-name', inst.name);
  opt('-uuid', inst.uuid);
  opt('-machine', str('machine_version') || 'q35');
  if (str('kvm_flag') === 'enabled') opt('-enable-kvm');
  else if (str('kvm_flag') === 'disabled') opt('-accel', 'tcg');
  if (str('cpu_type')) opt('-cpu', str('cpu_type'));
  const topo = [['cores', num('cpu_cores')], ['threads', num('cpu_threads')], ['sockets', num('cpu_sockets')]].filter(([, n]) => Number(n) > 0).map(([k, n]) => `,${k}=${n}`).join('');
  opt('-smp', `${inst.beparams.vcpus}${topo}`);
  opt('-m', String(o.memory));
  if (str('mem_path')) opt('-mem-path', str('mem_path'));
  if (hv['acpi'] === false) opt('-no-acpi');
  if (str('reboot_behavior') === 'exit') opt('-no-reboot');
  if (hv['use_localtime'] === true) opt('-rtc', 'base=localtime');
  opt('-pidfile', files.pid);
  opt('-daemonize');
  opt('-qmp', `unix:${files.qmp},server=on,wait=off`);
  if (hv['serial_console'] !== false) {
    opt('-chardev', `socket,${kv({ id: 'serial0', path: files.serial, server: 'on', wait: 'off', logfile: files.serialLog })}`);
    opt('-serial', 'chardev:serial0');
  } else {
    opt('-serial', 'none');
  }
  const vnc = str('vnc_bind_address');
  if (vnc && inst.network_port) opt('-vnc', vnc.startsWith('/') ? `unix:${vnc}` : `${vnc}:${inst.network_port - 5900}`);
  else opt('-display', 'none');
  if (vnc && str('keymap')) opt('-k', str('keymap'));
  if (str('vga')) opt('-vga', str('vga'));
  if (str('kernel_path')) {
    opt('-kernel', str('kernel_path'));
    if (str('initrd_path')) opt('-initrd', str('initrd_path'));
    const append = [str('kernel_args'), str('root_path') ? `root=${str('root_path')}` : '', hv['serial_console'] !== false ? `console=ttyS0,${num('serial_speed') || 38400}` : ''].filter(Boolean).join(' ');
    opt('-append', append);
  } else {
    opt('-boot', BOOT[str('boot_order') || 'disk'] ?? 'c');
  }

  const diskType = str('disk_type') || 'paravirtual';
  if (diskType === 'scsi' && disks.length) devices.push({ driver: 'lsi53c895a', props: { id: 'scsi0' } });
  disks.forEach((d, i) => {
    const id = `disk${i}-${shortId(d.uuid)}`;
    const file = d.access === 'userspace' && d.uri ? d.uri : (d.dev_path ?? d.uri ?? '');
    const drive: Record<string, string> = { file, format: 'raw', if: 'none', id, aio: str('disk_aio') || 'threads' };
    if (str('disk_cache') && str('disk_cache') !== 'default') drive['cache'] = str('disk_cache');
    if (str('disk_discard') === 'unmap') drive['discard'] = 'unmap';
    if (d.mode === 'ro') drive['readonly'] = 'on';
    opt('-drive', kv(drive));
    const driver = diskType === 'ide' ? 'ide-hd' : diskType === 'scsi' ? 'scsi-hd' : 'virtio-blk-pci';
    devices.push({ driver, props: { drive: id, id: `dev-${id}`, ...(i === 0 && !str('kernel_path') ? { bootindex: '1' } : {}) } });
  });

  inst.nics.forEach((n, i) => {
    const id = `nic${i}-${shortId(n.uuid)}`;
    const net: Record<string, string> = { id, ifname: o.taps[i] ?? '', script: 'no', downscript: 'no' };
    const model = NIC_MODELS[str('nic_type') || 'paravirtual'] ?? 'virtio-net-pci';
    if (model === 'virtio-net-pci') {
      if (hv['vhost_net'] === true) net['vhost'] = 'on';
      if (hv['vnet_hdr'] === false) net['vnet_hdr'] = 'off';
    }
    opt('-netdev', `tap,${kv(net)}`);
    devices.push({ driver: model, props: { netdev: id, mac: n.mac, id: `dev-${id}` } });
  });

  if (o.incoming) opt('-incoming', o.incoming);
  // always start with the CPUs stopped: NICs are connected, then `cont` (unless paused)
  opt('-S');
  for (const extra of str('kvm_extra').split(/\s+/).filter(Boolean)) opt(extra);
  return { binary: str('kvm_path') || '/usr/bin/kvm', options, devices };
}

/** The argv qemu runs with. */
export function kvmArgv(cmd: QemuCommand): string[] {
  const argv = [cmd.binary];
  for (const o of cmd.options) argv.push(o.option, ...(o.value === undefined ? [] : [o.value]));
  for (const d of cmd.devices) argv.push('-device', [d.driver, kv(d.props)].filter(Boolean).join(','));
  return argv;
}
