/**
 * The outbox pump, one per account, the same for every platform: a message is stored and queued in one
 * transaction (status 'sending'), then sent in order, one at a time, whenever the link is online —
 * exactly once where the platform lets a resend carry the same client id (Mio-Chat spec servers,
 * Yunhu's msg_id), else marked "may have been sent" with a retry button.
 *
 * The platform part is an `OutboxLink`: whether it is online, how to transmit one queued message and
 * how to read a failure.
 */
import { coreText } from '../../shared/core-text'
import type { ChatMessage } from '../../shared/mio'
import type { Logger } from '../log'
import type { HistoryStore, OutboxEntry, OutboxStore } from '../storage/history'
import type { Emit } from './provider'

/** Automatic attempts at one message before it is handed to the user as "retry". */
export const MAX_AUTO_ATTEMPTS = 5
export const AMBIGUOUS_SEND_ERROR = coreText('ambiguousSend')

/**
 * How a failed attempt ended: `offline` — it never left, send it later; `ambiguous` — it may have
 * reached the server; `refused` — the server said no (resending would not help), with a sentence.
 */
export type SendFailure = { kind: 'offline' } | { kind: 'ambiguous' } | { kind: 'refused'; message: string }

export interface OutboxLink {
  isOnline(): boolean
  /** Whether an ambiguous send may be resent by itself: only when the server drops a repeated client id. */
  resendsAmbiguous(): boolean
  /**
   * Sends one queued message (a resend carries the same `entry.clientId`). Resolves with the message as
   * it should be stored once sent (usually with the server's id, `localId` = the queued id).
   */
  transmit(message: ChatMessage, entry: OutboxEntry): Promise<ChatMessage>
  classify(error: unknown): SendFailure
  /** After a message was settled (sent or failed): e.g. refresh the conversation list. */
  settled?(final: ChatMessage): void
}

export class OutboxPump {
  private pumping = false
  private again = false
  /** Set by close(): attempts cut short by our own shutdown stay queued as they are. */
  private closed = false
  /** send() calls waiting for their message to leave the outbox (or to be parked while offline). */
  private readonly waiters = new Map<string, (m: ChatMessage) => void>()

  constructor(
    private readonly accountId: string,
    private readonly link: OutboxLink,
    private readonly outbox: OutboxStore,
    private readonly history: HistoryStore,
    private readonly emit: Emit,
    private readonly log: Logger
  ) {}

  /** Stores and queues `msg` (status 'sending') and resolves once it is sent or failed, or parked while offline. */
  enqueue(msg: ChatMessage, clientId: string): Promise<ChatMessage> {
    this.outbox.outboxAdd(this.accountId, msg, clientId)
    this.emit('message', { accountId: this.accountId, message: msg })
    const done = new Promise<ChatMessage>((resolve) => this.waiters.set(msg.id, resolve))
    void this.pump()
    return done
  }

  /** The queued messages, oldest first. */
  entries(): OutboxEntry[] {
    return this.outbox.outboxList(this.accountId)
  }

  /** Ends the pump (account stopped or removed): waiting send() calls resolve with the pending copy. */
  close(): void {
    this.closed = true
    this.releaseWaiters()
  }

  /** Sends the queue in order, one message at a time, while the link is up. Call when the link comes up. */
  async pump(): Promise<void> {
    if (this.closed) return
    if (this.pumping) {
      this.again = true
      return
    }
    this.pumping = true
    try {
      do {
        this.again = false
        await this.drain()
      } while (this.again && !this.closed && this.link.isOnline())
    } catch (e) {
      this.log.error(`outbox: ${e instanceof Error ? e.message : String(e)}`)
    } finally {
      this.pumping = false
      // Whatever is still queued waits for the link: its send() resolves now with the pending copy.
      if (!this.closed) this.releaseWaiters()
    }
  }

  private async drain(): Promise<void> {
    for (;;) {
      const batch = this.entries()
      if (batch.length === 0) return
      for (const e of batch) {
        if (this.closed || !this.link.isOnline()) return
        if ((await this.attempt(e)) === 'parked') return
      }
    }
  }

  private settle(e: OutboxEntry, final: ChatMessage): 'done' {
    this.outbox.outboxSettle(this.accountId, e.messageId, final)
    this.emit('message', { accountId: this.accountId, message: final })
    const w = this.waiters.get(e.messageId)
    this.waiters.delete(e.messageId)
    w?.(final)
    this.link.settled?.(final)
    return 'done'
  }

  /** One attempt at one queued message; 'parked' = left queued until the link is back. */
  private async attempt(e: OutboxEntry): Promise<'done' | 'parked'> {
    const msg = this.history.get(this.accountId, e.contactId, e.messageId)
    if (!msg) {
      // Nothing left to send (should not happen: the message and its entry are written together).
      this.outbox.outboxSettle(this.accountId, e.messageId, { id: e.messageId, contactId: e.contactId, self: true, time: 0, segments: [], status: 'failed', error: 'Lost' })
      this.history.remove(this.accountId, e.contactId, e.messageId)
      return 'done'
    }
    // A previous attempt may have reached the server (link dropped, timeout, or the app was killed).
    if (e.inFlight && !this.link.resendsAmbiguous()) return this.settle(e, { ...msg, status: 'failed', error: AMBIGUOUS_SEND_ERROR })
    this.outbox.outboxMark(this.accountId, e.messageId, true)
    let sent: ChatMessage
    try {
      sent = await this.link.transmit(msg, e)
    } catch (err) {
      if (this.closed) return 'parked' // our own shutdown: stays queued (in flight) for the next start
      const f = this.link.classify(err)
      if (f.kind === 'offline') {
        // The request never left: safe to send again later.
        this.outbox.outboxMark(this.accountId, e.messageId, false)
        return 'parked'
      }
      if (f.kind === 'ambiguous') {
        // Resend under the same id, but not forever: a server that never answers must not block the outbox.
        const attempts = this.entries().find((x) => x.messageId === e.messageId)?.attempts ?? MAX_AUTO_ATTEMPTS
        if (this.link.resendsAmbiguous() && attempts < MAX_AUTO_ATTEMPTS) return this.link.isOnline() ? this.attempt({ ...e, inFlight: true }) : 'parked'
        return this.settle(e, { ...msg, status: 'failed', error: AMBIGUOUS_SEND_ERROR })
      }
      return this.settle(e, { ...msg, status: 'failed', error: f.message })
    }
    return this.settle(e, sent)
  }

  private releaseWaiters(): void {
    for (const [id, resolve] of this.waiters) {
      const m = this.history.find(this.accountId, id)
      if (m) resolve(m)
    }
    this.waiters.clear()
  }
}
