import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../../src/shared/mio'
import { SqliteHistory } from '../../../src/core/storage/sqlite-history'
import { snippetOf } from '../../../src/core/storage/search'
import { MemoryHistory } from '../../../src/core/storage/history'
import { GuardedHistory } from '../../../src/core/storage/guarded-history'

let n = 0
function msg(contactId: string, segments: ChatMessage['segments'], extra: Partial<ChatMessage> = {}): ChatMessage {
  n++
  return { id: `m${n}`, contactId, self: false, time: 1_700_000_000_000 + n * 1000, segments, status: 'sent', ...extra }
}
const text = (t: string): ChatMessage['segments'] => [{ type: 'text', data: { text: t } }]

type Store = SqliteHistory | MemoryHistory
/** Each store, and whether the SQLite indexer has run before the search (indexed) or not (all still queued). */
const stores: [string, () => Store, boolean][] = [
  ['SQLite, indexed (FTS5 trigram)', () => new SqliteHistory(':memory:', { indexDelayMs: -1 }), true],
  ['SQLite, still queued (answered from the stored JSON)', () => new SqliteHistory(':memory:', { indexDelayMs: -1 }), false],
  ['in memory (the same rules without an index)', () => new MemoryHistory(), false]
]

describe.each(stores)('full-text search over the stored history: %s', (_name, make, indexed) => {
  let h: Store
  beforeEach(() => {
    h = make()
  })
  afterEach(() => {
    if (h instanceof SqliteHistory) h.close()
  })

  const search = (q: Parameters<SqliteHistory['search']>[0]) => {
    if (indexed && h instanceof SqliteHistory) {
      h.indexNow()
      expect(h.searchBacklog).toBe(0)
    }
    return h.search(q)
  }
  const ids = (q: Parameters<SqliteHistory['search']>[0]): string[] => search(q).map((x) => x.messageId)

  it('finds Chinese substrings of any length and English words case-insensitively, newest first', () => {
    const a = msg('c1', text('明天下午三点开会，记得带上周报'))
    const b = msg('c1', text('The Weekly report is due on Friday'))
    const c = msg('c2', text('会议改到周五'))
    h.putMany('acc1', [a, b, c])
    expect(ids({ text: '周报' })).toEqual([a.id]) // two characters: below the trigram size
    expect(ids({ text: '下午三点' })).toEqual([a.id])
    expect(ids({ text: '会' })).toEqual([c.id, a.id])
    expect(ids({ text: 'weekly REPORT' })).toEqual([b.id])
    expect(ids({ text: 'report 会' })).toEqual([])
    expect(ids({ text: 'nothing like this' })).toEqual([])
  })

  it('indexes Markdown without its markup, HTML as text, file names, forwarded text and AI answers', () => {
    const md = msg('c1', [{ type: 'markdown', data: { text: '**粗体** and a [link text](https://example.com/zzz)' } }])
    const html = msg('c1', [{ type: 'html', data: { html: '<p>hello <b>world</b></p><script>secret()</script>' } }])
    const file = msg('c1', [{ type: 'file', data: { name: '季度报表.xlsx', url: 'https://x/y' } }])
    const fwd = msg('c1', [{ type: 'forward', data: { messages: [{ senderName: '林晓雨', segments: text('转发的内容') }] } }])
    const ai = msg('llm', [], { ai: { requestId: 'r', status: 'completed', text: 'The answer is *forty-two*', reasoning: '', toolCalls: [] } })
    h.putMany('acc1', [md, html, file, fwd, ai])
    expect(ids({ text: '粗体' })).toEqual([md.id])
    expect(ids({ text: 'link text' })).toEqual([md.id])
    expect(ids({ text: 'example.com/zzz' })).toEqual([]) // the link target is not visible text
    expect(ids({ text: 'hello world' })).toEqual([html.id])
    expect(ids({ text: 'secret' })).toEqual([])
    expect(ids({ text: '报表.xlsx' })).toEqual([file.id])
    expect(ids({ text: '转发的' })).toEqual([fwd.id])
    expect(ids({ text: '林晓雨' })).toEqual([fwd.id])
    expect(ids({ text: 'forty-two' })).toEqual([ai.id])
    expect(search({ text: 'forty' })[0]!.kind).toBe('ai')
    expect(search({ text: '报表' })[0]!.kind).toBe('file')
  })

  it('filters by account, conversation, sender, direction, time range and kind', () => {
    const a = msg('c1', text('部署完成 deploy ok'), { senderId: 'u7', senderName: '王思远' })
    const b = msg('c2', text('部署失败 deploy failed'), { self: true })
    const c = msg('c1', [{ type: 'image', data: { url: 'https://x/deploy.png' } }, ...text('deploy 截图')])
    h.putMany('acc1', [a, b])
    h.put('acc2', c)
    expect(ids({ text: 'deploy', accountIds: ['acc1'] })).toEqual([b.id, a.id])
    expect(ids({ text: 'deploy', accountIds: ['acc2'] })).toEqual([c.id])
    expect(ids({ text: 'deploy', accountIds: ['acc1'], contactId: 'c1' })).toEqual([a.id])
    expect(ids({ text: 'deploy', sender: '思远' })).toEqual([a.id])
    expect(ids({ text: 'deploy', sender: 'u7' })).toEqual([a.id])
    expect(ids({ text: 'deploy', self: true })).toEqual([b.id])
    expect(ids({ text: 'deploy', from: b.time, to: b.time })).toEqual([b.id])
    expect(ids({ text: 'deploy', before: c.time })).toEqual([b.id, a.id])
    expect(ids({ text: 'deploy', kinds: ['image'] })).toEqual([c.id])
    expect(ids({ text: 'deploy', kinds: ['text', 'image'] })).toEqual([c.id, b.id, a.id])
    expect(ids({ text: 'deploy', limit: 1 })).toEqual([c.id])
  })

  it('follows edits, recalls and removals in the same write', () => {
    const a = msg('c1', text('旧的内容 old words'))
    h.put('acc1', a)
    expect(ids({ text: 'old words' })).toEqual([a.id])
    h.put('acc1', { ...a, segments: text('新的内容 new words'), editedAt: Date.now() })
    expect(ids({ text: 'old words' })).toEqual([])
    expect(ids({ text: '新的内容' })).toEqual([a.id])
    h.put('acc1', { ...a, status: 'recalled' })
    expect(ids({ text: '新的内容' })).toEqual([])
    const b = msg('c1', text('to be removed'))
    h.put('acc1', b)
    h.remove('acc1', 'c1', b.id)
    expect(ids({ text: 'removed' })).toEqual([])
    h.clearAccount('acc1')
    expect(ids({ text: '内容' })).toEqual([])
  })

  it("the user's text is words, never query syntax: quotes, FTS operators and LIKE wildcards are inert", () => {
    const a = msg('c1', text('50% off_today "quoted" a OR b NEAR(x) col:val *star'))
    const other = msg('c1', text('nothing to see'))
    h.putMany('acc1', [a, other])
    expect(ids({ text: '50%' })).toEqual([a.id])
    expect(ids({ text: '%' })).toEqual([a.id])
    expect(ids({ text: '_' })).toEqual([a.id])
    expect(ids({ text: '"quoted"' })).toEqual([a.id])
    expect(ids({ text: 'a OR b' })).toEqual([a.id])
    expect(ids({ text: 'NEAR(x)' })).toEqual([a.id])
    expect(ids({ text: 'col:val' })).toEqual([a.id])
    expect(ids({ text: '*star' })).toEqual([a.id])
    expect(ids({ text: '"' })).toEqual([a.id])
    expect(ids({ text: '   ' })).toEqual([])
  })

  it('hits carry the conversation, time, sender and a snippet around the match', () => {
    const long = '前面有很多很多很多很多很多很多很多很多很多很多的文字，然后是关键词出现在这里，后面还有更多的文字'
    const a = msg('c9', text(long), { senderId: 'u1', senderName: '陈默' })
    h.put('acc1', a)
    const [hit] = search({ text: '关键词' })
    expect(hit).toMatchObject({ accountId: 'acc1', contactId: 'c9', messageId: a.id, time: a.time, senderName: '陈默', self: false, kind: 'text' })
    expect(hit!.snippet.match).toBe('关键词')
    expect(hit!.snippet.before.startsWith('…')).toBe(true)
    expect(hit!.snippet.before.endsWith('然后是')).toBe(true)
    expect(hit!.snippet.after.startsWith('出现在这里')).toBe(true)
  })

  it('snippets cut at character boundaries (no broken surrogate pairs)', () => {
    const s = snippetOf('😀'.repeat(40) + 'KEY' + '😀'.repeat(100), ['key'])
    expect(s.match).toBe('KEY')
    expect(s.before).toBe('…' + '😀'.repeat(24))
    expect(s.after).toBe('😀'.repeat(80) + '…')
  })

  it.runIf(indexed)("the index passes FTS5's own integrity check after mixed writes, and edits leave no stale hit", () => {
    for (let i = 0; i < 200; i++) h.put('acc1', msg(`c${i % 7}`, text(`消息 number ${i} 内容`)))
    for (let i = 0; i < 50; i++) h.put('acc1', { ...msg('c1', text('x')), id: `m${n - i * 3}`, segments: text(`改过 ${i}`) })
    h.remove('acc1', 'c1', `m${n}`)
    ;(h as SqliteHistory).indexNow()
    expect(ids({ text: '改过 49' }).length).toBe(1)
    expect(ids({ text: 'number' }).length).toBeLessThan(200)
    const db = (h as unknown as { db: Database.Database }).db
    const fts = (db.prepare('SELECT count(*) AS n FROM messages_fts').get() as { n: number }).n
    const rows = (db.prepare("SELECT count(*) AS n FROM messages WHERE text <> ''").get() as { n: number }).n
    expect(fts).toBe(rows)
    expect(() => db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow()
  })
})

describe('search migration of an existing database', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'miodesk-search-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('a version-1 database is indexed at open, keeping every message and an unreadable row', () => {
    const file = join(dir, 'history.db')
    const old = new Database(file)
    old.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);
      CREATE TABLE messages (account TEXT NOT NULL, contact TEXT NOT NULL, id TEXT NOT NULL, time INTEGER NOT NULL, status TEXT NOT NULL, self INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE UNIQUE INDEX messages_by_id ON messages(account, id);
      CREATE INDEX messages_by_time ON messages(account, contact, time);
      CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, contact TEXT NOT NULL, message_id TEXT NOT NULL, client_id TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, in_flight INTEGER NOT NULL DEFAULT 0, UNIQUE (account, message_id));`)
    const ins = old.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)')
    const a = msg('c1', text('迁移之前写下的消息'))
    ins.run('acc1', 'c1', a.id, a.time, 'sent', 0, JSON.stringify(a))
    ins.run('acc1', 'c1', 'broken', 1, 'sent', 0, '{not json')
    old.close()
    const h = new SqliteHistory(file, { expectExisting: true, indexDelayMs: -1 })
    try {
      expect(h.schemaVersion).toBe(2)
      expect(h.searchBacklog).toBe(2)
      expect(h.search({ text: '写下的' }).map((x) => x.messageId)).toEqual([a.id])
      h.indexNow()
      expect(h.searchBacklog).toBe(0)
      expect(h.search({ text: '写下的' }).map((x) => x.messageId)).toEqual([a.id])
      expect(h.get('acc1', 'c1', a.id)).toEqual(a)
      expect(h.count('acc1', 'c1')).toBe(2)
      const db = (h as unknown as { db: Database.Database }).db
      expect(() => db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow()
    } finally {
      h.close()
    }
  })
})

describe('search while the disk refuses writes', () => {
  it('a message held back from the store is found, and found once after it is written', () => {
    const inner = new SqliteHistory(':memory:', { indexDelayMs: -1 })
    let refuse = true
    const put = inner.put.bind(inner)
    inner.put = (a, m) => {
      if (refuse) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
      put(a, m)
    }
    inner.putMany = (a, ms) => ms.forEach((m) => inner.put(a, m))
    const g = new GuardedHistory(inner, { retryMs: 60_000, onFault: () => {} })
    try {
      const a = msg('c1', text('磁盘满的时候收到的消息'))
      g.put('acc1', a)
      expect(g.heldCount).toBe(1)
      expect(g.search({ text: '磁盘满' }).map((x) => x.messageId)).toEqual([a.id])
      refuse = false
      g.retry()
      expect(g.heldCount).toBe(0)
      expect(g.search({ text: '磁盘满' }).map((x) => x.messageId)).toEqual([a.id])
    } finally {
      g.close()
      inner.close()
    }
  })
})

describe('the background indexer', () => {
  it('indexes by itself shortly after writes stop, in slices, and search sees every message meanwhile', async () => {
    const h = new SqliteHistory(':memory:', { indexDelayMs: 10 })
    try {
      const ms = Array.from({ length: 3000 }, (_, i) => msg(`c${i % 5}`, text(`后台索引 message ${i}`)))
      h.putMany('acc1', ms)
      expect(h.searchBacklog).toBe(3000)
      expect(h.search({ text: '后台索引', limit: 200 }).length).toBe(200)
      const t0 = Date.now()
      while (h.searchBacklog > 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20))
      expect(h.searchBacklog).toBe(0)
      expect(h.search({ text: 'message 2999' }).map((x) => x.messageId)).toEqual([ms[2999]!.id])
    } finally {
      h.close()
    }
  })

  it('two messages in the same millisecond get distinct keys and both are found', () => {
    const h = new SqliteHistory(':memory:', { indexDelayMs: -1 })
    try {
      const a = { ...msg('c1', text('同一毫秒 one')), time: 5 }
      const b = { ...msg('c1', text('同一毫秒 two')), time: 5 }
      h.putMany('acc1', [a, b])
      h.indexNow()
      expect(new Set(h.search({ text: '同一毫秒' }).map((x) => x.messageId))).toEqual(new Set([a.id, b.id]))
    } finally {
      h.close()
    }
  })
})

describe('keys of deleted and reused rows', () => {
  it('a message stored again in the same millisecond after a delete (rowid reused) stays found', () => {
    const h = new SqliteHistory(':memory:', { indexDelayMs: -1 })
    try {
      const a = { ...msg('c1', text('重复使用 first')), time: 7 }
      h.put('acc1', a)
      h.indexNow()
      h.remove('acc1', 'c1', a.id)
      const b = { ...msg('c1', text('重复使用 second')), time: 7 }
      h.put('acc1', b)
      // one message at a time, so the drop of the old key could come after the new row
      const index = (h as unknown as { index: { indexSome(n: number): number } }).index
      while (index.indexSome(1) > 0) {
        /* one by one */
      }
      expect(h.search({ text: '重复使用' }).map((x) => x.messageId)).toEqual([b.id])
    } finally {
      h.close()
    }
  })
})
