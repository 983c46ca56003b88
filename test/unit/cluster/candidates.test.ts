import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FrozenConfig } from '../../../core/config/index.js';
import { candidateStats, nodesToPromote, shouldSelfPromote } from '../../../core/cluster/candidates.js';
import { formatJoinToken, joinProof, parseJoinSecret, parseJoinToken, proofMatches } from '../../../core/cluster/join-token.js';

// The candidate pool rules (Ganeti's GetMasterCandidateStats, _DecideSelfPromotion,
// MaintainCandidatePool) on small configurations, and the join token's syntax and proofs.
const node = (name: string, o: Partial<{ mc: boolean; offline: boolean; drained: boolean; capable: boolean }> = {}) => ({
  uuid: `uuid-${name}`, name, master_candidate: o.mc ?? false, offline: o.offline ?? false, drained: o.drained ?? false, master_capable: o.capable ?? true,
});
const config = (pool: number, ...nodes: ReturnType<typeof node>[]) =>
  ({ cluster: { candidate_pool_size: pool, master_node: nodes[0]!.uuid, candidate_certs: {} }, nodes: Object.fromEntries(nodes.map((n) => [n.uuid, n])) }) as unknown as FrozenConfig;

test('pool statistics count only nodes that can be candidates', () => {
  const c = config(3, node('m', { mc: true }), node('a', { mc: true }), node('b', { offline: true }), node('c', { drained: true }), node('d', { capable: false }), node('e'));
  assert.deepEqual(candidateStats(c), { now: 2, should: 3, max: 3 });
  assert.deepEqual(candidateStats(c, ['uuid-a']), { now: 1, should: 2, max: 2 });
});

test('a new node promotes itself while the pool has room', () => {
  assert.equal(shouldSelfPromote(config(3, node('m', { mc: true }), node('a', { mc: true }))), true);
  assert.equal(shouldSelfPromote(config(2, node('m', { mc: true }), node('a', { mc: true }))), false);
  assert.equal(shouldSelfPromote(config(10, node('m', { mc: true }), node('a', { mc: true }), node('b'))), true);
});

test('the pool is refilled with spare nodes in name order, leaving out the excepted and the unfit', () => {
  const c = config(3, node('m', { mc: true }), node('x', { mc: true }), node('n10'), node('n9'), node('n2', { drained: true }));
  assert.deepEqual(nodesToPromote(c, ['uuid-x']).map((n) => n.name), ['n9', 'n10']);
  assert.deepEqual(nodesToPromote(c).map((n) => n.name), ['n9']);
  // with a change applied first: x going offline leaves room for two
  assert.deepEqual(nodesToPromote(c, [], { 'uuid-x': { master_candidate: false, offline: true } }).map((n) => n.name), ['n9', 'n10']);
});

test('join tokens: full token, bare secret, and clear errors', () => {
  const secret = 'ab'.repeat(32);
  const fingerprint = 'cd'.repeat(32);
  const token = formatJoinToken({ secret, fingerprint });
  assert.equal(token, `gntjoin1_${secret}_${fingerprint}`);
  assert.deepEqual(parseJoinToken(` ${token.toUpperCase().replace('GNTJOIN1', 'gntjoin1')}\n`), { secret, fingerprint });
  assert.deepEqual(parseJoinToken(secret), { secret, fingerprint: null });
  assert.throws(() => parseJoinToken('abc'), { code: 'GNT_JOIN_TOKEN_INVALID' });
  assert.throws(() => parseJoinToken(`gntjoin1_${secret}_abc`), /fingerprint is not 64 hex digits/);
  assert.throws(() => parseJoinSecret(token), /give the node the secret only/);
  const p = joinProof(secret, 'node', fingerprint, '1'.repeat(32), '2'.repeat(32));
  assert.equal(proofMatches(p, p), true);
  assert.equal(proofMatches(p, joinProof(secret, 'master', fingerprint, '1'.repeat(32), '2'.repeat(32))), false);
  assert.equal(proofMatches(p, joinProof(secret, 'node', 'ef'.repeat(32), '1'.repeat(32), '2'.repeat(32))), false);
  assert.equal(proofMatches(p, 42), false);
});
