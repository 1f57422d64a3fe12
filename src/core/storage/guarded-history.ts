/**
 * The history as the accounts see it: a durable store (SQLite) behind a guard that never lets a failed write
 * lose a message. When a write fails (the disk is full, the data directory became read-only, an I/O error),
 * the message is held in memory — shown, readable through every read of this store, merged into pages and
 * "last message" answers — and written again every few seconds until the store takes it. The user is told
 * while messages are held and when they are safe (`onFault`), in words the app can show.
 *
 * Reads that fail return what is held (and nothing else) rather than throwing into a socket's frame handler.
 */
import type { ChatMessage } from '../../shared/mio'
import type { StorageFault, StorageFaultKind } from '../../shared/api'
import type { Logger } from '../log'
import type { HistoryStore } from './history'
import { searchLimit, searchMessages } from './search'
import type { HistorySearchHit, HistorySearchQuery } from '../../shared/search'

export interface GuardedHistoryOptions {
  /** A fault began, changed (the number held) or ended (`null`). */
  onFault: (fault: StorageFault | null) => void
  /** Between two attempts to write what is held, ms. Default 5000. */
  retryMs?: number
  logger?: Logger
}

/** What kind of fault a store's error is (SQLite's codes, Node's errno names). */
export function faultKind(e: unknown): StorageFaultKind {
  const code = String((e as { code?: unknown } | null)?.code ?? '')
  const msg = e instanceof Error ? e.message : String(e)
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /disk (or database )?is full|database or disk is full|no space left/i.test(msg)) return 'disk-full'
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || /read-?only/i.test(msg)) return 'read-only'
  return 'write-failed'
}

const keyOf = (m: ChatMessage): string => `${m.contactId}\u0000${m.id}`
const byTime = (a: ChatMessage, b: ChatMessage): number => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

export class GuardedHistory implements HistoryStore {
  /** Messages the store did not take yet, per account, by contact and id (the newest copy of each). */
  private readonly held = new Map<string, Map<string, ChatMessage>>()
  private timer?: ReturnType<typeof setInterval>
  private fault: StorageFault | null = null

  constructor(
    readonly inner: HistoryStore,
    private readonly o: GuardedHistoryOptions
  ) {}

  /** Messages waiting to be written. */
  get heldCount(): number {
    let n = 0
    for (const m of this.held.values()) n += m.size
    return n
  }

  put(accountId: string, message: ChatMessage): void {
    // A newer copy of a held message is held too (in order), so an old one never overwrites it later.
    if (this.held.get(accountId)?.has(keyOf(message))) return this.hold(accountId, [message])
    try {
      this.inner.put(accountId, message)
    } catch (e) {
      this.hold(accountId, [message], e)
    }
  }

  putMany(accountId: string, messages: ChatMessage[]): void {
    const held = this.held.get(accountId)
    const fresh = held ? messages.filter((m) => !held.has(keyOf(m))) : messages
    if (fresh.length < messages.length) this.hold(accountId, messages.filter((m) => held!.has(keyOf(m))))
    if (!fresh.length) return
    try {
      if (this.inner.putMany) this.inner.putMany(accountId, fresh)
      else for (const m of fresh) this.inner.put(accountId, m)
    } catch (e) {
      this.hold(accountId, fresh, e)
    }
  }

  remove(accountId: string, contactId: string, messageId: string): void {
    const held = this.held.get(accountId)
    if (held?.delete(`${contactId}\u0000${messageId}`)) this.report()
    try {
      this.inner.remove(accountId, contactId, messageId)
    } catch (e) {
      this.o.logger?.warn(`history: could not remove a message: ${errorText(e)}`)
    }
  }

  get(accountId: string, contactId: string, messageId: string): ChatMessage | undefined {
    return this.held.get(accountId)?.get(`${contactId}\u0000${messageId}`) ?? this.read(() => this.inner.get(accountId, contactId, messageId), undefined)
  }

  find(accountId: string, messageId: string): ChatMessage | undefined {
    const held = this.held.get(accountId)
    if (held) for (const m of held.values()) if (m.id === messageId) return m
    return this.read(() => this.inner.find(accountId, messageId), undefined)
  }

  list(accountId: string, contactId: string, before?: number, limit = 50): ChatMessage[] {
    const stored = this.read(() => this.inner.list(accountId, contactId, before, limit), [])
    const held = this.heldOf(accountId, contactId).filter((m) => before === undefined || m.time < before)
    if (!held.length) return stored
    const ids = new Set(held.map((m) => m.id))
    return [...stored.filter((m) => !ids.has(m.id)), ...held].sort(byTime).slice(-limit)
  }

  last(accountId: string, contactId: string): ChatMessage | undefined {
    const stored = this.read(() => this.inner.last(accountId, contactId), undefined)
    const held = this.heldOf(accountId, contactId)
    if (!held.length) return stored
    const newest = held.sort(byTime)[held.length - 1]!
    return stored && byTime(stored, newest) > 0 && !held.some((m) => m.id === stored.id) ? stored : newest
  }

  /** Newer messages than `after`: the store's and the held ones, oldest first. */
  listAfter(accountId: string, contactId: string, after: number, limit = 50): ChatMessage[] {
    const inner = this.inner
    const stored = inner.listAfter ? this.read(() => inner.listAfter!(accountId, contactId, after, limit), []) : []
    const held = this.heldOf(accountId, contactId).filter((m) => m.time > after)
    if (!held.length) return stored
    const ids = new Set(held.map((m) => m.id))
    return [...stored.filter((m) => !ids.has(m.id)), ...held].sort(byTime).slice(0, limit)
  }

  /** The store's messages oldest first, then the ones held back from it (their newest copies). */
  *iterate(accountId: string, contactId: string, batch = 500): Generator<ChatMessage[]> {
    const held = this.heldOf(accountId, contactId).sort(byTime)
    const heldIds = new Set(held.map((m) => m.id))
    if (this.inner.iterate) {
      for (const page of this.inner.iterate(accountId, contactId, batch)) {
        const rest = heldIds.size ? page.filter((m) => !heldIds.has(m.id)) : page
        if (rest.length) yield rest
      }
    }
    if (held.length) yield held
  }

  /** The store's search, plus the messages held back from it (they are on screen, so they can be found). */
  search(q: HistorySearchQuery): HistorySearchHit[] {
    const inner = this.inner
    const stored = inner.search ? this.read(() => inner.search!(q), []) : []
    if (!this.held.size) return stored
    const held = this.held
    function* all(): Generator<{ accountId: string; message: ChatMessage }> {
      for (const [accountId, byKey] of held) for (const message of byKey.values()) yield { accountId, message }
    }
    const extra = searchMessages(q, all())
    const key = (h: HistorySearchHit): string => `${h.accountId}\u0000${h.messageId}`
    const ids = new Set(extra.map(key))
    return [...stored.filter((h) => !ids.has(key(h))), ...extra].sort((a, b) => b.time - a.time).slice(0, searchLimit(q))
  }

  clearAccount(accountId: string): void {
    if (this.held.delete(accountId)) this.report()
    this.inner.clearAccount(accountId)
  }

  /** Tries to write what is held now (also run every `retryMs` while anything is held). */
  retry(): void {
    for (const [accountId, held] of [...this.held]) {
      const list = [...held.values()]
      try {
        if (this.inner.putMany) this.inner.putMany(accountId, list)
        else for (const m of list) this.inner.put(accountId, m)
      } catch (e) {
        this.setFault(faultKind(e), e)
        return
      }
      // Only what was written: a newer copy held meanwhile stays.
      for (const m of list) if (held.get(keyOf(m)) === m) held.delete(keyOf(m))
      if (!held.size) this.held.delete(accountId)
    }
    this.report()
  }

  /** Stops retrying (shutdown); what is still held is logged as lost. */
  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    const n = this.heldCount
    if (n) this.o.logger?.error(`history: ${n} message(s) could not be written before closing`)
  }

  private heldOf(accountId: string, contactId: string): ChatMessage[] {
    const held = this.held.get(accountId)
    if (!held) return []
    const out: ChatMessage[] = []
    for (const m of held.values()) if (m.contactId === contactId) out.push(m)
    return out
  }

  private read<T>(f: () => T, fallback: T): T {
    try {
      return f()
    } catch (e) {
      this.o.logger?.warn(`history: a read failed: ${errorText(e)}`)
      return fallback
    }
  }

  private hold(accountId: string, messages: ChatMessage[], e?: unknown): void {
    let held = this.held.get(accountId)
    if (!held) this.held.set(accountId, (held = new Map()))
    for (const m of messages) {
      held.delete(keyOf(m))
      held.set(keyOf(m), m)
    }
    if (e !== undefined) this.setFault(faultKind(e), e)
    else this.report()
    if (!this.timer) {
      this.timer = setInterval(() => this.retry(), this.o.retryMs ?? 5000)
      this.timer.unref?.()
    }
  }

  private setFault(kind: StorageFaultKind, e: unknown): void {
    if (this.fault?.kind !== kind) this.o.logger?.error(`history: a write failed (${kind}), messages are kept in memory: ${errorText(e)}`)
    this.fault = { kind, held: this.heldCount }
    this.o.onFault(this.fault)
  }

  /** Tells the new number held, or that the fault is over. */
  private report(): void {
    const n = this.heldCount
    if (n === 0) {
      if (this.timer) clearInterval(this.timer)
      this.timer = undefined
      if (this.fault) {
        this.fault = null
        this.o.logger?.info('history: every held message is written')
        this.o.onFault(null)
      }
      return
    }
    if (this.fault && this.fault.held !== n) {
      this.fault = { ...this.fault, held: n }
      this.o.onFault(this.fault)
    }
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
