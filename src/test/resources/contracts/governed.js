// A key/value store with an admin who adds and removes participants and upgrades the contract; reads through
// index.get and index.list. Used by the audit tests (version is bumped by upgrades).
import assert from 'assert'
import { index } from 'contract'

export const version = 1

export function put ({ path, value }, emit) { emit({ op: 'PUT', path, value }) }
export function del ({ path }, emit) { emit({ op: 'DEL', path }) }
export function fail (_, emit) { emit({ op: 'FAIL' }) }
export function multi ({ paths }, emit) { emit({ op: 'MULTI', paths }) }
export function list ({ prefix }, emit) { emit({ op: 'LIST', prefix }) }
export function claimAdmin (_, emit) { emit({ op: 'CLAIM_ADMIN' }) }
export function addParticipant ({ pubkey }, emit) { emit({ op: 'ADD', pubkey }) }
export function removeParticipant ({ pubkey }, emit) { emit({ op: 'REMOVE', pubkey }) }
export function upgrade ({ code }, emit) { emit({ op: 'UPGRADE', code }) }

async function requireAdmin (ack) {
  const admin = await index.get('/admin')
  assert(admin && admin.value === ack.origin, 'only the admin may do this')
}

export const apply = {
  async PUT (tx, op, ack) {
    const count = await index.get('/count')
    tx.put(op.path, op.value)
    tx.put('/count', (count?.value || 0) + 1)
    tx.put('/last', { by: ack.origin, seq: ack.seq, ts: ack.ts, version })
  },
  DEL (tx, op) { tx.delete(op.path) },
  FAIL () { throw new Error('this op always fails') },
  MULTI (tx, op) { for (const p of op.paths) tx.put(p, true) },
  async LIST (tx, op) {
    const children = await index.list(op.prefix)
    tx.put('/listed' + op.prefix, children.map(c => [c.name, c.container, c.value ?? null, c.seq ?? null]))
  },
  async CLAIM_ADMIN (tx, op, ack) {
    assert(!(await index.get('/admin')), 'the admin is already claimed')
    tx.put('/admin', ack.origin)
  },
  async ADD (tx, op, ack) { await requireAdmin(ack); tx.addOplog({ pubkey: op.pubkey }) },
  async REMOVE (tx, op, ack) { await requireAdmin(ack); tx.removeOplog({ pubkey: op.pubkey }) },
  async UPGRADE (tx, op, ack) { await requireAdmin(ack); tx.setContractSource({ code: op.code }) }
}
