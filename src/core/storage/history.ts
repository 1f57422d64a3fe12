/**
 * Message history of every conversation. A Mio-Chat server keeps no history, so this is the only copy.
 * `MemoryHistory` is the in-process store; `SqliteHistory` (sqlite-history.ts) is the durable one.
 *
 * The outbox (`OutboxStore`) is the queue of messages written while offline or whose send is not
 * settled yet. A durable store keeps the message and its queue entry in one transaction.
 */
import type { ChatMessage } from '../../shared/mio'
import type { HistorySearchHit, HistorySearchQuery } from '../../shared/search'
import { searchMessages } from './search'

/** One queued outgoing message. */
export interface OutboxEntry {
  /** Queue order (global, increasing): messages are sent in this order. */
  seq: number
  accountId: string
  contactId: string
  /** The local id of the stored message (status 'sending'). */
  messageId: string
  /** The stable wire `message_id` chosen by the client (spec dialect); the same on every attempt. */
  clientId: string
  /** Attempts started so far. */
  attempts: number
  /**
   * True while an attempt is on the wire: set (durably) just before the frame is sent, cleared when
   * the attempt ends. Still true after a crash or a dropped link = the send is ambiguous (it may have
   * reached the server).
   */
  inFlight: boolean
}

export interface OutboxStore {
  /** Stores `message` (status 'sending') and queues it, atomically. */
  outboxAdd(accountId: string, message: ChatMessage, clientId: string): OutboxEntry
  /** The queue of an account, oldest first. */
  outboxList(accountId: string): OutboxEntry[]
  /** Marks the start (attempts + 1, inFlight) or the inconclusive end (not inFlight) of an attempt. */
  outboxMark(accountId: string, messageId: string, inFlight: boolean): void
  /**
   * Ends a queued message, atomically: dequeues it and stores `final` (sent or failed). When `final.id`
   * differs from the queued id (the server's id), the copy under the local id is removed.
   */
  outboxSettle(accountId: string, messageId: string, final: ChatMessage): void
}

export interface HistoryStore {
  /** Inserts or replaces (by id) a message. */
  put(accountId: string, message: ChatMessage): void
  /** Removes a message (used when a temporary id is replaced by the server's id). */
  remove(accountId: string, contactId: string, messageId: string): void
  get(accountId: string, contactId: string, messageId: string): ChatMessage | undefined
  /** Finds a message by id in any conversation of the account. */
  find(accountId: string, messageId: string): ChatMessage | undefined
  /** Up to `limit` messages older than `before` (ms), oldest first; the newest when `before` is undefined. */
  list(accountId: string, contactId: string, before?: number, limit?: number): ChatMessage[]
  last(accountId: string, contactId: string): ChatMessage | undefined
  clearAccount(accountId: string): void
  /** Inserts or replaces many messages at once (one transaction in a durable store). */
  putMany?(accountId: string, messages: ChatMessage[]): void
  /** Full-text search over every stored message, newest first. */
  search?(q: HistorySearchQuery): HistorySearchHit[]
  /** Every message of a conversation, oldest first, in batches. */
  iterate?(accountId: string, contactId: string, batch?: number): Generator<ChatMessage[]>
  /** Up to `limit` messages newer than `after` (ms), oldest first. */
  listAfter?(accountId: string, contactId: string, after: number, limit?: number): ChatMessage[]
}

/** `putMany` where the store has it, else one `put` per message. */
export function putMany(store: HistoryStore, accountId: string, messages: ChatMessage[]): void {
  if (store.putMany) store.putMany(accountId, messages)
  else for (const m of messages) store.put(accountId, m)
}

export function isOutboxStore(x: unknown): x is OutboxStore {
  const o = x as Partial<OutboxStore> | null
  return !!o && typeof o.outboxAdd === 'function' && typeof o.outboxList === 'function' && typeof o.outboxMark === 'function' && typeof o.outboxSettle === 'function'
}

/** An outbox kept in memory beside any HistoryStore (used when the store has no outbox of its own). */
export class MemoryOutbox implements OutboxStore {
  private readonly entries: OutboxEntry[] = []
  private seq = 0
  constructor(private readonly history: HistoryStore) {}

  outboxAdd(accountId: string, message: ChatMessage, clientId: string): OutboxEntry {
    this.history.put(accountId, message)
    const e: OutboxEntry = { seq: ++this.seq, accountId, contactId: message.contactId, messageId: message.id, clientId, attempts: 0, inFlight: false }
    this.entries.push(e)
    return { ...e }
  }

  outboxList(accountId: string): OutboxEntry[] {
    return this.entries.filter((e) => e.accountId === accountId).map((e) => ({ ...e }))
  }

  outboxMark(accountId: string, messageId: string, inFlight: boolean): void {
    const e = this.entries.find((x) => x.accountId === accountId && x.messageId === messageId)
    if (!e) return
    if (inFlight) e.attempts++
    e.inFlight = inFlight
  }

  outboxSettle(accountId: string, messageId: string, final: ChatMessage): void {
    const i = this.entries.findIndex((x) => x.accountId === accountId && x.messageId === messageId)
    const contactId = i >= 0 ? this.entries[i]!.contactId : final.contactId
    if (i >= 0) this.entries.splice(i, 1)
    if (final.id !== messageId) this.history.remove(accountId, contactId, messageId)
    this.history.put(accountId, final)
  }

  clearAccount(accountId: string): void {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.accountId === accountId) this.entries.splice(i, 1)
  }
}

export class MemoryHistory implements HistoryStore, OutboxStore {
  /** accountId → contactId → messages in time order */
  private readonly convs = new Map<string, Map<string, ChatMessage[]>>()
  /** accountId → messageId → contactId */
  private readonly index = new Map<string, Map<string, string>>()
  private readonly outbox = new MemoryOutbox(this)

  private conv(accountId: string, contactId: string): ChatMessage[] {
    let a = this.convs.get(accountId)
    if (!a) this.convs.set(accountId, (a = new Map()))
    let c = a.get(contactId)
    if (!c) a.set(contactId, (c = []))
    return c
  }

  private idx(accountId: string): Map<string, string> {
    let m = this.index.get(accountId)
    if (!m) this.index.set(accountId, (m = new Map()))
    return m
  }

  put(accountId: string, message: ChatMessage): void {
    const list = this.conv(accountId, message.contactId)
    const copy = structuredClone(message)
    // The id index says whether the message is already in this conversation (no scan for new ones).
    const i = this.idx(accountId).get(message.id) === message.contactId ? list.findIndex((m) => m.id === message.id) : -1
    if (i >= 0) list[i] = copy
    else {
      // Keep time order; new messages almost always go last.
      let j = list.length
      while (j > 0 && list[j - 1]!.time > copy.time) j--
      list.splice(j, 0, copy)
    }
    this.idx(accountId).set(message.id, message.contactId)
  }

  remove(accountId: string, contactId: string, messageId: string): void {
    const list = this.conv(accountId, contactId)
    const i = list.findIndex((m) => m.id === messageId)
    if (i >= 0) list.splice(i, 1)
    this.idx(accountId).delete(messageId)
  }

  get(accountId: string, contactId: string, messageId: string): ChatMessage | undefined {
    const m = this.conv(accountId, contactId).find((x) => x.id === messageId)
    return m && structuredClone(m)
  }

  find(accountId: string, messageId: string): ChatMessage | undefined {
    const contactId = this.idx(accountId).get(messageId)
    return contactId === undefined ? undefined : this.get(accountId, contactId, messageId)
  }

  list(accountId: string, contactId: string, before?: number, limit = 50): ChatMessage[] {
    const list = this.conv(accountId, contactId)
    let end = list.length
    if (before !== undefined) {
      let lo = 0
      let hi = list.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (list[mid]!.time < before) lo = mid + 1
        else hi = mid
      }
      end = lo
    }
    return structuredClone(list.slice(Math.max(0, end - limit), end))
  }

  last(accountId: string, contactId: string): ChatMessage | undefined {
    const list = this.conv(accountId, contactId)
    const m = list[list.length - 1]
    return m && structuredClone(m)
  }

  clearAccount(accountId: string): void {
    this.convs.delete(accountId)
    this.index.delete(accountId)
    this.outbox.clearAccount(accountId)
  }

  putMany(accountId: string, messages: ChatMessage[]): void {
    for (const m of messages) this.put(accountId, m)
  }

  listAfter(accountId: string, contactId: string, after: number, limit = 50): ChatMessage[] {
    const list = this.convs.get(accountId)?.get(contactId) ?? []
    return structuredClone(list.filter((m) => m.time > after).slice(0, limit))
  }

  *iterate(accountId: string, contactId: string, batch = 500): Generator<ChatMessage[]> {
    const list = this.convs.get(accountId)?.get(contactId) ?? []
    for (let i = 0; i < list.length; i += batch) yield structuredClone(list.slice(i, i + batch))
  }

  search(q: HistorySearchQuery): HistorySearchHit[] {
    const convs = this.convs
    function* all(): Generator<{ accountId: string; message: ChatMessage }> {
      for (const [accountId, byContact] of convs) for (const list of byContact.values()) for (const message of list) yield { accountId, message }
    }
    return searchMessages(q, all())
  }

  outboxAdd(accountId: string, message: ChatMessage, clientId: string): OutboxEntry {
    return this.outbox.outboxAdd(accountId, message, clientId)
  }
  outboxList(accountId: string): OutboxEntry[] {
    return this.outbox.outboxList(accountId)
  }
  outboxMark(accountId: string, messageId: string, inFlight: boolean): void {
    this.outbox.outboxMark(accountId, messageId, inFlight)
  }
  outboxSettle(accountId: string, messageId: string, final: ChatMessage): void {
    this.outbox.outboxSettle(accountId, messageId, final)
  }
}
