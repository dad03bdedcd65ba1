// Vitra's counter example: one shared counter that every participant may increment.
import { index } from 'contract'

export async function get () {
  const entry = await index.get('counter')
  return entry?.value || 0
}

export function increment (_, emit) {
  emit({ op: 'INCREMENT' })
}

export const apply = {
  async INCREMENT (tx, op) {
    const current = await index.get('counter')
    tx.put('counter', (current?.value || 0) + 1)
  }
}
