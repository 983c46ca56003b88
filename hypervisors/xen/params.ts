/** Parameters of xen-pvm and xen-hvm: Ganeti's names and defaults (interfaces §14.1). */
import { GanetiError, type Params, type ParamsSchema } from '../../core/index.js';

const str = (d: string, description: string) => ({ type: 'string', default: d, description });
const bool = (d: boolean, description: string) => ({ type: 'boolean', default: d, description });
const int = (d: number, min: number, description: string) => ({ type: 'integer', minimum: min, default: d, description });

const common = {
  migration_port: int(8002, 1, 'TCP port the target listens on for a migration (xl: a socat daemon running xl migrate-receive)'),
  blockdev_prefix: str('sd', 'Prefix of the disks\' names in the guest (sd → sda, sdb...)'),
  reboot_behavior: { type: 'string', enum: ['reboot', 'exit'], default: 'reboot', description: 'on_reboot: restart, or destroy the domain' },
  cpu_mask: str('all', 'Physical CPUs the VCPUs may run on'),
  cpu_cap: int(0, 0, 'CPU cap in percent of one CPU (0: none)'),
  cpu_weight: int(256, 1, 'Scheduler weight'),
  vif_script: str('', 'The vif script (empty: Xen\'s default)'),
  xen_cmd: { type: 'string', enum: ['xl', 'xm'], default: 'xl', description: 'The Xen toolstack command' },
  cpuid: str('', 'CPUID policy'),
  soundhw: str('', 'Sound hardware'),
};

export const PVM_PARAMS: ParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...common,
    use_bootloader: bool(false, 'Boot with a bootloader (pygrub) instead of kernel_path'),
    bootloader_path: str('', 'The bootloader'),
    bootloader_args: str('', 'Arguments of the bootloader'),
    kernel_path: str('/boot/vmlinuz-3-xenU', 'Kernel of the domain'),
    initrd_path: str('', 'Initial ramdisk'),
    root_path: str('/dev/sda1', 'Root device (root=)'),
    kernel_args: str('ro', 'Extra kernel arguments'),
    migration_mode: { type: 'string', enum: ['live', 'non-live'], default: 'live', description: 'Default migration mode' },
  },
};

export const HVM_PARAMS: ParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...common,
    blockdev_prefix: str('hd', 'Prefix of the disks\' names in the guest (hd → hda, hdb...)'),
    acpi: bool(true, 'ACPI'),
    boot_order: str('cd', 'Boot order, letters of a (floppy), c (disk), d (cdrom), n (network)'),
    cdrom_image_path: str('', 'CD-ROM image'),
    disk_type: { type: 'string', enum: ['ioemu', 'paravirtual'], default: 'paravirtual', description: 'Disk model' },
    nic_type: { type: 'string', enum: ['rtl8139', 'ne2k_pci', 'ne2k_isa', 'i82551', 'i82557b', 'i82559er', 'pcnet', 'e1000', 'paravirtual'], default: 'rtl8139', description: 'NIC model' },
    pae: bool(true, 'PAE'),
    vnc_bind_address: str('0.0.0.0', 'VNC bind address'),
    vnc_password_file: str('/etc/ganeti/vnc-cluster-password', 'VNC password file'),
    kernel_path: str('/usr/lib/xen/boot/hvmloader', 'The HVM loader'),
    device_model: str('/usr/lib/xen/bin/qemu-dm', 'The device model'),
    migration_mode: { type: 'string', enum: ['live', 'non-live'], default: 'non-live', description: 'Default migration mode' },
    use_localtime: bool(false, 'The clock in local time'),
    pci_pass: str('', 'PCI devices passed through (;-separated)'),
    vif_type: { type: 'string', enum: ['ioemu', 'vif'], default: 'ioemu', description: 'vif type' },
    viridian: bool(false, 'Viridian (Hyper-V) enlightenments'),
  },
};

/** Ganeti's cross-parameter rule: a bootloader needs its path. */
export function checkXenParams(hv: Params): void {
  if (hv['use_bootloader'] === true && !hv['bootloader_path'])
    throw new GanetiError('GNT_PARAM_INVALID', { owner: "hypervisor 'xen-pvm'", param: 'bootloader_path', problem: 'is needed when use_bootloader is true' });
  if (hv['boot_order'] !== undefined && !/^[acdn]+$/.test(String(hv['boot_order'])))
    throw new GanetiError('GNT_PARAM_INVALID', { owner: "hypervisor 'xen-hvm'", param: 'boot_order', problem: 'must be one or more of the letters a, c, d, n' });
}

export const filled = (schema: ParamsSchema, hv: Params): Params => ({
  ...Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, (s as { default: unknown }).default])),
  ...hv,
});
