// Paths with any UTF-16 code units (the protocol allows them): PUT writes one, READ copies what index.get and
// index.list see into /seen/<n>, so a monitor that stored a path wrongly replays another outcome.
import { index } from 'contract'

export function put ({ path, value }, emit) { emit({ op: 'PUT', path, value }) }
export function read ({ n, path, prefix }, emit) { emit({ op: 'READ', n, path, prefix }) }

export const apply = {
  PUT (tx, op) { tx.put(op.path, op.value) },
  async READ (tx, op) {
    const got = await index.get(op.path)
    const children = await index.list(op.prefix)
    tx.put('/seen/' + op.n, { got: got === undefined ? null : got.value, children: children.map(c => c.name) })
  }
}
