// The demo's contract: a small token ledger. A participant mints tokens to itself or transfers some of its balance to
// another participant; the contract rejects a transfer beyond the sender's balance (the executor acknowledges it as
// failed, which is normal, not fraud). Balances live at /balances/<participant id>.
import assert from 'assert'
import { index } from 'contract'

export async function balance ({ account }) {
  const entry = await index.get(`/balances/${account}`)
  return entry?.value || 0
}

export function mint ({ amount }, emit) { emit({ op: 'MINT', amount }) }
export function transfer ({ to, amount }, emit) { emit({ op: 'TRANSFER', to, amount }) }

export const apply = {
  async MINT (tx, op, ack) {
    assert(Number.isSafeInteger(op.amount) && op.amount > 0 && op.amount <= 1000, 'mint between 1 and 1000 tokens')
    const mine = await index.get(`/balances/${ack.origin}`)
    tx.put(`/balances/${ack.origin}`, (mine?.value || 0) + op.amount)
  },
  async TRANSFER (tx, op, ack) {
    assert(typeof op.to === 'string' && /^[0-9a-f]{64}$/.test(op.to), 'transfer to a participant id')
    assert(op.to !== ack.origin, 'transfer to someone else')
    assert(Number.isSafeInteger(op.amount) && op.amount > 0, 'transfer a positive amount')
    const mine = await index.get(`/balances/${ack.origin}`)
    assert((mine?.value || 0) >= op.amount, 'insufficient balance')
    const theirs = await index.get(`/balances/${op.to}`)
    tx.put(`/balances/${ack.origin}`, mine.value - op.amount)
    tx.put(`/balances/${op.to}`, (theirs?.value || 0) + op.amount)
  }
}
