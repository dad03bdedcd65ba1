// The audit benchmark's key/value contract: per op several index reads, asserts, and JSON-object puts or a delete.
import assert from 'assert'
import { index } from 'contract'

export function set ({ key, value }, emit) { emit({ op: 'SET', key, value }) }
export function remove ({ key }, emit) { emit({ op: 'REMOVE', key }) }

export const apply = {
  async SET (tx, op, ack) {
    assert(typeof op.key === 'string' && op.key.length > 0, 'SET needs a key')
    assert(op.value !== null && typeof op.value === 'object', 'values are objects')
    const previous = await index.get(`/kv/${op.key}`)
    const stats = await index.get('/stats')
    const version = (previous?.value?.version || 0) + 1
    tx.put(`/kv/${op.key}`, { ...op.value, version, by: ack.origin, at: ack.ts })
    tx.put('/stats', { writes: (stats?.value?.writes || 0) + 1, deletes: stats?.value?.deletes || 0 })
  },
  async REMOVE (tx, op) {
    const previous = await index.get(`/kv/${op.key}`)
    assert(previous, 'no such key')
    const stats = await index.get('/stats')
    tx.delete(`/kv/${op.key}`)
    tx.put('/stats', { writes: stats?.value?.writes || 0, deletes: (stats?.value?.deletes || 0) + 1 })
  }
}
