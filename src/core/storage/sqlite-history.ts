/**
 * The durable history: conversations, messages and the outbox in one SQLite database
 * (better-sqlite3, synchronous calls in the main process). See docs/STORAGE.md for the choice,
 * the schema, the durability settings and how the native module is built for Node and Electron.
 *
 * A write is acknowledged when the call (`put`, `putMany`, `outbox*`) returns: by then its
 * transaction is committed to the WAL file, so killing the process afterwards loses nothing.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { ChatMessage } from '../../shared/mio'
import type { HistoryStore, OutboxEntry, OutboxStore } from './history'
import { setAsideDamaged } from './storage'
import { faultKind } from './guarded-history'
import { SEARCH_MIGRATION, SEARCH_REINDEX_ON_UPDATE, SearchIndex } from './search-index'
import type { HistorySearchHit, HistorySearchQuery } from '../../shared/search'

type Db = Database.Database
type Stmt = Database.Statement

export interface SqliteHistoryOptions {
  /**
   * 'normal' (default): WAL + synchronous=NORMAL. Every acknowledged write survives the process being
   * killed or crashing; an OS crash or power cut may lose the last transactions (never corrupts).
   * 'full': WAL + synchronous=FULL. Also survives a power cut, at one fsync per transaction.
   */
  durability?: 'normal' | 'full'
  /**
   * The profile already has accounts, so a database must exist: a missing or zero-length file is then a
   * lost or truncated database (reported as damaged), not "a new database".
   */
  expectExisting?: boolean
  /**
   * How long after a write the search indexer starts (ms, default 100); -1 leaves indexing to
   * `indexNow()` (tests and benchmarks that measure the write path alone).
   */
  indexDelayMs?: number
}

/** The indexer's slice of main-thread time, and its pause between slices (ms). */
const INDEX_SLICE_MS = 8
const INDEX_PAUSE_MS = 15

/**
 * The message database is there but cannot be used as it is: `kind` says why — `damaged` (not a database,
 * failed its integrity check, or empty/missing while accounts exist) or `read-only` (the file or its folder
 * cannot be written). The app offers what to do (copy the error, move the file aside and start fresh, quit);
 * it never starts over by itself.
 */
export class HistoryOpenError extends Error {
  constructor(
    readonly kind: 'damaged' | 'read-only',
    readonly file: string,
    readonly detail: string
  ) {
    super(kind === 'damaged' ? `The message database ${file} is damaged: ${detail}` : `The message database ${file} cannot be written: ${detail}`)
    this.name = 'HistoryOpenError'
  }
}

/**
 * Moves a damaged database and its WAL and shared-memory files aside (kept untouched, the time in their
 * names) so a fresh one can start; returns where the database went.
 */
export function setAsideDatabase(file: string, now = new Date()): string {
  const to = existsSync(file) ? setAsideDamaged(file, now) : `${file} (missing)`
  for (const side of ['-wal', '-shm']) if (existsSync(file + side)) setAsideDamaged(file + side, now)
  return to
}

/** SQLite's and Node's words for "this cannot be written here". */
function isReadOnly(e: unknown): boolean {
  // The same reading as a refused write (faultKind); a file SQLite cannot open at all counts here too.
  return faultKind(e) === 'read-only' || (e as { code?: unknown } | null)?.code === 'SQLITE_CANTOPEN'
}

/** better-sqlite3's native module could not be loaded (not built for this runtime). */
export class StorageLoadError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause })
    this.name = 'StorageLoadError'
  }
}

/**
 * Schema migrations, in order; `schema_version.version` = how many have been applied. Each runs in one
 * transaction with its version bump: an interrupted migration leaves the database as it was.
 */
const MIGRATIONS: Array<string | ((db: Db) => void)> = [
  // 1: messages (one row per message, the message itself as JSON) and the outbox.
  `CREATE TABLE messages (
     account TEXT NOT NULL,
     contact TEXT NOT NULL,
     id      TEXT NOT NULL,
     time    INTEGER NOT NULL,
     status  TEXT NOT NULL,
     self    INTEGER NOT NULL,
     body    TEXT NOT NULL
   );
   CREATE UNIQUE INDEX messages_by_id ON messages(account, id);
   CREATE INDEX messages_by_time ON messages(account, contact, time);
   CREATE TABLE outbox (
     seq        INTEGER PRIMARY KEY AUTOINCREMENT,
     account    TEXT NOT NULL,
     contact    TEXT NOT NULL,
     message_id TEXT NOT NULL,
     client_id  TEXT NOT NULL,
     attempts   INTEGER NOT NULL DEFAULT 0,
     in_flight  INTEGER NOT NULL DEFAULT 0,
     UNIQUE (account, message_id)
   );`,
  // 2: full-text search: the search columns, the queue every write adds to, the FTS5 trigram index
  // (see search-index.ts). Existing messages are queued and indexed in the background.
  SEARCH_MIGRATION
]

export const SCHEMA_VERSION = MIGRATIONS.length

const NATIVE_HINT =
  'better-sqlite3 (the message database) could not load its native module for this runtime. ' +
  'For Node (tests, CI, the browser host) run `npm rebuild better-sqlite3`; for Electron the packaging step rebuilds it ' +
  '(electron-builder `npmRebuild: true`), or run `npx electron-rebuild -f -w better-sqlite3` for `npm run dev`.'

function isNativeLoadError(e: unknown): boolean {
  const m = e instanceof Error ? e.message : String(e)
  return /NODE_MODULE_VERSION|compiled against a different|Could not locate the bindings file|better_sqlite3\.node|invalid ELF|dlopen|Module did not self-register|not a valid Win32 application/i.test(m)
}

interface OutboxRow {
  seq: number
  account: string
  contact: string
  message_id: string
  client_id: string
  attempts: number
  in_flight: number
}

const entryOf = (r: OutboxRow): OutboxEntry => ({
  seq: r.seq,
  accountId: r.account,
  contactId: r.contact,
  messageId: r.message_id,
  clientId: r.client_id,
  attempts: r.attempts,
  inFlight: r.in_flight !== 0
})

export class SqliteHistory implements HistoryStore, OutboxStore {
  readonly file: string
  private readonly db: Db
  private readonly s: Record<string, Stmt>
  private readonly putTx: (accountId: string, messages: ChatMessage[]) => void
  private readonly index: SearchIndex
  private readonly indexDelayMs: number
  private indexTimer?: ReturnType<typeof setTimeout>

  /** Opens (creating and migrating as needed) the database at `file` (':memory:' for a throwaway one). */
  constructor(file: string, options: SqliteHistoryOptions = {}) {
    this.file = file
    const disk = file !== ':memory:'
    if (disk) {
      try {
        mkdirSync(dirname(file), { recursive: true })
      } catch (e) {
        if (isReadOnly(e)) throw new HistoryOpenError('read-only', file, `the folder ${dirname(file)} cannot be created (${(e as NodeJS.ErrnoException).code})`)
        throw e
      }
      if (options.expectExisting) {
        const size = existsSync(file) ? statSync(file).size : -1
        if (size <= 0) throw new HistoryOpenError('damaged', file, size < 0 ? 'the file is missing although accounts exist' : 'the file is empty (zero bytes) although accounts exist')
      }
    }
    try {
      this.db = new Database(file)
    } catch (e) {
      if (isNativeLoadError(e)) throw new StorageLoadError(`${NATIVE_HINT} (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`, e)
      if (isReadOnly(e)) throw new HistoryOpenError('read-only', file, e instanceof Error ? e.message : String(e))
      throw new Error(`Cannot open the message database ${file}: ${e instanceof Error ? e.message : String(e)}`)
    }
    try {
      this.db.pragma('journal_mode = WAL')
      this.db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`)
      this.db.pragma('busy_timeout = 5000')
      this.db.pragma('temp_store = MEMORY')
      // A damaged file opens without complaint; the first read says so. quick_check reads every page once.
      if (disk) {
        const rows = this.db.pragma('quick_check') as Array<{ quick_check: string }>
        const bad = rows.map((r) => r.quick_check).filter((r) => r !== 'ok')
        if (bad.length) throw new HistoryOpenError('damaged', file, `the integrity check failed: ${bad.slice(0, 3).join('; ')}`)
      }
      this.migrate()
    } catch (e) {
      this.db.close()
      if (e instanceof HistoryOpenError) throw e
      const code = String((e as { code?: unknown } | null)?.code ?? '')
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new HistoryOpenError('damaged', file, e instanceof Error ? e.message : String(e))
      if (isReadOnly(e)) throw new HistoryOpenError('read-only', file, e instanceof Error ? e.message : String(e))
      throw e
    }
    const p = (sql: string): Stmt => this.db.prepare(sql)
    this.s = {
      upsert: p(
        `INSERT INTO messages (account, contact, id, time, status, self, body) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account, id) DO UPDATE SET contact = excluded.contact, time = excluded.time, status = excluded.status, self = excluded.self, body = excluded.body,
           ${SEARCH_REINDEX_ON_UPDATE}`
      ),
      remove: p('DELETE FROM messages WHERE account = ? AND contact = ? AND id = ?'),
      get: p('SELECT body FROM messages WHERE account = ? AND id = ? AND contact = ?'),
      find: p('SELECT body FROM messages WHERE account = ? AND id = ?'),
      // Keyset pagination on (account, contact, time) — rowid (the insertion order) breaks ties — never OFFSET.
      page: p('SELECT body FROM messages WHERE account = ? AND contact = ? AND time < ? ORDER BY time DESC, rowid DESC LIMIT ?'),
      // forward keyset on (time, rowid): every message once, in order, however many share a time
      forward: p(
        'SELECT rowid AS r, time, body FROM messages WHERE account = ? AND contact = ? AND (time > ? OR (time = ? AND rowid > ?)) ORDER BY time, rowid LIMIT ?'
      ),
      newest: p('SELECT body FROM messages WHERE account = ? AND contact = ? ORDER BY time DESC, rowid DESC LIMIT ?'),
      count: p('SELECT count(*) AS n FROM messages WHERE account = ? AND contact = ?'),
      conversations: p('SELECT contact, count(*) AS n, max(time) AS last FROM messages WHERE account = ? GROUP BY contact ORDER BY last DESC'),
      clearMessages: p('DELETE FROM messages WHERE account = ?'),
      clearOutbox: p('DELETE FROM outbox WHERE account = ?'),
      outboxAdd: p(
        `INSERT INTO outbox (account, contact, message_id, client_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (account, message_id) DO UPDATE SET in_flight = 0 RETURNING *`
      ),
      outboxList: p('SELECT * FROM outbox WHERE account = ? ORDER BY seq'),
      outboxStart: p('UPDATE outbox SET attempts = attempts + 1, in_flight = 1 WHERE account = ? AND message_id = ?'),
      outboxEnd: p('UPDATE outbox SET in_flight = 0 WHERE account = ? AND message_id = ?'),
      outboxGet: p('SELECT * FROM outbox WHERE account = ? AND message_id = ?'),
      outboxDelete: p('DELETE FROM outbox WHERE account = ? AND message_id = ?')
    }
    this.putTx = this.db.transaction((accountId: string, messages: ChatMessage[]) => {
      for (const m of messages) this.write(accountId, m)
    })
    this.index = new SearchIndex(this.db)
    this.indexDelayMs = options.indexDelayMs ?? 100
    // what an earlier run (or the migration) left queued
    if (this.index.backlog > 0) this.scheduleIndexing()
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)')
    const row = this.db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined
    if (!row) this.db.prepare('INSERT INTO schema_version (version) VALUES (0)').run()
    const have = row?.version ?? 0
    if (have > MIGRATIONS.length) {
      throw new Error(`The message database ${this.file} was written by a newer MioDesk (schema ${have}, this version knows ${MIGRATIONS.length})`)
    }
    for (let v = have; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        const step = MIGRATIONS[v]!
        if (typeof step === 'string') this.db.exec(step)
        else step(this.db)
        this.db.prepare('UPDATE schema_version SET version = ?').run(v + 1)
      })()
    }
  }

  get schemaVersion(): number {
    return (this.db.prepare('SELECT version FROM schema_version').get() as { version: number }).version
  }

  /** The value of a pragma (tests and docs: journal_mode, synchronous). */
  pragma(name: string): unknown {
    return this.db.pragma(name, { simple: true })
  }

  /**
   * A consistent copy of the whole database into `file` while the app runs (SQLite's online backup:
   * writes made meanwhile are either in the copy or after it, never half).
   */
  async backupTo(file: string): Promise<void> {
    await this.db.backup(file)
  }

  close(): void {
    if (this.indexTimer) clearTimeout(this.indexTimer)
    this.indexTimer = undefined
    if (this.db.open) this.db.close()
  }

  private write(accountId: string, m: ChatMessage): void {
    this.s.upsert!.run(accountId, m.contactId, m.id, m.time, m.status, m.self ? 1 : 0, JSON.stringify(m))
    this.scheduleIndexing()
  }

  // ------------------------------------------------------------------ search

  /** Full-text search over every stored message (see HistorySearchQuery), newest first. */
  search(q: HistorySearchQuery): HistorySearchHit[] {
    return this.index.search(q)
  }

  /** Messages stored and not indexed yet (they are still found: see SearchIndex). */
  get searchBacklog(): number {
    return this.index.backlog
  }

  /** Indexes every queued message now (tests, benchmarks, before a backup). */
  indexNow(): void {
    this.index.indexAll()
  }

  /** Indexing runs when writes pause, in slices of a few milliseconds, until the queue is empty. */
  private scheduleIndexing(delay = this.indexDelayMs): void {
    if (this.indexTimer || delay < 0 || !this.db.open) return
    this.indexTimer = setTimeout(() => {
      this.indexTimer = undefined
      if (!this.db.open) return
      const t0 = performance.now()
      let more = true
      try {
        while (performance.now() - t0 < INDEX_SLICE_MS && (more = this.index.indexSome(50) === 50)) {
          /* next batch */
        }
      } catch {
        // a full or read-only disk: the rows stay queued (and findable) and are indexed on a later write
        return
      }
      if (more) this.scheduleIndexing(INDEX_PAUSE_MS)
    }, delay)
    this.indexTimer.unref?.()
  }

  private static parse(row: unknown): ChatMessage | undefined {
    return row ? (JSON.parse((row as { body: string }).body) as ChatMessage) : undefined
  }

  // ------------------------------------------------------------------ HistoryStore

  put(accountId: string, message: ChatMessage): void {
    this.write(accountId, message)
  }

  /** All messages in one transaction (one commit, one WAL append). */
  putMany(accountId: string, messages: ChatMessage[]): void {
    this.putTx(accountId, messages)
  }

  remove(accountId: string, contactId: string, messageId: string): void {
    this.s.remove!.run(accountId, contactId, messageId)
  }

  get(accountId: string, contactId: string, messageId: string): ChatMessage | undefined {
    return SqliteHistory.parse(this.s.get!.get(accountId, messageId, contactId))
  }

  find(accountId: string, messageId: string): ChatMessage | undefined {
    return SqliteHistory.parse(this.s.find!.get(accountId, messageId))
  }

  list(accountId: string, contactId: string, before?: number, limit = 50): ChatMessage[] {
    const n = Math.max(0, Math.floor(limit))
    const rows = (before === undefined || before === null ? this.s.newest!.all(accountId, contactId, n) : this.s.page!.all(accountId, contactId, before, n)) as { body: string }[]
    const out = new Array<ChatMessage>(rows.length)
    for (let i = 0; i < rows.length; i++) out[rows.length - 1 - i] = JSON.parse(rows[i]!.body) as ChatMessage
    return out
  }

  last(accountId: string, contactId: string): ChatMessage | undefined {
    return SqliteHistory.parse(this.s.newest!.get(accountId, contactId, 1))
  }

  /** Up to `limit` messages newer than `after` (ms), oldest first. */
  listAfter(accountId: string, contactId: string, after: number, limit = 50): ChatMessage[] {
    const rows = this.s.forward!.all(accountId, contactId, after, after, Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(limit))) as { body: string }[]
    const out: ChatMessage[] = []
    for (const r of rows) {
      try {
        out.push(JSON.parse(r.body) as ChatMessage)
      } catch {
        /* skipped */
      }
    }
    return out
  }

  /** Every message of a conversation, oldest first, `batch` at a time (memory stays bounded: exports). */
  *iterate(accountId: string, contactId: string, batch = 500): Generator<ChatMessage[]> {
    let time = -Number.MAX_VALUE
    let rowid = -1
    for (;;) {
      const rows = this.s.forward!.all(accountId, contactId, time, time, rowid, batch) as { r: number; time: number; body: string }[]
      if (rows.length === 0) return
      const out: ChatMessage[] = []
      for (const row of rows) {
        try {
          out.push(JSON.parse(row.body) as ChatMessage)
        } catch {
          /* an unreadable row is skipped, not fatal */
        }
      }
      const last = rows[rows.length - 1]!
      time = last.time
      rowid = last.r
      yield out
      if (rows.length < batch) return
    }
  }

  clearAccount(accountId: string): void {
    this.db.transaction(() => {
      this.s.clearMessages!.run(accountId)
      this.s.clearOutbox!.run(accountId)
    })()
  }

  /** Messages stored in one conversation. */
  count(accountId: string, contactId: string): number {
    return (this.s.count!.get(accountId, contactId) as { n: number }).n
  }

  /** The accounts with stored messages. */
  accounts(): string[] {
    return (this.db.prepare('SELECT DISTINCT account FROM messages ORDER BY account').all() as { account: string }[]).map((r) => r.account)
  }

  /** The conversations of an account that have messages, most recent first (the summary, from the time index). */
  conversations(accountId: string): { contactId: string; messages: number; lastTime: number }[] {
    return (this.s.conversations!.all(accountId) as { contact: string; n: number; last: number }[]).map((r) => ({ contactId: r.contact, messages: r.n, lastTime: r.last }))
  }

  // ------------------------------------------------------------------ OutboxStore

  outboxAdd(accountId: string, message: ChatMessage, clientId: string): OutboxEntry {
    return this.db.transaction(() => {
      this.write(accountId, message)
      return entryOf(this.s.outboxAdd!.get(accountId, message.contactId, message.id, clientId) as OutboxRow)
    })()
  }

  outboxList(accountId: string): OutboxEntry[] {
    return (this.s.outboxList!.all(accountId) as OutboxRow[]).map(entryOf)
  }

  outboxMark(accountId: string, messageId: string, inFlight: boolean): void {
    ;(inFlight ? this.s.outboxStart! : this.s.outboxEnd!).run(accountId, messageId)
  }

  outboxSettle(accountId: string, messageId: string, final: ChatMessage): void {
    this.db.transaction(() => {
      const row = this.s.outboxGet!.get(accountId, messageId) as OutboxRow | undefined
      this.s.outboxDelete!.run(accountId, messageId)
      if (final.id !== messageId) this.s.remove!.run(accountId, row?.contact ?? final.contactId, messageId)
      this.write(accountId, final)
    })()
  }
}
