// Vitra's counter example, as benchmarked by `bench contract`.
import { index } from 'contract'

export const apply = {
  async INCREMENT (tx, op) {
    const current = await index.get('counter')
    tx.put('counter', (current?.value || 0) + 1)
  }
}
