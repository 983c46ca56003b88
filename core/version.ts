import { readFileSync } from 'node:fs';

/** ganeti-ts's own package.json, read once (it sits two folders above dist/core). */
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

export const PACKAGE_NAME: string = pkg.name;
export const VERSION: string = pkg.version;
