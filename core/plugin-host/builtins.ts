import { fileURLToPath } from 'node:url';
import type { PluginSpec } from './config.js';

/**
 * The built-in plugins, by folder. Core knows them only by name: each is loaded through the
 * same loader as a third-party plugin, from its compiled `index.js`.
 */
export const BUILTIN_PLUGINS = Object.freeze([
  'hypervisors/fake',
  'hypervisors/kvm',
  'hypervisors/lxc',
  'hypervisors/chroot',
  'hypervisors/xen',
  'storage/diskless',
  'storage/file',
  'storage/plain',
  'storage/blockdev',
  'storage/drbd',
  'storage/ext',
  'storage/sharedfile',
  'storage/rbd',
  'storage/gluster',
  'plugins/hook-scripts',
  'plugins/os',
  'plugins/network/bridged',
  'plugins/network/routed',
  'plugins/network/openvswitch',
]);

export const builtinSpecs = (names: readonly string[] = BUILTIN_PLUGINS): PluginSpec[] =>
  names.map((name) => ({
    specifier: fileURLToPath(new URL(`../../${name}/index.js`, import.meta.url)),
    options: {},
    from: 'built-in',
    baseDir: '/',
    builtin: true,
  }));
