/**
 * The one streaming path: every platform turns its stream chunks into `StreamChange`s, and this
 * coalesces them into at most one `stream` event (a `StreamDelta`) per reply per flush interval, with
 * the reply's end flushed at once. Leading edge: a change after a quiet interval goes out at once (the
 * first words of a reply, or a chunk after a pause, are not held back); the changes that follow within
 * the interval go out together at its end. The renderer applies what it has once per animation frame,
 * so an interval of half a frame keeps the wait here under half a frame whatever the phase of the
 * renderer's frames (a whole-frame timer, unaligned with them, could hold a chunk for most of a frame
 * and then miss the frame). A bounded checkpoint hook lets the provider persist the reply while
 * it grows (so a crash keeps most of the text) without rewriting storage on every flush; the provider
 * persists the whole reply at its end.
 */
import type { StreamDelta } from '../../shared/api'
import type { ReplyStatus, ToolApproval, ToolCall } from '../../shared/mio'

export interface StreamTarget {
  accountId: string
  contactId: string
  messageId: string
}

export interface StreamChange {
  status: ReplyStatus
  /** Text appended since the previous change. */
  textAppend?: string
  /** The whole text, replacing what was shown (a late out-of-order chunk). */
  text?: string
  reasoningAppend?: string
  /** The whole reasoning, replacing what was shown (a resumed snapshot rebuilt it). */
  reasoning?: string
  /** The whole tool-call list, when it changed. */
  toolCalls?: ToolCall[]
  /** The question to the user, when it changed (null: answered or gone). */
  approval?: ToolApproval | null
  error?: string
  errorDetail?: string
  /** The reply ended with this change: flush now. */
  ended?: boolean
}

export interface StreamCoalescerOptions {
  /** Least interval between two coalesced events of one reply, ms. Default 8 (half an animation frame). */
  flushMs?: number
  /** Least interval between two checkpoints of one reply, ms. Default 2000. */
  checkpointMs?: number
  /** Persist a reply that is still growing (called on a flush at most once per `checkpointMs`). */
  checkpoint?: (target: StreamTarget) => void
}

interface Pending {
  delta: StreamDelta
  timer?: ReturnType<typeof setTimeout>
}

/** Whether a tool call of `prev` is in another state in `next`. */
function statesMoved(prev: ToolCall[], next: ToolCall[]): boolean {
  const was = new Map(prev.map((c) => [c.key, c.state]))
  return next.some((c) => was.has(c.key) && was.get(c.key) !== c.state)
}

export class StreamCoalescer {
  private readonly pending = new Map<string, Pending>()
  private readonly lastCheckpoint = new Map<string, number>()
  /** When each growing reply's last event went out (performance.now()). */
  private readonly lastEmit = new Map<string, number>()
  private readonly flushMs: number
  private readonly checkpointMs: number

  constructor(
    private readonly emit: (d: StreamDelta) => void,
    private readonly o: StreamCoalescerOptions = {}
  ) {
    this.flushMs = o.flushMs ?? 8
    this.checkpointMs = o.checkpointMs ?? 2000
  }

  private static key(t: StreamTarget): string {
    return `${t.accountId}\u0000${t.messageId}`
  }

  change(target: StreamTarget, c: StreamChange): void {
    const key = StreamCoalescer.key(target)
    let p = this.pending.get(key)
    // A tool call that moves on again before the pending change went out (running, then finished within
    // milliseconds): the pending state goes out first, so the renderer gets — and shows — every state.
    if (p?.delta.toolCalls && c.toolCalls && statesMoved(p.delta.toolCalls, c.toolCalls)) {
      this.flushKey(key)
      p = undefined
    }
    if (!p) {
      p = { delta: { accountId: target.accountId, contactId: target.contactId, messageId: target.messageId, status: c.status, textAppend: '', reasoningAppend: '' } }
      this.pending.set(key, p)
      if (!this.lastCheckpoint.has(key)) this.lastCheckpoint.set(key, Date.now())
    }
    const d = p.delta
    d.status = c.status
    if (c.text !== undefined) {
      d.text = c.text
      d.textAppend = ''
    } else if (c.textAppend) {
      if (d.text !== undefined) d.text += c.textAppend
      else d.textAppend += c.textAppend
    }
    if (c.reasoning !== undefined) {
      d.reasoning = c.reasoning
      d.reasoningAppend = ''
    } else if (c.reasoningAppend) {
      if (d.reasoning !== undefined) d.reasoning += c.reasoningAppend
      else d.reasoningAppend += c.reasoningAppend
    }
    if (c.toolCalls) d.toolCalls = structuredClone(c.toolCalls)
    if (c.approval !== undefined) d.approval = c.approval && { ...c.approval }
    if (c.error) d.error = c.error
    if (c.errorDetail) d.errorDetail = c.errorDetail
    if (c.ended) {
      // The provider persists the whole reply at its end: no checkpoint for this flush.
      this.lastCheckpoint.delete(key)
      this.flushKey(key)
      this.lastEmit.delete(key)
    } else if (!p.timer) {
      const since = performance.now() - (this.lastEmit.get(key) ?? -Infinity)
      if (since >= this.flushMs) this.flushKey(key)
      else p.timer = setTimeout(() => this.flushKey(key), Math.ceil(this.flushMs - since))
    }
  }

  /** Emits what is pending for a reply now. */
  flush(target: StreamTarget): void {
    this.flushKey(StreamCoalescer.key(target))
  }

  /** Forgets a reply (without emitting): its pending change is dropped. */
  forget(target: StreamTarget): void {
    const key = StreamCoalescer.key(target)
    const p = this.pending.get(key)
    if (p?.timer) clearTimeout(p.timer)
    this.pending.delete(key)
    this.lastCheckpoint.delete(key)
    this.lastEmit.delete(key)
  }

  /** Emits everything pending (shutdown). */
  flushAll(): void {
    for (const key of [...this.pending.keys()]) this.flushKey(key)
  }

  private flushKey(key: string): void {
    const p = this.pending.get(key)
    if (!p) return
    if (p.timer) clearTimeout(p.timer)
    this.pending.delete(key)
    const d = p.delta
    this.lastEmit.set(key, performance.now())
    this.emit(d)
    const last = this.lastCheckpoint.get(key)
    if (this.o.checkpoint && last !== undefined && Date.now() - last >= this.checkpointMs) {
      this.lastCheckpoint.set(key, Date.now())
      this.o.checkpoint({ accountId: d.accountId, contactId: d.contactId, messageId: d.messageId })
    }
  }
}
