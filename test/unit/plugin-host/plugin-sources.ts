import { CORE_URL } from '../../helpers/tmp.js';

/**
 * Source text of small plugin modules for loader tests. They import the compiled core by URL,
 * as an installed plugin imports 'ganeti-ts'.
 */
const header = `import { definePlugin, PLUGIN_API_VERSION, HYPERVISOR_REQUIRED_METHODS, STORAGE_REQUIRED_METHODS } from '${CORE_URL}';
const methods = (names) => Object.fromEntries(names.map((m) => [m, async () => null]));
`;

export const hypervisorPlugin = (name: string, provider: string, extra = '') => `${header}
export default definePlugin({
  name: '${name}',
  apiVersion: PLUGIN_API_VERSION,
  ${extra}
  apply(host) {
    host.hypervisors.register('${provider}', {
      ...methods(HYPERVISOR_REQUIRED_METHODS),
      canMigrate: false,
      description: 'test hypervisor',
      params: { type: 'object', properties: { kernel_path: { type: 'string' }, boot_timeout: { type: 'integer', minimum: 1 } } },
    });
  },
});
`;

export const storagePlugin = (name: string, provider: string) => `${header}
export default definePlugin({
  name: '${name}',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.storage.register('${provider}', {
      ...methods(STORAGE_REQUIRED_METHODS),
      diskTemplate: '${provider}', storageType: 'file', mirrored: 'none', fileBased: true,
      supportsSnapshot: false, supportsGrow: false, userspaceAccess: false,
      params: { type: 'object', properties: { format: { enum: ['raw', 'qcow2'] } } },
    });
  },
});
`;

export const rawPlugin = (body: string) => `${header}\n${body}\n`;
