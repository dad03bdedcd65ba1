// A contract that replaces itself: version 1 stores greetings, UPGRADE installs new code.
import { index } from 'contract'

export const version = 1

export const apply = {
  GREET (tx, op) {
    tx.put(`/greetings/${op.name}`, `hello, ${op.name}`)
  },
  async UPGRADE (tx, op, ack) {
    const owner = await index.get('/owner')
    if (owner && owner.value !== ack.origin) throw new Error('only the owner may upgrade')
    tx.put('/owner', ack.origin)
    tx.setContractSource({ code: op.code })
  }
}
