// Recursion whose overflow the contract catches: the result depends on the engine's stack (PROTOCOL §4).
function depth (n) { return n === 0 ? 0 : 1 + depth(n - 1) }

export function caught ({ n }, emit) { emit({ op: 'CAUGHT', n }) }
export function parse ({ s }, emit) { emit({ op: 'PARSE', s }) }

export const apply = {
  CAUGHT (tx, op) {
    let result
    try { result = depth(op.n) } catch (e) { result = 'overflow' }
    tx.put('/rec', result)
  },
  PARSE (tx, op) {
    let result
    try { result = typeof JSON.parse(op.s) } catch (e) { result = 'unparsable' }
    tx.put('/parsed', result)
  }
}
