/**
 * The full-text index of the message database (issue #13), kept beside the `messages` table:
 *
 * - A message written (or rewritten) has no key yet (`skey` NULL): in the same statement as the message,
 *   so a stored message is always either indexed or waiting, also after a crash. Writing a message costs
 *   one small index entry, not the index itself (FTS5 trigram costs ~30–60 µs a message, several times the
 *   message write: see bench/search.ts).
 * - The indexer (`indexSome`, run by SqliteHistory in short slices when the app is idle) takes waiting rows,
 *   derives their searchable text, kind and sender (search-text.ts), gives each a time-ordered key
 *   (`skey` = time << 20 | rowid's low 20 bits, unique) and writes the FTS5 rows (contentless, trigram
 *   tokenizer: any substring of 3+ characters, Chinese included). Deleted rows' keys go to `search_drop`.
 * - A search reads the index newest-first by key (FTS5 walks its rowids in order, so a common word stops
 *   after one page) and answers the still-queued rows from their stored JSON with the same rules, so a
 *   message is findable from the moment it is stored.
 */
import type Database from 'better-sqlite3'
import type { ChatMessage } from '../../shared/mio'
import type { HistorySearchHit, HistorySearchQuery, SearchKindFilter } from '../../shared/search'
import { ftsQuery, hitOf, likeAnywhere, searchColumns, searchLimit, searchMessages, searchWords, type SearchRow } from './search'
import { SEARCH_KINDS } from './search-text'

type Db = Database.Database
type Stmt = Database.Statement

/** Schema 2: the search columns, queue, drop list, index and the triggers that queue every write. */
// A row whose `skey` is NULL is waiting for the indexer (new rows, and rows the upsert rewrote: it sets
// skey to NULL); `fts_key` is the key its current FTS row has, if any. The partial index finds the
// waiting rows without a queue table or an insert trigger, so a write adds one small index entry and
// nothing else. (No INSERT OR IGNORE in the delete trigger: an upsert's conflict clause would override it.)
export const SEARCH_MIGRATION = `
  ALTER TABLE messages ADD COLUMN text TEXT;
  ALTER TABLE messages ADD COLUMN kind TEXT;
  ALTER TABLE messages ADD COLUMN sender TEXT;
  ALTER TABLE messages ADD COLUMN skey INTEGER;
  ALTER TABLE messages ADD COLUMN fts_key INTEGER;
  CREATE UNIQUE INDEX messages_by_skey ON messages(skey) WHERE skey IS NOT NULL;
  CREATE INDEX messages_unindexed ON messages(time) WHERE skey IS NULL;
  CREATE TABLE search_drop (skey INTEGER PRIMARY KEY);
  CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='', contentless_delete=1, tokenize='trigram');
  CREATE TRIGGER search_on_delete AFTER DELETE ON messages WHEN old.fts_key IS NOT NULL BEGIN
    INSERT INTO search_drop (skey) SELECT old.fts_key WHERE NOT EXISTS (SELECT 1 FROM search_drop WHERE skey = old.fts_key);
  END;`

/** What the message upsert sets on a conflict so the row is indexed again. */
export const SEARCH_REINDEX_ON_UPDATE = 'skey = NULL'

/** FTS rows read per page when walking the index newest-first. */
const PAGE = 400
const SELECT_COLS = 'm.rowid AS r, m.account, m.contact, m.id, m.time, m.self, m.kind, m.text, m.body'

interface Row extends SearchRow {
  r: number | bigint
}

const num = (v: number | bigint): number => (typeof v === 'bigint' ? Number(v) : v)

export class SearchIndex {
  private readonly s: Record<string, Stmt>
  private readonly batchTx: (limit: number) => number

  constructor(private readonly db: Db) {
    const p = (sql: string): Stmt => db.prepare(sql)
    this.s = {
      queued: p('SELECT rowid AS r, body FROM messages WHERE skey IS NULL ORDER BY time LIMIT ?'),
      queuedAll: p('SELECT rowid AS r, account, body FROM messages WHERE skey IS NULL'),
      queueCount: p('SELECT count(*) AS n FROM messages WHERE skey IS NULL'),
      drops: p('SELECT skey FROM search_drop LIMIT ?').safeIntegers(true),
      undrop: p('DELETE FROM search_drop WHERE skey = ?'),
      undropOf: p('DELETE FROM search_drop WHERE skey = (SELECT skey FROM messages WHERE rowid = ?)'),
      ftsDelete: p('DELETE FROM messages_fts WHERE rowid = ?'),
      ftsDeleteOld: p('DELETE FROM messages_fts WHERE rowid = (SELECT fts_key FROM messages WHERE rowid = ?)'),
      ftsDeleteOf: p('DELETE FROM messages_fts WHERE rowid = (SELECT skey FROM messages WHERE rowid = ?)'),
      // time-ordered unique key: the time (ms, clamped to ±2^42) shifted left 20 bits, and the rowid's low bits
      setCols: p('UPDATE messages SET text = ?, kind = ?, sender = ?, skey = (max(min(time, 4398046511103), -4398046511103) << 20) | (rowid & 1048575) WHERE rowid = ?'),
      setColsNext: p('UPDATE messages SET text = ?, kind = ?, sender = ?, skey = (SELECT coalesce(max(skey), 0) + 1 FROM messages) WHERE rowid = ?'),
      setFtsKey: p('UPDATE messages SET fts_key = skey WHERE rowid = ?'),
      ftsInsertOf: p("INSERT INTO messages_fts (rowid, text) SELECT skey, text FROM messages WHERE rowid = ? AND text <> ''")
    }
    this.batchTx = db.transaction((limit: number): number => {
      for (const d of this.s.drops!.all(limit) as { skey: bigint }[]) {
        this.s.ftsDelete!.run(d.skey)
        this.s.undrop!.run(d.skey)
      }
      const rows = this.s.queued!.all(limit) as { r: number; body: string }[]
      for (const row of rows) {
        let m: ChatMessage | undefined
        try {
          m = JSON.parse(row.body) as ChatMessage
        } catch {
          m = undefined // an unreadable row is kept, unsearchable
        }
        const c = m ? searchColumns(m) : { text: '', kind: 'other', sender: '' }
        this.s.ftsDeleteOld!.run(row.r)
        try {
          this.s.setCols!.run(c.text, c.kind, c.sender, row.r)
        } catch (e) {
          // two messages in the same millisecond whose rowids share their low 20 bits: the next free key
          if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw e
          this.s.setColsNext!.run(c.text, c.kind, c.sender, row.r)
        }
        // a deleted row may have had this key (same millisecond, rowid reused): its leftovers go first
        this.s.ftsDeleteOf!.run(row.r)
        this.s.undropOf!.run(row.r)
        this.s.ftsInsertOf!.run(row.r)
        this.s.setFtsKey!.run(row.r)
      }
      return rows.length
    })
  }

  /** Messages stored but not indexed yet. */
  get backlog(): number {
    return (this.s.queueCount!.get() as { n: number }).n
  }

  /** Indexes up to `limit` queued messages in one transaction; returns how many it took. */
  indexSome(limit = 200): number {
    return this.batchTx(limit)
  }

  /** Indexes everything queued. */
  indexAll(): void {
    while (this.indexSome(1000) > 0) {
      /* next batch */
    }
  }

  search(q: HistorySearchQuery): HistorySearchHit[] {
    const words = searchWords(typeof q.text === 'string' ? q.text : '')
    if (words.length === 0) return []
    const limit = searchLimit(q)
    const queuedRows = this.s.queuedAll!.all() as { r: number; account: string; body: string }[]
    const queued = new Set(queuedRows.map((x) => x.r))
    const indexed = this.searchIndexed(q, words, limit + queued.size).filter((row) => !queued.has(num(row.r)))
    const hits = indexed.map((row) => hitOf({ ...row, time: num(row.time), self: num(row.self) }, words))
    if (queuedRows.length) {
      const pending: { accountId: string; message: ChatMessage }[] = []
      for (const x of queuedRows) {
        try {
          pending.push({ accountId: x.account, message: JSON.parse(x.body) as ChatMessage })
        } catch {
          /* unreadable: not searchable */
        }
      }
      hits.push(...searchMessages(q, pending))
    }
    return hits.sort((a, b) => b.time - a.time).slice(0, limit)
  }

  /** The filters as SQL on `m`, with their parameters. */
  private filters(q: HistorySearchQuery, shortWords: string[]): { sql: string[]; params: unknown[] } {
    const sql: string[] = []
    const params: unknown[] = []
    for (const w of shortWords) {
      sql.push("m.text LIKE ? ESCAPE '\\'")
      params.push(likeAnywhere(w))
    }
    if (q.accountIds?.length) {
      sql.push(`m.account IN (${q.accountIds.map(() => '?').join(', ')})`)
      params.push(...q.accountIds)
    }
    if (q.contactId) {
      sql.push('m.contact = ?')
      params.push(q.contactId)
    }
    if (q.sender?.trim()) {
      sql.push("m.sender LIKE ? ESCAPE '\\'")
      params.push(likeAnywhere(q.sender.trim()))
    }
    if (typeof q.self === 'boolean') {
      sql.push('m.self = ?')
      params.push(q.self ? 1 : 0)
    }
    if (Number.isFinite(q.from)) {
      sql.push('m.time >= ?')
      params.push(q.from)
    }
    if (Number.isFinite(q.to)) {
      sql.push('m.time <= ?')
      params.push(q.to)
    }
    if (Number.isFinite(q.before)) {
      sql.push('m.time < ?')
      params.push(q.before)
    }
    const kinds = (q.kinds ?? []).filter((k): k is SearchKindFilter => (SEARCH_KINDS as readonly string[]).includes(k))
    if (kinds.length) {
      sql.push(`m.kind IN (${kinds.map(() => '?').join(', ')})`)
      params.push(...kinds)
    }
    return { sql, params }
  }

  private searchIndexed(q: HistorySearchQuery, words: string[], limit: number): Row[] {
    const long = words.filter((w) => Array.from(w).length >= 3)
    const short = words.filter((w) => Array.from(w).length < 3)
    const f = this.filters(q, short)
    if (long.length && !q.contactId) return this.walkIndex(ftsQuery(long), f, q, limit)
    // One conversation (its own time index bounds the rows), or only short words (walk the key index
    // newest first and stop at `limit`).
    const where = ['m.skey IS NOT NULL', ...f.sql]
    const params = [...f.params]
    if (long.length) {
      where.unshift('m.skey IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)')
      params.unshift(ftsQuery(long))
    }
    const order = q.contactId ? 'm.time DESC, m.skey DESC' : 'm.skey DESC'
    const sql = `SELECT ${SELECT_COLS} FROM messages m WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`
    return this.db.prepare(sql).all(...params, limit) as Row[]
  }

  /** Pages through the FTS rowids (= time-ordered keys) newest first, keeping the rows that pass the filters. */
  private walkIndex(match: string, f: { sql: string[]; params: unknown[] }, q: HistorySearchQuery, limit: number): Row[] {
    const ok = f.sql.length ? f.sql.join(' AND ') : '1'
    const stmt = this.db
      .prepare(
        `SELECT f.k AS k, (${ok}) AS ok, ${SELECT_COLS} FROM
           (SELECT rowid AS k FROM messages_fts WHERE messages_fts MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ${PAGE}) f
           LEFT JOIN messages m ON m.skey = f.k ORDER BY f.k DESC`
      )
      .safeIntegers(true)
    let upper = Number.isFinite(q.before) ? BigInt(Math.floor(q.before as number)) << 20n : (1n << 63n) - 1n
    const out: Row[] = []
    for (;;) {
      const page = stmt.all(...f.params, match, upper) as (Row & { k: bigint; ok: bigint | null })[]
      for (const row of page) if (row.ok && row.id !== null) out.push(row)
      if (out.length >= limit || page.length < PAGE) break
      upper = page[page.length - 1]!.k
    }
    return out.slice(0, limit)
  }
}
