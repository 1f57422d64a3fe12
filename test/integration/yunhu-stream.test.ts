/**
 * A Yunhu bot's streamed reply through the one streaming path: the message is stored and shown once at
 * its start, grows by `stream` deltas (coalesced), and is stored whole at its end — storage and the
 * conversation cache are not rewritten on every chunk.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { MemoryHistory } from '../../src/core/storage/history'
import { MemoryStore, plaintextSecretBox } from '../../src/core/storage/storage'
import type { StreamDelta } from '../../src/shared/api'
import type { ChatMessage } from '../../src/shared/mio'
import { draftSegments } from '../../src/shared/model/compose'
import { until } from '../unit/storage/link-helpers'

const STREAM_BOT = '60000002'
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

/** A history that counts writes per message id. */
class CountingHistory extends MemoryHistory {
  readonly writes = new Map<string, number>()
  override put(accountId: string, m: ChatMessage): void {
    this.writes.set(m.id, (this.writes.get(m.id) ?? 0) + 1)
    super.put(accountId, m)
  }
}
/** A key-value store that counts writes per key. */
class CountingStore extends MemoryStore {
  readonly writes = new Map<string, number>()
  override set(key: string, value: unknown): void {
    this.writes.set(key, (this.writes.get(key) ?? 0) + 1)
    super.set(key, value)
  }
}

describe('Yunhu stream', () => {
  it('is stored at its start and end (and bounded checkpoints), shown in between by coalesced deltas', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'miodesk-yh-stream-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const server = await startServer({ port: 0, dataDir: dir, yunhu: { dataDir: dir, email: 'demo@miodesk.local', password: 'stream-pw-1', chunkDelayMs: 5, followUpMs: 10 } })
    cleanups.push(() => server.close())
    const history = new CountingHistory()
    const store = new CountingStore()
    const core = new AppCore({
      store,
      secrets: plaintextSecretBox,
      history,
      host: 'browser',
      version: 'test',
      openExternal: async () => {},
      streamFlushMs: 16,
      yunhu: { push: { loginSettleMs: 50 }, connectWaitMs: 5000, streamIdleMs: 300 }
    })
    cleanups.push(() => core.stop())
    const acc = await core.accounts.add('yunhu', { api: `http://127.0.0.1:${server.port}`, email: 'demo@miodesk.local', password: 'stream-pw-1' })
    await core.accounts.contacts(acc.id)
    await core.accounts.history(acc.id, STREAM_BOT)
    const deltas: StreamDelta[] = []
    const messages: ChatMessage[] = []
    core.events.on('stream', (d) => deltas.push(d))
    core.events.on('message', (p) => messages.push(p.message))
    const contactWrites = (): number => store.writes.get(`yunhu-contacts:${acc.id}`) ?? 0
    await core.accounts.send(acc.id, STREAM_BOT, draftSegments({ format: 'text', text: 'stream please' }))
    const expected = '这是一条流式回复, 文字会一段一段地追加到同一条消息里。你说的是: stream please'
    const reply = await (async () => {
      await until(() => messages.some((m) => m.contactId === STREAM_BOT && !m.self), 5000, 'the stream start')
      return messages.find((m) => m.contactId === STREAM_BOT && !m.self)!
    })()
    const writesBefore = contactWrites()
    await until(() => history.get(acc.id, STREAM_BOT, reply.id)?.segments.some((s) => s.data.text === expected) === true, 8000, 'the stored final text')
    const chunks = Math.ceil(expected.length / 6) - 1 // stream_message frames after the first chunk
    const mine = deltas.filter((d) => d.messageId === reply.id)
    // Shown in between through deltas whose text adds up to the rest of the reply …
    expect(mine.length).toBeGreaterThanOrEqual(2)
    expect(mine.length).toBeLessThanOrEqual(chunks)
    const first = String(reply.segments.find((s) => s.type === 'markdown')?.data.text ?? '')
    expect(first + mine.map((d) => d.textAppend).join('')).toBe(expected)
    // … while storage is written at the start and at the end only (the stream lasts well under a checkpoint interval).
    expect(history.writes.get(reply.id)).toBeLessThanOrEqual(3)
    expect(messages.filter((m) => m.id === reply.id).length).toBeLessThanOrEqual(3)
    // The conversation list is saved at most a couple of times for the whole stream, not per chunk.
    expect(contactWrites() - writesBefore).toBeLessThanOrEqual(2)
    expect(chunks).toBeGreaterThanOrEqual(6)
  }, 30_000)
})
