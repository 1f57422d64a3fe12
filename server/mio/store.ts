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
  segments: Segment[]
  time: number
}

export class MessageLog {
  private readonly byId = new Map<string, StoredMessage>()
  private nextId = 100_001

  constructor(private readonly capacity = 10_000) {}

  get size(): number {
    return this.byId.size
  }

  has(id: string | number): boolean {
    return this.byId.has(String(id))
  }

  get(id: string | number): StoredMessage | undefined {
    return this.byId.get(String(id))
  }

  /** A fresh numeric id never used by this log. */
  newId(): number {
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
