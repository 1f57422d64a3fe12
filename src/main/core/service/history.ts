/**
 * Message history of every conversation. A Mio-Chat server keeps no history, so this is the only copy.
 * `MemoryHistory` is the in-process store; a durable implementation plugs in behind the same interface.
 */
import type { ChatMessage } from '../../../shared/mio'

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
}

export class MemoryHistory implements HistoryStore {
  /** accountId → contactId → messages in time order */
  private readonly convs = new Map<string, Map<string, ChatMessage[]>>()
  /** accountId → messageId → contactId */
  private readonly index = new Map<string, Map<string, string>>()

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
    const i = list.findIndex((m) => m.id === message.id)
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
  }
}
