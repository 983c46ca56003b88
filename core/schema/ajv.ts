import { createRequire } from 'node:module';
import type { Ajv, Options } from 'ajv';

const require = createRequire(import.meta.url);
let AjvClass: typeof Ajv | undefined;

/**
 * An ajv instance made on first use. ajv costs tens of milliseconds to load, so commands
 * that never validate (`--version`, `gnt-debug plugins`) never pay for it. Each caller keeps
 * its own instance because the options differ: parameters from the command line are
 * coerced, opcodes get Ganeti's defaults filled, LUXI arguments are taken as they come.
 */
export function lazyAjv(options: Options): () => Ajv {
  let ajv: Ajv | undefined;
  return () => {
    AjvClass ??= (require('ajv') as { Ajv: typeof Ajv }).Ajv;
    return (ajv ??= new AjvClass(options));
  };
}
