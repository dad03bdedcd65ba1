// A minimal key/value contract for the audit tests: PUT and DEL at any path, FAIL always fails, MULTI writes many.
export function put ({ path, value }, emit) { emit({ op: 'PUT', path, value }) }
export function del ({ path }, emit) { emit({ op: 'DEL', path }) }
export function fail (_, emit) { emit({ op: 'FAIL' }) }
export function multi ({ paths }, emit) { emit({ op: 'MULTI', paths }) }

export const apply = {
  PUT (tx, op) { tx.put(op.path, op.value) },
  DEL (tx, op) { tx.delete(op.path) },
  FAIL () { throw new Error('this op always fails') },
  MULTI (tx, op) { for (const p of op.paths) tx.put(p, true) }
}
