/**
 * Local full-text search (issue #13): 100,000 stored messages, mixed Chinese and English, in 2 accounts
 * and 200 conversations.
 * - Query latency through SqliteHistory.search (FTS5 trigram + filters + hits with snippets), p50/p95,
 *   beside a `LIKE '%…%'` scan of the same table answering the same query (same hit building).
 * - The index's cost on the write path: messages/s through SqliteHistory.putMany (the message and its
 *   search-queue row, one transaction) beside the same batches through the schema-1 write (the table and
 *   upsert before the index), both into fresh database files; and the background indexer's own rate.
 * Run: `tsx bench/search.ts`, or as part of `npm run bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { SqliteHistory } from '../src/core/storage/sqlite-history'
import { hitOf, likeAnywhere, searchWords, type SearchRow } from '../src/core/storage/search'
import type { ChatMessage } from '../src/shared/mio'

const N = 100_000
const T0 = Date.UTC(2025, 0, 1)

// deterministic PRNG (mulberry32)
function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ZH = '今天 明天 会议 周报 部署 上线 回滚 服务器 数据库 接口 测试 文档 需求 评审 延期 发布 版本 客户 反馈 问题 修复 性能 优化 缓存 日志 告警 监控 备份 恢复 迁移 天气 火锅 周末 电影 晚饭 地铁 加班 请假 生日 快乐 谢谢 收到 好的 没问题 稍等 马上 看看 明白'.split(' ')
const EN = 'deploy release rollback server database api test docs review delay customer feedback issue fix performance cache logs alert monitor backup restore migrate weather dinner weekend movie thanks ok sure later check build pipeline branch merge commit token upload download'.split(' ')

function sentence(r: () => number): string {
  const zh = r() < 0.6
  const words = zh ? ZH : EN
  const n = 4 + Math.floor(r() * 12)
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(words[Math.floor(r() * words.length)]!)
  return zh ? out.join('') + (r() < 0.3 ? ` ${EN[Math.floor(r() * EN.length)]}` : '') + '。' : out.join(' ') + '.'
}

function corpus(): { accountId: string; m: ChatMessage }[] {
  const r = rng(13)
  return Array.from({ length: N }, (_, i) => ({
    accountId: i % 2 ? 'acc-b' : 'acc-a',
    m: {
      id: `m${i}`,
      contactId: `c${i % 100}`,
      self: i % 3 === 0,
      senderId: i % 3 === 0 ? undefined : `u${i % 17}`,
      senderName: i % 3 === 0 ? undefined : `用户${i % 17}`,
      time: T0 + i * 1000,
      segments: [{ type: 'text', data: { text: sentence(r) } }],
      status: 'sent'
    }
  }))
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}
const r2 = (x: number): number => Math.round(x * 100) / 100

function queries(): string[] {
  const r = rng(7)
  const q: string[] = []
  for (let i = 0; i < 80; i++) q.push(EN[Math.floor(r() * EN.length)]!)
  // Chinese of 3+ characters: two words run together, or a 3-character word
  for (let i = 0; i < 80; i++) {
    const w = ZH[Math.floor(r() * ZH.length)]! + ZH[Math.floor(r() * ZH.length)]!
    q.push(Array.from(w).slice(0, 3 + Math.floor(r() * 2)).join(''))
  }
  // two-character Chinese words (below the trigram size: answered from the text column)
  for (let i = 0; i < 40; i++) q.push(ZH.filter((w) => w.length === 2)[Math.floor(r() * 30)]!)
  return q
}

export async function benchSearch(): Promise<object[]> {
  const dir = mkdtempSync(join(tmpdir(), 'miodesk-bench-search-'))
  try {
    const data = corpus()
    const BATCH = 500

    // ---- write path: with the index (the app's store) vs the schema-1 write. Paired rounds: each round
    // writes the same 5,000 messages into a fresh file with each (the order alternating), and the ratio
    // of the two rates is taken per round, so machine load that comes and goes hits both sides alike.
    const W = 10_000
    const ROUNDS = 12
    const ratios: number[] = []
    const withIndex: number[] = []
    const without: number[] = []
    const indexer: number[] = []
    // CPU time of this process (user + system), not wall time: the other work on a shared machine then
    // hardly shifts either side
    const cpu = (): number => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1000
    }
    const ours = (round: number): number => {
      const h = new SqliteHistory(join(dir, `w${round}.sqlite`), { indexDelayMs: -1 })
      const t = cpu()
      for (let i = 0; i < W; i += BATCH) h.putMany('acc-a', data.slice(i, i + BATCH).map((x) => x.m))
      const rate = W / ((cpu() - t) / 1000)
      // the indexer's own work (off the write path: idle slices of 8 ms in the app)
      const ti = cpu()
      h.indexNow()
      indexer.push(W / ((cpu() - ti) / 1000))
      h.close()
      return rate
    }
    const schema1 = (round: number): number => {
      const db = new Database(join(dir, `v1-${round}.sqlite`))
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.exec(`CREATE TABLE messages (account TEXT NOT NULL, contact TEXT NOT NULL, id TEXT NOT NULL, time INTEGER NOT NULL, status TEXT NOT NULL, self INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE UNIQUE INDEX messages_by_id ON messages(account, id); CREATE INDEX messages_by_time ON messages(account, contact, time);`)
      const up = db.prepare(`INSERT INTO messages (account, contact, id, time, status, self, body) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (account, id) DO UPDATE SET contact = excluded.contact, time = excluded.time, status = excluded.status, self = excluded.self, body = excluded.body`)
      const tx = db.transaction((ms: ChatMessage[]) => {
        for (const m of ms) up.run('acc-a', m.contactId, m.id, m.time, m.status, m.self ? 1 : 0, JSON.stringify(m))
      })
      const t = cpu()
      for (let i = 0; i < W; i += BATCH) tx(data.slice(i, i + BATCH).map((x) => x.m))
      const rate = W / ((cpu() - t) / 1000)
      db.close()
      return rate
    }
    ours(-1)
    schema1(-1) // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      let a: number
      let b: number
      if (round % 2 === 0) {
        a = ours(round)
        b = schema1(round)
      } else {
        b = schema1(round)
        a = ours(round)
      }
      withIndex.push(a)
      without.push(b)
      ratios.push(b / a)
    }
    const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
    const ratio = med(ratios)
    const rateWith = med(withIndex)
    const rateWithout = med(without)
    const overhead = ratio - 1

    // ---- query latency over 100,000 messages
    const file = join(dir, 'search.sqlite')
    const h = new SqliteHistory(file, { indexDelayMs: -1 })
    for (const acc of ['acc-a', 'acc-b']) {
      const mine = data.filter((x) => x.accountId === acc).map((x) => x.m)
      for (let i = 0; i < mine.length; i += BATCH) h.putMany(acc, mine.slice(i, i + BATCH))
    }
    h.indexNow()
    const db = new Database(file, { readonly: true })
    const like = db.prepare(`SELECT account, contact, id, time, self, kind, text, body FROM messages WHERE text LIKE ? ESCAPE '\\' ORDER BY time DESC, rowid DESC LIMIT 50`)
    const qs = queries()
    const fts: number[] = []
    const scan: number[] = []
    const ftsShort: number[] = []
    let hits = 0
    // warm-up (page cache, statement caches)
    for (const q of qs.slice(0, 20)) {
      h.search({ text: q })
      like.all(likeAnywhere(q))
    }
    for (const q of qs) {
      const long = Array.from(q).length >= 3
      let t = performance.now()
      const got = h.search({ text: q })
      const dt = performance.now() - t
      ;(long ? fts : ftsShort).push(dt)
      hits += got.length
      t = performance.now()
      const words = searchWords(q)
      ;(like.all(likeAnywhere(q)) as SearchRow[]).map((row) => hitOf(row, words))
      scan.push(performance.now() - t)
      if (got.length === 0) throw new Error(`no hit for ${q}`)
    }
    // a filtered query: one conversation, one kind, a date range
    const filtered: number[] = []
    for (const q of qs.slice(0, 80)) {
      const t = performance.now()
      h.search({ text: q, accountIds: ['acc-a'], contactId: 'c4', kinds: ['text'], from: T0, to: T0 + N * 500 })
      filtered.push(performance.now() - t)
    }
    db.close()
    h.close()

    const p95 = pct(fts, 95)
    return [
      {
        name: 'search_query_100k',
        unit: 'ms p95 per query (3+ characters: the trigram index)',
        value: r2(p95),
        p50_ms: r2(pct(fts, 50)),
        p95_ms: r2(p95),
        short_words_p50_ms: r2(pct(ftsShort, 50)),
        short_words_p95_ms: r2(pct(ftsShort, 95)),
        filtered_p95_ms: r2(pct(filtered, 95)),
        baseline: "LIKE '%…%' scan of the same table, same hit building",
        baseline_value: r2(pct(scan, 95)),
        baseline_p50_ms: r2(pct(scan, 50)),
        ratio: r2(p95 / pct(scan, 95)),
        queries: qs.length,
        hits_returned: hits,
        goal: 'p95 <= 30 ms',
        met: p95 <= 30
      },
      {
        name: 'search_index_write_cost',
        unit: 'extra time per message on the write path (fraction; median of paired rounds)',
        value: r2(overhead),
        with_index_per_s: Math.round(rateWith),
        indexer_per_s: Math.round(med(indexer)),
        ratio_min: r2(Math.min(...ratios)),
        ratio_max: r2(Math.max(...ratios)),
        rounds: ROUNDS,
        indexer_note: 'FTS5 rows written by the background indexer in idle slices of 8 ms (not on the write path)',
        baseline: 'schema-1 write (no search queue, no index), same batches of 500',
        baseline_value: Math.round(rateWithout),
        ratio: r2(ratio),
        goal: 'overhead <= 0.25',
        met: overhead <= 0.25
      }
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchSearch().then((r) => console.log(JSON.stringify(r, null, 2)))
}
