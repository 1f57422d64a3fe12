/**
 * Child process of the outbox kill test: an AppCore with a durable store and history, one account of the
 * given platform, writing a burst of messages through the outbox. Prints the text of every message whose
 * send was acknowledged (stored and queued), one per line, until it is killed.
 *   node --import tsx test/integration/outbox-kill-child.ts <mio|yunhu> <server port> <dir>
 */
import { join } from 'node:path'
import { AppCore } from '../../src/core/app-core'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { JsonFileStore, plaintextSecretBox } from '../../src/core/storage/storage'
import { draftSegments } from '../../src/shared/model/compose'
import { KILL_TEST, contactOf, coreOptions } from './outbox-kill-shared'

const [platform, port, dir] = process.argv.slice(2) as ['mio' | 'yunhu', string, string]
const core = new AppCore({ ...coreOptions(), store: new JsonFileStore(join(dir, 'store.json')), secrets: plaintextSecretBox, history: new SqliteHistory(join(dir, 'history.sqlite')) })
const acc =
  platform === 'mio'
    ? await core.accounts.add('mio', { server: `ws://127.0.0.1:${port}`, id: KILL_TEST.mioId, token: 'u' })
    : await core.accounts.add('yunhu', { api: `http://127.0.0.1:${port}`, email: KILL_TEST.email, password: KILL_TEST.password })
await core.accounts.contacts(acc.id)
const contact = contactOf(platform)
process.stdout.write('ready\n')
let i = 0
function round(): void {
  for (let k = 0; k < 5; k++) {
    const text = `kill-${String(i++).padStart(5, '0')}`
    void core.accounts.send(acc.id, contact, draftSegments({ format: 'text', text }))
    // The send returned: its message and queue entry are committed.
    process.stdout.write(`${text}\n`)
  }
  setTimeout(round, 2)
}
round()
