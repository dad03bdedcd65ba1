// A key/value store whose admin (the first participant to claim it) adds and removes participants.
import assert from 'assert'
import { index, isWriter, listOplogs } from 'contract'

export async function get ({ key }) {
  assert(typeof key === 'string', 'key must be a string')
  const entry = await index.get(`/values/${key}`)
  return entry?.value
}

export function put ({ key, value }, emit) {
  assert(isWriter, 'only writers may put')
  assert(typeof key === 'string', 'key must be a string')
  emit({ op: 'PUT', key, value })
}

export function claimAdmin (_, emit) {
  assert(isWriter)
  emit({ op: 'CLAIM_ADMIN' })
}

export function addParticipant ({ pubkey }, emit) {
  assert(isWriter)
  emit({ op: 'ADD_PARTICIPANT', pubkey })
}

export function removeParticipant ({ pubkey }, emit) {
  assert(isWriter)
  emit({ op: 'REMOVE_PARTICIPANT', pubkey })
}

export function participants () {
  return listOplogs()
}

async function requireAdmin (ack) {
  const admin = await index.get('/admin')
  assert(admin, 'there is no admin yet')
  assert.equal(admin.value, ack.origin, 'only the admin may change participants')
}

export const apply = {
  PUT (tx, op) {
    assert(typeof op.key === 'string' && op.key.length > 0, 'PUT needs a key')
    tx.put(`/values/${op.key}`, op.value)
  },
  async CLAIM_ADMIN (tx, op, ack) {
    assert(!(await index.get('/admin')), 'the admin is already claimed')
    tx.put('/admin', ack.origin)
  },
  async ADD_PARTICIPANT (tx, op, ack) {
    await requireAdmin(ack)
    tx.addOplog({ pubkey: op.pubkey })
  },
  async REMOVE_PARTICIPANT (tx, op, ack) {
    await requireAdmin(ack)
    tx.removeOplog({ pubkey: op.pubkey })
  }
}
