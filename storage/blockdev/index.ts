/**
 * Built-in plugin: the `blockdev` disk template. Option `allowedPrefixes` (default
 * `['/dev/disk/']`, as Ganeti) lists the path prefixes disks may be adopted from.
 */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { createBlockdevStorage } from './blockdev-storage.js';
import { DEFAULT_ALLOWED_PREFIXES, TEMPLATE } from './logical-id.js';

export default definePlugin({
  name: 'builtin:storage/blockdev',
  apiVersion: PLUGIN_API_VERSION,
  optionsSchema: {
    type: 'object',
    properties: {
      allowedPrefixes: {
        type: 'array',
        items: { type: 'string', pattern: '^/dev/' },
        minItems: 1,
        description: 'Path prefixes block devices may be adopted from (each under /dev/)',
      },
    },
  },
  apply(host) {
    const prefixes = (host.options['allowedPrefixes'] as string[] | undefined) ?? DEFAULT_ALLOWED_PREFIXES;
    host.storage.register(TEMPLATE, createBlockdevStorage({ allowedPrefixes: prefixes }));
  },
});
