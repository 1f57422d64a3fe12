/** The per-server in-memory onebot message log. */
import type { Segment } from './protocol'

export interface StoredMessage {
  /** The id as it travels on the wire (the client's own id keeps its JSON type). */
  messageId: string | number
  /** The conversation (contact id) the message belongs to. */
  contactId: string
  /** mio-chat-id of the sender, or the bot's id. */
  senderId: string
  fromBot: boolean
  /** For a bot message: the mio-chat-id it was pushed to. */
  to?: string
  segments: Segment[]
  time: number
}

/**
 * Numeric ids are drawn from the clock: at least `ID_PER_MS × Date.now()`, and always above the previous
 * one. The log lives in memory, so a restarted server could otherwise hand out the ids of the previous
 * run again (clients rightly treat a known id as a message they already have). With 100 ids per
 * millisecond of headroom a restart can only meet an old id after a burst of more than 100 messages
 * per millisecond just before it. The ids stay JSON-safe integers (about 1.8e14 today, 15 digits) and
 * below 16 digits for a long time (until the year 5138).
 */
export const ID_PER_MS = 100

export class MessageLog {
  private readonly byId = new Map<string, StoredMessage>()
  private nextId: number

  constructor(
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now
  ) {
    this.nextId = this.clockFloor()
  }

  private clockFloor(): number {
    return Math.floor(this.now()) * ID_PER_MS
  }

  get size(): number {
    return this.byId.size
  }

  has(id: string | number): boolean {
    return this.byId.has(String(id))
  }

  get(id: string | number): StoredMessage | undefined {
    return this.byId.get(String(id))
  }

  /** A fresh numeric id never used by this log, nor (clock permitting) by an earlier run of the server. */
  newId(): number {
    this.nextId = Math.max(this.nextId, this.clockFloor())
    while (this.byId.has(String(this.nextId))) this.nextId++
    return this.nextId++
  }

  /** Stores a message; uses `wanted` when given and not taken yet, otherwise assigns a numeric id. */
  add(msg: Omit<StoredMessage, 'messageId' | 'time'>, wanted?: string | number): StoredMessage {
    const messageId = wanted !== undefined && !this.has(wanted) ? wanted : this.newId()
    const stored: StoredMessage = { ...msg, messageId, time: Date.now() }
    this.byId.set(String(messageId), stored)
    if (this.byId.size > this.capacity) {
      const oldest = this.byId.keys().next().value
      if (oldest !== undefined) this.byId.delete(oldest)
    }
    return stored
  }

  delete(id: string | number): StoredMessage | undefined {
    const key = String(id)
    const msg = this.byId.get(key)
    if (msg) this.byId.delete(key)
    return msg
  }
}
