// A realistic key/value contract for `bench contract`: per op several index reads (get and list), assert
// checks, JSON-object puts with derived fields, a per-owner record, running statistics, and deletes.
import assert from 'assert'
import { index } from 'contract'

export function put ({ key, value }, emit) {
  emit({ op: 'PUT', key, value })
}

export const apply = {
  async PUT (tx, op, ack) {
    assert.equal(typeof op.key, 'string', 'key must be a string')
    assert.ok(op.value !== null && typeof op.value === 'object' && !Array.isArray(op.value), 'value must be an object')
    const path = '/items/' + op.key
    const before = await index.get(path)
    const owner = await index.get('/owners/' + ack.origin)
    const stats = await index.get('/stats')
    const owners = await index.list('/owners')
    const version = before ? before.value.version + 1 : 1
    tx.put(path, { ...op.value, version, by: ack.origin, at: ack.ts, tags: [...(op.value.tags || [])].sort() })
    tx.put('/owners/' + ack.origin, { count: (owner ? owner.value.count : 0) + 1, last: op.key })
    tx.put('/stats', {
      puts: (stats ? stats.value.puts : 0) + 1,
      dels: stats ? stats.value.dels : 0,
      owners: owners.length,
      updated: before !== undefined
    })
  },
  async DEL (tx, op) {
    assert.equal(typeof op.key, 'string', 'key must be a string')
    const path = '/items/' + op.key
    const before = await index.get(path)
    assert.ok(before, 'no such key: ' + op.key)
    const stats = await index.get('/stats')
    tx.delete(path)
    tx.put('/stats', { ...stats.value, dels: stats.value.dels + 1, updated: false })
  }
}
