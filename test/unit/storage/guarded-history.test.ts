/**
 * A write the disk refuses never loses a message: it is held, readable through every read, and written once
 * the store takes it again; the user is told while messages are held and when they are safe.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { GuardedHistory, faultKind } from '../../../src/core/storage/guarded-history'
import { SqliteHistory } from '../../../src/core/storage/sqlite-history'
import type { StorageFault } from '../../../src/shared/api'
import type { ChatMessage } from '../../../src/shared/mio'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A real SQLite history whose writes fail like a full disk while `full` is set. */
function fullDisk(): { db: SqliteHistory; setFull(on: boolean): void } {
  const dir = mkdtempSync(join(tmpdir(), 'miodesk-guard-'))
  dirs.push(dir)
  const db = new SqliteHistory(join(dir, 'h.sqlite'))
  let full = false
  const refuse = (): void => {
    if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
  }
  const put = db.put.bind(db)
  const putMany = db.putMany.bind(db)
  db.put = (a, m) => (refuse(), put(a, m))
  db.putMany = (a, ms) => (refuse(), putMany(a, ms))
  return { db, setFull: (on) => (full = on) }
}

const msg = (i: number, contactId = 'bot', text = `m${i}`): ChatMessage => ({ id: `id${i}`, contactId, self: false, time: 1_000 + i, segments: [{ type: 'text', data: { text } }], status: 'sent' })

describe('GuardedHistory', () => {
  it('holds 50 messages a full disk refused, shows them in every read, and writes them when space is back', () => {
    const { db, setFull } = fullDisk()
    const faults: (StorageFault | null)[] = []
    const h = new GuardedHistory(db, { onFault: (f) => faults.push(f), retryMs: 60_000 })
    h.put('a', msg(0))
    setFull(true)
    for (let i = 1; i <= 50; i++) h.put('a', msg(i))
    expect(h.heldCount).toBe(50)
    expect(faults.at(-1)).toEqual({ kind: 'disk-full', held: 50 })
    // Every read sees them: a page, the last message, by id, across the account.
    expect(h.list('a', 'bot', undefined, 100).map((m) => m.id)).toEqual(Array.from({ length: 51 }, (_, i) => `id${i}`))
    expect(h.list('a', 'bot', 1_000 + 26, 10).map((m) => m.id)).toEqual(Array.from({ length: 10 }, (_, i) => `id${16 + i}`))
    expect(h.last('a', 'bot')?.id).toBe('id50')
    expect(h.get('a', 'bot', 'id7')?.segments).toEqual(msg(7).segments)
    expect(h.find('a', 'id8')?.id).toBe('id8')
    // Still full: the retry keeps them.
    h.retry()
    expect(h.heldCount).toBe(50)
    expect(db.list('a', 'bot', undefined, 100)).toHaveLength(1)
    // Space is back.
    setFull(false)
    h.retry()
    expect(h.heldCount).toBe(0)
    expect(faults.at(-1)).toBeNull()
    expect(db.list('a', 'bot', undefined, 100).map((m) => m.id)).toEqual(Array.from({ length: 51 }, (_, i) => `id${i}`))
    db.close()
  })

  it('a newer copy of a held message is held behind it, never overwritten by the older one', () => {
    const { db, setFull } = fullDisk()
    const h = new GuardedHistory(db, { onFault: () => {}, retryMs: 60_000 })
    setFull(true)
    h.put('a', msg(1, 'bot', 'first'))
    setFull(false)
    // The store would take this one, but the held older copy must not land after it.
    h.put('a', msg(1, 'bot', 'edited'))
    expect(h.get('a', 'bot', 'id1')?.segments[0]!.data.text).toBe('edited')
    h.retry()
    expect(db.get('a', 'bot', 'id1')?.segments[0]!.data.text).toBe('edited')
    db.close()
  })

  it('retries on its own timer and says so in the kinds a person can act on', async () => {
    const { db, setFull } = fullDisk()
    const faults: (StorageFault | null)[] = []
    const h = new GuardedHistory(db, { onFault: (f) => faults.push(f), retryMs: 20 })
    setFull(true)
    h.put('a', msg(1))
    setFull(false)
    const t0 = Date.now()
    while (h.heldCount && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10))
    expect(h.heldCount).toBe(0)
    expect(faults).toEqual([{ kind: 'disk-full', held: 1 }, null])
    h.close()
    db.close()
    expect(faultKind(Object.assign(new Error('x'), { code: 'SQLITE_READONLY_DBMOVED' }))).toBe('read-only')
    expect(faultKind(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe('disk-full')
    expect(faultKind(new Error('disk I/O error'))).toBe('write-failed')
  })

  it('a read that fails answers with what is held instead of throwing into the caller', () => {
    const { db } = fullDisk()
    const h = new GuardedHistory(db, { onFault: () => {} })
    db.close()
    expect(h.list('a', 'bot')).toEqual([])
    expect(h.last('a', 'bot')).toBeUndefined()
    h.close()
  })
})

describe('JsonFileStore (the browser build\'s settings)', () => {
  it('a damaged or empty file is moved aside and kept as it was; a missing one is simply new', async () => {
    const { JsonFileStore } = await import('../../../src/core/storage/storage')
    const { readFileSync, writeFileSync, existsSync } = await import('node:fs')
    const dir = mkdtempSync(join(tmpdir(), 'miodesk-json-'))
    dirs.push(dir)
    for (const bad of ['', '{"accounts": [tru', '[1,2]', 'null']) {
      const file = join(dir, 'miodesk-web.json')
      writeFileSync(file, bad)
      const s = new JsonFileStore(file)
      expect(s.damaged).toBeDefined()
      expect(readFileSync(s.damaged!, 'utf8')).toBe(bad)
      expect(s.get('accounts')).toBeUndefined()
      s.set('settings', { theme: 'dark' })
      // The damaged copy is never overwritten.
      expect(readFileSync(s.damaged!, 'utf8')).toBe(bad)
      expect(new JsonFileStore(file).get('settings')).toEqual({ theme: 'dark' })
    }
    const fresh = new JsonFileStore(join(dir, 'none.json'))
    expect(fresh.damaged).toBeUndefined()
    expect(existsSync(join(dir, 'none.json'))).toBe(false)
  })
})
