import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryHistory, type HistoryStore } from '../../../src/core/storage/history'
import { SCHEMA_VERSION, SqliteHistory } from '../../../src/core/storage/sqlite-history'
import type { ChatMessage } from '../../../src/shared/mio'

const dirs: string[] = []
const opened: SqliteHistory[] = []
function tmpFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'miodesk-sqlite-'))
  dirs.push(d)
  return join(d, 'history.sqlite')
}
function open(file = tmpFile(), durability?: 'normal' | 'full'): SqliteHistory {
  const h = new SqliteHistory(file, { durability })
  opened.push(h)
  return h
}
afterEach(() => {
  while (opened.length) opened.pop()!.close()
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true })
})

const msg = (id: string, time: number, contactId = 'bot', extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  contactId,
  self: false,
  time,
  segments: [{ type: 'text', data: { text: `text ${id}` } }],
  status: 'sent',
  ...extra
})

describe('SqliteHistory', () => {
  it('creates the schema in WAL mode with the chosen synchronous level, and records its version', () => {
    const h = open()
    expect(h.schemaVersion).toBe(SCHEMA_VERSION)
    expect(h.pragma('journal_mode')).toBe('wal')
    expect(h.pragma('synchronous')).toBe(1) // NORMAL
    const f = open(tmpFile(), 'full')
    expect(f.pragma('synchronous')).toBe(2) // FULL
  })

  it('migrates an old database and refuses one written by a newer version', () => {
    const file = tmpFile()
    const raw = new Database(file)
    raw.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (0);')
    raw.close()
    const h = open(file)
    expect(h.schemaVersion).toBe(SCHEMA_VERSION)
    h.put('a', msg('1', 10))
    h.close()
    const newer = new Database(file)
    newer.prepare('UPDATE schema_version SET version = 99').run()
    newer.close()
    expect(() => new SqliteHistory(file)).toThrow(/newer MioDesk/)
  })

  it('says what is wrong when the file is not a database', () => {
    const file = tmpFile()
    writeFileSync(file, 'not a database at all, just some text that is long enough to have a header '.repeat(20))
    expect(() => new SqliteHistory(file)).toThrow(/database/i)
  })

  it('stores, replaces, finds, removes, and keeps accounts apart', () => {
    const h = open()
    h.put('a', msg('1', 10))
    h.put('a', msg('2', 20, 'llm:x', { self: true, ai: { requestId: 'r', status: 'completed', text: 'hi', reasoning: '', toolCalls: [] } }))
    h.put('b', msg('1', 15))
    h.put('a', { ...msg('1', 10), status: 'recalled' })
    expect(h.get('a', 'bot', '1')!.status).toBe('recalled')
    expect(h.get('a', 'llm:x', '1')).toBeUndefined()
    expect(h.find('a', '2')!.ai!.text).toBe('hi')
    expect(h.find('b', '1')!.time).toBe(15)
    expect(h.last('a', 'bot')!.id).toBe('1')
    h.remove('a', 'bot', '1')
    expect(h.find('a', '1')).toBeUndefined()
    expect(h.list('b', 'bot').map((m) => m.id)).toEqual(['1'])
    h.clearAccount('b')
    expect(h.list('b', 'bot')).toEqual([])
    expect(h.conversations('a')).toEqual([{ contactId: 'llm:x', messages: 1, lastTime: 20 }])
  })

  it('pages backwards by time with keyset pagination, oldest first in each page', () => {
    const h = open()
    const all = Array.from({ length: 1000 }, (_, i) => msg(`m${i}`, 1000 + i))
    h.putMany('a', all)
    expect(h.count('a', 'bot')).toBe(1000)
    let before: number | undefined
    const seen: string[] = []
    for (;;) {
      const page = h.list('a', 'bot', before, 60)
      if (!page.length) break
      seen.unshift(...page.map((m) => m.id))
      before = page[0]!.time
    }
    expect(seen).toEqual(all.map((m) => m.id))
    const plan = new Database(h.file, { readonly: true })
      .prepare("EXPLAIN QUERY PLAN SELECT body FROM messages WHERE account = 'a' AND contact = 'bot' AND time < 5 ORDER BY time DESC, rowid DESC LIMIT 50")
      .all() as { detail: string }[]
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX messages_by_time/)
    expect(plan.map((p) => p.detail).join(' ')).not.toMatch(/TEMP B-TREE/)
  })

  it('behaves like MemoryHistory for any sequence of operations', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('put' as const), id: fc.integer({ min: 0, max: 30 }), time: fc.integer({ min: 0, max: 40 }), c: fc.constantFrom('bot', 'x') }),
      fc.record({ k: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 30 }), c: fc.constantFrom('bot', 'x') }),
      fc.record({ k: fc.constant('list' as const), before: fc.option(fc.integer({ min: 0, max: 45 }), { nil: undefined }), limit: fc.integer({ min: 1, max: 12 }), c: fc.constantFrom('bot', 'x') })
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const s = new SqliteHistory(':memory:')
        const m: HistoryStore = new MemoryHistory()
        const times = new Map<string, number>()
        try {
          for (const o of ops) {
            if (o.k === 'put') {
              // Unique times per message id keep the comparison free of tie-order differences.
              const t = times.get(`${o.id}`) ?? o.time * 100 + o.id
              times.set(`${o.id}`, t)
              const x = msg(`${o.id}`, t, o.c)
              // An id lives in one conversation (ids are unique per account).
              const prev = m.find('a', x.id)
              if (prev && prev.contactId !== x.contactId) m.remove('a', prev.contactId, x.id)
              s.put('a', x)
              m.put('a', x)
            } else if (o.k === 'remove') {
              s.remove('a', o.c, `${o.id}`)
              m.remove('a', o.c, `${o.id}`)
            } else {
              expect(s.list('a', o.c, o.before === undefined ? undefined : o.before * 100, o.limit)).toEqual(m.list('a', o.c, o.before === undefined ? undefined : o.before * 100, o.limit))
              expect(s.last('a', o.c)).toEqual(m.last('a', o.c))
            }
          }
        } finally {
          s.close()
        }
      }),
      { numRuns: 150 }
    )
  })

  it('keeps the outbox with its messages: add, mark, settle — atomically, and across a reopen', () => {
    const file = tmpFile()
    const h = open(file)
    const a = msg('local-1', 1, 'bot', { self: true, status: 'sending' })
    const b = msg('local-2', 2, 'bot', { self: true, status: 'sending' })
    h.outboxAdd('acc', a, '111')
    h.outboxAdd('acc', b, '222')
    h.outboxMark('acc', 'local-1', true)
    h.close()
    const r = open(file)
    const q = r.outboxList('acc')
    expect(q.map((e) => [e.messageId, e.clientId, e.inFlight, e.attempts])).toEqual([
      ['local-1', '111', true, 1],
      ['local-2', '222', false, 0]
    ])
    expect(r.get('acc', 'bot', 'local-2')!.status).toBe('sending')
    r.outboxSettle('acc', 'local-1', { ...a, id: '555', localId: 'local-1', status: 'sent' })
    expect(r.find('acc', 'local-1')).toBeUndefined()
    expect(r.find('acc', '555')!.status).toBe('sent')
    r.outboxSettle('acc', 'local-2', { ...b, status: 'failed', error: 'no' })
    expect(r.outboxList('acc')).toEqual([])
    expect(r.find('acc', 'local-2')!.status).toBe('failed')
    // A failed transaction writes nothing: a message whose outbox entry cannot be written is not stored either.
    const bad = { ...msg('local-3', 3, 'bot', { self: true, status: 'sending' }), segments: undefined as unknown as [] }
    expect(() => r.outboxAdd('acc', bad, null as unknown as string)).toThrow()
    expect(r.find('acc', 'local-3')).toBeUndefined()
  })

  it('loses nothing acknowledged when the writing process is killed mid-burst (SIGKILL)', async () => {
    for (const durability of ['normal', 'full'] as const) {
      const file = tmpFile()
      const script = fileURLToPath(new URL('./burst-writer.ts', import.meta.url))
      const child = spawn(process.execPath, ['--import', 'tsx', script, file, durability], { stdio: ['ignore', 'pipe', 'inherit'] })
      const acked: string[] = []
      let buf = ''
      let ready = false
      const target = 3000 + Math.floor(Math.random() * 2000)
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)))
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString('utf8')
        const lines = buf.split('\n')
        buf = lines.pop()!
        for (const l of lines) {
          if (l === 'ready') ready = true
          else if (l) acked.push(l)
        }
        if (acked.length >= target && !child.killed) child.kill('SIGKILL')
      })
      const signal = await exited
      expect(ready).toBe(true)
      expect(signal).toBe('SIGKILL')
      expect(acked.length).toBeGreaterThanOrEqual(target)
      const h = open(file)
      const missing = acked.filter((id) => !h.find('acc', id))
      expect(missing).toEqual([])
      // At most the one transaction that committed before its ids were printed is stored beyond them.
      const stored = h.conversations('acc').reduce((n, c) => n + c.messages, 0)
      expect(stored - new Set(acked).size).toBeGreaterThanOrEqual(0)
      expect(stored - new Set(acked).size).toBeLessThanOrEqual(50)
      expect(h.outboxList('acc').every((e) => h.find('acc', e.messageId)?.status === 'sending')).toBe(true)
    }
  }, 60_000)
})
