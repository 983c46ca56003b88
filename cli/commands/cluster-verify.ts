import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';

export interface VerifyOptions extends OpcodeOptions {
  errorCodes?: boolean;
  /** `-g group` */
  nodeGroup?: string;
  /** `--ignore-errors CODE` (repeatable, comma lists accepted) */
  ignoreErrors?: string[];
  /** false with `--no-nplus1-mem` */
  nplus1Mem?: boolean;
  verifySshClutter?: boolean;
}

/**
 * `gnt-cluster verify` (Ganeti's gnt_cluster.VerifyCluster): submits OP_CLUSTER_VERIFY and
 * follows it, printing each `  - ERROR: node X: ...` line as it comes; exits 1 when the
 * verification found errors (warnings alone still exit 0).
 */
export async function verifyCluster(opts: VerifyOptions): Promise<void> {
  const op = {
    OP_ID: 'OP_CLUSTER_VERIFY',
    error_codes: opts.errorCodes ?? false,
    ignore_errors: (opts.ignoreErrors ?? []).flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean),
    skip_checks: opts.nplus1Mem === false ? ['nplusone_mem'] : [],
    group_name: opts.nodeGroup ?? null,
    verify_clutter: opts.verifySshClutter ?? false,
  };
  const results = await submitAndWait([op], opts, { binary: 'gnt-cluster', command: 'verify' });
  if (results === null) return; // --submit
  if (results[0] !== true) throw new CliExit(EXIT.FAILURE);
}
