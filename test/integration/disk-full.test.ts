/**
 * The disk fills up while messages arrive: every one is still shown, kept, and the user is told; once space is
 * back they are stored. (Before: the write error was swallowed in the socket's frame handler after the id was
 * marked seen, and a Mio-Chat server keeps no history — 50 of 50 pushed messages were lost.)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { MemoryStore, plaintextSecretBox } from '../../src/core/storage/storage'
import type { MainEvents } from '../../src/shared/api'
import type { ChatMessage } from '../../src/shared/mio'
import { until } from '../unit/storage/link-helpers'

const dir = mkdtempSync(join(tmpdir(), 'miodesk-diskfull-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a full disk while receiving', () => {
  it('50 bot replies arrive while writes fail: all shown and held, the user told; stored once space is back', async () => {
    const server = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 1 })
    const db = new SqliteHistory(join(dir, 'h.sqlite'))
    let full = false
    const put = db.put.bind(db)
    db.put = (a, m) => {
      if (full && !m.self) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
      put(a, m)
    }
    const core = new AppCore({ store: new MemoryStore(), secrets: plaintextSecretBox, history: db, host: 'browser', version: 't', openExternal: async () => {} })
    const shown: ChatMessage[] = []
    const storage: MainEvents['storage'][] = []
    core.events.on('message', (p) => shown.push(p.message))
    core.events.on('storage', (p) => storage.push(p))
    try {
      const acc = await core.accounts.add('mio', { server: `ws://127.0.0.1:${server.port}`, id: '777', token: 'u' })
      full = true
      for (let i = 0; i < 50; i++) await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: `disk-full-${i}` } }])
      const echoes = (): ChatMessage[] => shown.filter((m) => !m.self && JSON.stringify(m.segments).includes('disk-full-'))
      await until(() => new Set(echoes().map((m) => m.id)).size >= 50, 20_000, '50 echoes')
      // Shown, readable (a page of the conversation has them), and the user was told how many wait.
      const page = core.history.list(acc.id, 'bot', undefined, 200)
      for (let i = 0; i < 50; i++) expect(page.some((m) => !m.self && JSON.stringify(m.segments).includes(`disk-full-${i}"`))).toBe(true)
      expect(storage.at(-1)?.fault).toMatchObject({ kind: 'disk-full' })
      expect(storage.at(-1)!.fault!.held).toBeGreaterThanOrEqual(50)
      expect(core.info().storageFault?.kind).toBe('disk-full')
      expect(db.list(acc.id, 'bot', undefined, 200).filter((m) => !m.self)).toHaveLength(0)
      // Space is back.
      full = false
      core.history.retry()
      expect(storage.at(-1)).toEqual({ fault: null })
      const stored = db.list(acc.id, 'bot', undefined, 200).filter((m) => !m.self)
      for (let i = 0; i < 50; i++) expect(stored.some((m) => JSON.stringify(m.segments).includes(`disk-full-${i}"`))).toBe(true)
    } finally {
      await core.stop()
      db.close()
      await server.close()
    }
  }, 60_000)
})
