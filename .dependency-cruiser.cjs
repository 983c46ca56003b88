/**
 * The import rules of the design, enforced by `npm run lint` (part of `npm test`):
 * - providers (hypervisors/, storage/, collectors/, plugins/) import only core/index.ts and
 *   core/contracts/*, never core internals and never another provider;
 * - core never imports a provider or the CLI (built-ins are loaded by name at run time);
 * - no import cycles anywhere.
 */
module.exports = {
  forbidden: [
    {
      name: 'provider-imports-core-internals',
      comment: 'Providers may import only core/index.ts and core/contracts/* from core.',
      severity: 'error',
      from: { path: '^(hypervisors|storage|collectors|plugins)/' },
      to: { path: '^core/', pathNot: '^core/(index\\.ts|contracts/)' },
    },
    {
      name: 'provider-imports-other-provider',
      comment: 'A provider plugin must not import another plugin; share code through core.',
      severity: 'error',
      from: { path: '^(hypervisors|storage|collectors|plugins/[^/]+)/([^/]+)/' },
      to: { path: '^(hypervisors|storage|collectors|plugins/[^/]+)/', pathNot: '^$1/$2/' },
    },
    {
      name: 'core-imports-provider',
      comment: 'Core knows no concrete provider: built-ins are listed by name and loaded like third-party plugins.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(hypervisors|storage|collectors|plugins|cli)/' },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make load order fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|test/fixtures)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
