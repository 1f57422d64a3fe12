/**
 * Local search through the app's own path: messages from two accounts on the reference server go through
 * the accounts and the history into the index, and `history:search` (the handler table the IPC and the
 * bridge use) finds them — across accounts, with filters, in Chinese and English.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { createHandlers, dispatch } from '../../src/core/handlers'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { MemoryStore, plaintextSecretBox } from '../../src/core/storage/storage'
import type { HistorySearchHit } from '../../src/shared/search'
import { until } from '../unit/storage/link-helpers'

const dir = mkdtempSync(join(tmpdir(), 'miodesk-search-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('history:search', () => {
  it('finds messages of every account, newest first, with filters; bad queries are refused in words', async () => {
    const server = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 1 })
    const db = new SqliteHistory(join(dir, 'h.sqlite'), { indexDelayMs: 5 })
    const core = new AppCore({ store: new MemoryStore(), secrets: plaintextSecretBox, history: db, host: 'browser', version: 't', openExternal: async () => {} })
    const handlers = createHandlers(core)
    const search = (q: unknown) => dispatch(handlers, 'history:search', [q]) as Promise<HistorySearchHit[]>
    try {
      const a = await core.accounts.add('mio', { server: `ws://127.0.0.1:${server.port}`, id: '701', token: 'u' })
      const b = await core.accounts.add('mio', { server: `ws://127.0.0.1:${server.port}`, id: '702', token: 'u' })
      await core.accounts.send(a.id, 'bot', [{ type: 'text', data: { text: '第一个账号的季度报告 quarterly report' } }])
      await core.accounts.send(b.id, 'bot', [{ type: 'text', data: { text: '第二个账号也有季度报告' } }])
      // the reference bot echoes: wait until both echoes are stored
      let all: HistorySearchHit[] = []
      for (let i = 0; i < 250 && all.length < 4; i++) {
        all = await search({ text: '季度报告' })
        if (all.length < 4) await new Promise((r) => setTimeout(r, 20))
      }
      expect(all).toHaveLength(4)
      expect(new Set(all.map((h) => h.accountId))).toEqual(new Set([a.id, b.id]))
      expect(all.map((h) => h.time)).toEqual([...all.map((h) => h.time)].sort((x, y) => y - x))
      const mineInB = await search({ text: '季度', accountIds: [b.id], self: true })
      expect(mineInB.length).toBe(1)
      expect(mineInB[0]).toMatchObject({ accountId: b.id, contactId: 'bot', self: true })
      expect(mineInB[0]!.snippet.match).toBe('季度')
      expect((await search({ text: 'QUARTERLY' })).every((h) => h.accountId === a.id)).toBe(true)
      // the background indexer catches up; the answers stay the same
      await until(() => db.searchBacklog === 0, 5000)
      expect((await search({ text: '季度报告' })).map((h) => h.messageId)).toEqual(all.map((h) => h.messageId))
      await expect(search({})).rejects.toThrow(/needs some text/)
      await expect(search({ text: 'x'.repeat(2000) })).rejects.toThrow(/too long/)
      // unknown fields and wrong types are dropped, not trusted
      expect(await search({ text: '季度报告', kinds: ['nope'], contactId: 42, limit: 'all' })).toHaveLength(all.length)
    } finally {
      await core.stop()
      await server.close()
      db.close()
    }
  })
})
