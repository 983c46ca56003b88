/**
 * The kvm hypervisor's parameters: Ganeti's names and defaults (interfaces §14.1,
 * HVC_DEFAULTS[kvm]). What this plugin implements is listed in IMPLEMENTED; the others are
 * accepted at their default only, and a non-default value is refused (checkParamsSyntax) so
 * that nothing an admin sets is silently ignored.
 */
import { GanetiError, type Params, type ParamsSchema } from '../../core/index.js';

const str = (d: string, description: string) => ({ type: 'string', default: d, description });
const bool = (d: boolean, description: string) => ({ type: 'boolean', default: d, description });
const int = (d: number, min: number, description: string) => ({ type: 'integer', minimum: min, default: d, description });
const oneOf = (values: readonly string[], d: string, description: string) => ({ type: 'string', enum: [...values], default: d, description });

export const KVM_PARAMS: ParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kvm_path: str('/usr/bin/kvm', 'The qemu binary (Debian: /usr/bin/kvm, a link to qemu-system-x86_64)'),
    kernel_path: str('', 'Kernel to boot directly (empty: boot from the disks)'),
    initrd_path: str('', 'Initial ramdisk for kernel_path'),
    kernel_args: str('ro', 'Kernel command line (with kernel_path)'),
    root_path: str('/dev/vda1', 'Root device given to the kernel as root= (empty: none)'),
    acpi: bool(true, 'ACPI support; without it a soft shutdown cannot work'),
    serial_console: bool(true, 'A serial console (ttyS0) reachable with gnt-instance console'),
    serial_speed: int(38400, 1, 'Serial console speed (console=ttyS0,<speed>)'),
    vnc_bind_address: str('', 'Address (or socket path) for a VNC console; empty: no VNC'),
    vnc_tls: bool(false, 'VNC over TLS'),
    vnc_x509_path: str('', 'VNC TLS certificates folder'),
    vnc_x509_verify: bool(false, 'Verify VNC clients\' certificates'),
    vnc_password_file: str('', 'File with the VNC password'),
    keymap: str('', 'Keyboard layout of the VNC console'),
    spice_bind: str('', 'SPICE bind address'),
    spice_ip_version: int(0, 0, 'SPICE IP version'),
    spice_password_file: str('', 'SPICE password file'),
    spice_image_compression: str('', 'SPICE image compression'),
    spice_jpeg_wan_compression: str('', 'SPICE JPEG WAN compression'),
    spice_zlib_glz_wan_compression: str('', 'SPICE zlib-glz WAN compression'),
    spice_streaming_video: str('', 'SPICE video streaming'),
    spice_playback_compression: bool(true, 'SPICE playback compression'),
    spice_use_tls: bool(false, 'SPICE over TLS'),
    spice_tls_ciphers: str('', 'SPICE TLS ciphers'),
    spice_use_vdagent: bool(true, 'SPICE vdagent'),
    floppy_image_path: str('', 'Floppy image'),
    cdrom_image_path: str('', 'CD-ROM image'),
    cdrom2_image_path: str('', 'Second CD-ROM image'),
    boot_order: oneOf(['disk', 'cdrom', 'floppy', 'network'], 'disk', 'Boot device'),
    nic_type: oneOf(['paravirtual', 'e1000', 'rtl8139', 'i82551', 'i82557b', 'i82559er', 'pcnet', 'ne2k_pci', 'ne2k_isa'], 'paravirtual', 'NIC model (paravirtual: virtio-net-pci)'),
    disk_type: oneOf(['paravirtual', 'ide', 'scsi', 'sd', 'mtd', 'pflash'], 'paravirtual', 'Disk model (paravirtual: virtio-blk-pci)'),
    cdrom_disk_type: str('', 'CD-ROM model'),
    scsi_controller_type: oneOf(['lsi', 'virtio-scsi-pci', 'megasas'], 'lsi', 'SCSI controller (disk_type scsi)'),
    kvm_pci_reservations: int(12, 0, 'PCI slots kept for hotplug'),
    disk_aio: oneOf(['threads', 'native', 'io_uring'], 'threads', 'Disk I/O mode'),
    disk_cache: oneOf(['default', 'none', 'writethrough', 'writeback'], 'default', 'Disk cache mode (default: qemu\'s)'),
    disk_discard: oneOf(['ignore', 'unmap'], 'ignore', 'Pass discards to the disk'),
    usb_mouse: str('', 'USB mouse or tablet device'),
    usb_devices: str('', 'Host USB devices given to the instance'),
    migration_port: int(8102, 1, 'TCP port the target listens on for a migration'),
    migration_bandwidth: int(32, 1, 'Migration bandwidth, MiB/s'),
    migration_downtime: int(30, 1, 'Maximum downtime of a live migration, ms'),
    migration_mode: oneOf(['live', 'non-live'], 'live', 'Default migration mode'),
    migration_caps: str('', 'Extra migration capabilities (cap1:cap2)'),
    use_localtime: bool(false, 'The clock in local time instead of UTC'),
    security_model: oneOf(['none', 'user', 'pool'], 'none', 'Run qemu as another user'),
    security_domain: str('', 'The user for security_model user'),
    kvm_flag: oneOf(['', 'enabled', 'disabled'], '', 'KVM acceleration: enabled, disabled (TCG: software emulation, for hosts without usable KVM), or qemu\'s default'),
    vhost_net: bool(true, 'vhost-net for virtio NICs (needs /dev/vhost-net; refused with a clear error where it is missing)'),
    vnet_hdr: bool(true, 'virtio-net headers on taps (offloads)'),
    virtio_net_queues: int(1, 1, 'virtio-net queues'),
    use_chroot: bool(false, 'Run qemu chrooted'),
    user_shutdown: bool(false, 'A guest that powers itself off stays defined (USER_down)'),
    mem_path: str('', 'Back the memory with files in this folder (hugepages)'),
    reboot_behavior: oneOf(['reboot', 'exit'], 'reboot', 'What a reboot in the guest does: reboot, or exit (the instance stops)'),
    cpu_mask: str('all', 'Host CPUs the instance may use'),
    cpu_type: str('', 'CPU model (-cpu); empty: qemu\'s default'),
    cpu_cores: int(0, 0, 'Cores per socket (0: qemu\'s default)'),
    cpu_threads: int(0, 0, 'Threads per core'),
    cpu_sockets: int(0, 0, 'Sockets'),
    soundhw: str('', 'Sound device'),
    vga: str('', 'VGA model'),
    kvm_extra: str('', 'Extra qemu arguments, split at blanks'),
    machine_version: str('', 'Machine type (-machine); empty: q35'),
    use_guest_agent: bool(false, 'Connect a qemu guest agent channel'),
  },
};

/** Parameters this plugin acts on; any other must keep its default. */
export const IMPLEMENTED = new Set([
  'kvm_path', 'kernel_path', 'initrd_path', 'kernel_args', 'root_path', 'acpi', 'serial_console', 'serial_speed', 'vnc_bind_address',
  'boot_order', 'nic_type', 'disk_type', 'disk_aio', 'disk_cache', 'disk_discard', 'migration_port', 'migration_bandwidth', 'migration_downtime',
  'migration_mode', 'use_localtime', 'kvm_flag', 'vhost_net', 'vnet_hdr', 'reboot_behavior', 'cpu_type', 'cpu_cores', 'cpu_threads', 'cpu_sockets',
  'vga', 'kvm_extra', 'machine_version', 'mem_path', 'keymap',
]);

const defaults = Object.fromEntries(Object.entries(KVM_PARAMS.properties).map(([k, s]) => [k, (s as { default: unknown }).default]));

/** Refuses a parameter set away from its default that this plugin does not implement. */
export function checkKvmParams(hvparams: Params): void {
  for (const [k, v] of Object.entries(hvparams)) {
    if (IMPLEMENTED.has(k) || !(k in defaults) || v === defaults[k] || v === undefined) continue;
    throw new GanetiError('GNT_KVM_PARAM_UNSUPPORTED', { param: k, value: JSON.stringify(v) });
  }
  if (hvparams['initrd_path'] && !hvparams['kernel_path']) throw new GanetiError('GNT_PARAM_INVALID', { owner: "hypervisor 'kvm'", param: 'initrd_path', problem: 'needs kernel_path' });
  if (hvparams['disk_type'] !== undefined && !['paravirtual', 'ide', 'scsi'].includes(String(hvparams['disk_type'])))
    throw new GanetiError('GNT_KVM_PARAM_UNSUPPORTED', { param: 'disk_type', value: JSON.stringify(hvparams['disk_type']) });
  if (hvparams['boot_order'] !== undefined && !['disk', 'cdrom', 'network'].includes(String(hvparams['boot_order'])))
    throw new GanetiError('GNT_KVM_PARAM_UNSUPPORTED', { param: 'boot_order', value: JSON.stringify(hvparams['boot_order']) });
}
