/**
 * Child process of the kill test: writes a burst of messages through SqliteHistory and prints the id of
 * every message whose write was acknowledged (the call returned), one per line, until it is killed.
 *   node --import tsx test/unit/storage/burst-writer.ts <db file> <normal|full>
 */
import { SqliteHistory } from '../../../src/core/storage/sqlite-history'
import type { ChatMessage } from '../../../src/shared/mio'

const [file, durability] = process.argv.slice(2)
const h = new SqliteHistory(file!, { durability: durability === 'full' ? 'full' : 'normal' })
let n = 0
const msg = (): ChatMessage => {
  const i = n++
  return { id: `m${i}`, contactId: `c${i % 7}`, self: i % 2 === 0, time: 1_700_000_000_000 + i, segments: [{ type: 'text', data: { text: `message ${i} `.repeat(1 + (i % 20)) } }], status: 'sent' }
}
process.stdout.write('ready\n')
function round(): void {
  // Alternate single writes, batches and outbox writes so the kill can land inside any of them.
  for (let k = 0; k < 20; k++) {
    const m = msg()
    h.put('acc', m)
    process.stdout.write(`${m.id}\n`)
  }
  const batch = Array.from({ length: 50 }, msg)
  h.putMany('acc', batch)
  process.stdout.write(batch.map((m) => m.id).join('\n') + '\n')
  const o = { ...msg(), status: 'sending' as const }
  h.outboxAdd('acc', o, String(n))
  process.stdout.write(`${o.id}\n`)
  setImmediate(round)
}
round()
