/**
 * The logical id of an ext disk (interfaces §10.1): `[provider, volume]`. Both names end up
 * in a folder lookup and in a log file name, so neither may hold a `/` or be `.`/`..`.
 */
import { GanetiError, type DiskSpec, type LogicalId } from '../../core/index.js';

export const TEMPLATE = 'ext';

export interface ExtId {
  readonly provider: string;
  readonly volume: string;
}

const SAFE_NAME = /^(?!\.\.?$)[^/\0\n]+$/;

export function parseExtId(id: LogicalId, disk: string): ExtId {
  const invalid = (reason: string) => new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk, reason });
  if (!Array.isArray(id) || id.length !== 2) throw invalid(`the logical id must be [provider, volume name], not ${JSON.stringify(id)}`);
  const [provider, volume] = id as unknown[];
  if (typeof provider !== 'string' || !SAFE_NAME.test(provider)) throw invalid(`the provider name ${JSON.stringify(provider)} is not a plain file name`);
  if (typeof volume !== 'string' || !SAFE_NAME.test(volume)) throw invalid(`the volume name ${JSON.stringify(volume)} is not a plain file name`);
  return { provider, volume };
}

export const extId = (spec: DiskSpec): ExtId => parseExtId(spec.logicalId, spec.uuid);
