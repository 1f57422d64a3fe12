/**
 * Offline start: with the server unreachable the core still lists the stored account, its contacts and its
 * history (from SQLite), says it is reconnecting (and when), queues sends durably — across a restart — and
 * flushes them in order once the server is back.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { JsonFileStore, plaintextSecretBox, type KeyValueStore } from '../../src/core/storage/storage'
import type { ChatMessage } from '../../src/shared/mio'
import { settled, until } from '../unit/storage/link-helpers'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const textOf = (m: ChatMessage): string => m.segments.map((s) => String(s.data.text ?? '')).join('')

function open(dir: string): { core: AppCore; history: SqliteHistory; store: KeyValueStore } {
  const history = new SqliteHistory(join(dir, 'history.sqlite'))
  const store = new JsonFileStore(join(dir, 'store.json'))
  const core = new AppCore({
    store,
    secrets: plaintextSecretBox,
    history,
    host: 'browser',
    version: 'test',
    openExternal: async () => {},
    clientOptions: { heartbeatIntervalMs: 500, backoff: { baseMs: 100, maxMs: 300, factor: 2, jitter: 0 } }
  })
  cleanups.push(async () => {
    await core.stop()
    history.close()
  })
  return { core, history, store }
}

async function close(x: { core: AppCore; history: SqliteHistory }): Promise<void> {
  await x.core.stop()
  x.history.close()
}

it('starts offline with cached conversations, queues sends across a restart, and flushes them when the server is back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'miodesk-offline-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))

  // 1. A normal session: log in, talk to the bot, quit.
  let server: RunningServer | undefined = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 1 })
  const port = server.port
  cleanups.push(() => server?.close())
  const first = open(dir)
  const acc = await first.core.mio.add({ server: `ws://127.0.0.1:${port}`, id: '8001', token: 'u' })
  for (const t of ['one', 'two', 'three']) await first.core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: t } }])
  await until(() => first.core.history.list(acc.id, 'bot').filter((m) => !m.self).length === 3, 5000, 'the echoes')
  const before = first.core.history.list(acc.id, 'bot')
  await close(first)
  await server.close()
  server = undefined

  // 2. Start with the server gone: everything cached is there, the status says when it retries.
  const second = open(dir)
  await second.core.start()
  const accounts = second.core.accounts.list()
  expect(accounts.map((a) => a.id)).toEqual([acc.id])
  expect(accounts[0]!.login?.botQq).toBeTruthy() // the last login, cached
  const st = await new Promise<AccountStatus>((resolve) => {
    const check = (): void => {
      const s = second.core.accounts.list()[0]!.status
      if (s.state === 'reconnecting') resolve(s)
      else setTimeout(check, 10)
    }
    check()
  })
  expect(st.retryInMs).toBeGreaterThan(0)
  expect(st.retryAt).toBeGreaterThan(Date.now() - 1000)
  expect(st.error).toMatch(/reach/i)
  const contacts = second.core.mio.contactList(acc.id)
  expect(contacts.map((c) => c.kind)).toEqual(['bot', 'llm'])
  expect(contacts[0]!.name).toMatch(/^Bot \d+/)
  expect(contacts[0]!.lastMessage?.preview).toBe('three')
  expect(second.core.history.list(acc.id, 'bot')).toEqual(before)
  // Older messages page in from the cache too.
  expect(second.core.history.list(acc.id, 'bot', before[2]!.time, 2)).toEqual(before.slice(0, 2))
  // Sends while offline are shown as pending and stored in the outbox.
  const q1 = await second.core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'offline-1' } }])
  const q2 = await second.core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'offline-2' } }])
  expect([q1.status, q2.status]).toEqual(['sending', 'sending'])
  await close(second)

  // 3. Restart, still offline: the outbox survived; one more send.
  const third = open(dir)
  await third.core.start()
  expect(third.core.mio.outboxOf(acc.id).map((e) => e.messageId)).toEqual([q1.id, q2.id])
  expect(third.core.history.list(acc.id, 'bot').slice(-2).map((m) => [m.id, m.status])).toEqual([
    [q1.id, 'sending'],
    [q2.id, 'sending']
  ])
  const q3 = await third.core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'offline-3' } }])
  expect(q3.status).toBe('sending')

  // 4. The server comes back on the same port: the core reconnects by itself and flushes the outbox in order.
  server = await startServer({ port, adminCode: 'a', userCode: 'u', chunkDelayMs: 1 })
  await until(() => third.core.accounts.list()[0]!.status.state === 'online', 10_000, 'online')
  await until(() => third.core.mio.outboxOf(acc.id).length === 0, 10_000, 'the outbox to drain')
  const echoes = (): ChatMessage[] => third.core.history.list(acc.id, 'bot', undefined, 500).filter((m) => !m.self && textOf(m).startsWith('offline-'))
  await until(() => echoes().length >= 3, 5000, 'the echoes')
  await settled(() => echoes().length)
  expect(echoes().map(textOf)).toEqual(['offline-1', 'offline-2', 'offline-3'])
  // The restarted server reuses its message ids: the old echoes are kept (renamed), not overwritten.
  expect(third.core.history.list(acc.id, 'bot', undefined, 500).filter((m) => !m.self).map(textOf)).toEqual(['one', 'two', 'three', 'offline-1', 'offline-2', 'offline-3'])
  const mine = third.core.history.list(acc.id, 'bot', undefined, 500).filter((m) => m.self)
  expect(mine.map((m) => [textOf(m), m.status])).toEqual([
    ['one', 'sent'],
    ['two', 'sent'],
    ['three', 'sent'],
    ['offline-1', 'sent'],
    ['offline-2', 'sent'],
    ['offline-3', 'sent']
  ])
}, 60_000)

type AccountStatus = ReturnType<AppCore['accounts']['list']>[number]['status']
