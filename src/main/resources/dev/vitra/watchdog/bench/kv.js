// A key/value store with input checks, as benchmarked by `bench contract`.
import assert from 'assert'

export const apply = {
  PUT (tx, op) {
    assert(typeof op.key === 'string' && op.key.length > 0, 'PUT needs a key')
    tx.put(`/values/${op.key}`, op.value)
  },
  DEL (tx, op) {
    assert(typeof op.key === 'string', 'DEL needs a key')
    tx.delete(`/values/${op.key}`)
  }
}
