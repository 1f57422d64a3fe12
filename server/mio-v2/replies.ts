/**
 * v2 replies: one per completion request. A reply sends its frames (`pending`, `update`, `complete`,
 * `failed`, each with `metaData`) to the connections listening to it, records its chunks merged for the
 * resume snapshot (`sync`), holds an open approval question, and ends exactly once. The store keeps the
 * replies that have a contactorId per user id + contactorId + messageId until `ack_message` (in memory:
 * a restart loses them), and knows the active ones (for abort and tool:interact).
 */
import { randomBytes } from 'node:crypto'
import { NO_RESPONSE, type JsonObject, type RequestId } from './protocol'

/** One v2 connection (a Socket.IO socket that passed the handshake). */
export interface V2Conn {
  readonly sid: string
  /** The handshake `id` as text ('' when the client sent none). */
  readonly userId: string
  readonly isAdmin: boolean
  readonly connected: boolean
  /** Sends an app frame (`42["message","<json>"]`); a no-op once disconnected. */
  send(frame: JsonObject): void
}

export type ToolCallContent = JsonObject & { id: string; action: string; parameters: string }

export type Chunk =
  | { type: 'content'; content: string }
  | { type: 'reason'; data: { text: string; startTime: number; duration: number } }
  | { type: 'toolCall'; content: ToolCallContent }
  | { type: 'action'; content: JsonObject & { interactionId: string } }

export type ApprovalOutcome = { kind: 'approved' } | { kind: 'denied'; reason: string } | { kind: 'aborted' } | { kind: 'shutdown' }

interface OpenApproval {
  interactionId: string
  /** The tool call it holds (its latest state), for the shutdown report. */
  call: ToolCallContent
  resolve(outcome: ApprovalOutcome): void
}

export interface FailureData {
  message: string
  code?: string
  status?: number
}

export type ReplyStatus = 'streaming' | 'completed' | 'failed'

export class Reply {
  status: ReplyStatus = 'streaming'
  error?: string
  readonly controller = new AbortController()
  private readonly listeners = new Set<V2Conn>()
  private readonly chunks: Chunk[] = []
  private updates = 0
  private approval?: OpenApproval

  constructor(
    readonly requestId: RequestId,
    readonly userId: string,
    /** The client's metaData plus `triggerType: "chat"`; carried by every frame. */
    readonly metaData: JsonObject,
    readonly contactorId: string | undefined,
    readonly messageId: string,
    private readonly onEnd: (reply: Reply) => void
  ) {}

  get key(): string {
    return String(this.requestId)
  }

  get done(): boolean {
    return this.status !== 'streaming'
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  get listening(): number {
    return this.listeners.size
  }

  attach(conn: V2Conn): void {
    this.listeners.add(conn)
  }

  detach(conn: V2Conn): void {
    this.listeners.delete(conn)
  }

  private emit(message: string, data: JsonObject): void {
    const frame = { data: { ...data, metaData: this.metaData }, message, protocol: 'llm', request_id: this.requestId }
    for (const c of this.listeners) c.send(frame)
  }

  /** `pending`: a model round is about to answer. */
  pending(): void {
    if (!this.done) this.emit('pending', {})
  }

  /** One `update` chunk (dropped once the reply has ended). */
  update(chunk: Chunk): void {
    if (this.done) return
    this.push(chunk)
  }

  /** An update that belongs after the end (a tool interrupted by an abort reports USER_ABORT after `complete`). */
  lateUpdate(chunk: Chunk): void {
    this.push(chunk)
  }

  private push(chunk: Chunk): void {
    this.updates++
    this.record(chunk)
    this.emit('update', { ...chunk })
  }

  /** `complete` (after the "no response" update when nothing was sent). Idempotent with fail(). */
  complete(): void {
    if (this.done) return
    if (this.updates === 0) this.push({ type: 'content', content: NO_RESPONSE })
    this.status = 'completed'
    this.emit('complete', {})
    this.end()
  }

  /** `failed {message, code?, status?}`; nothing follows. */
  fail(failure: FailureData): void {
    if (this.done) return
    this.status = 'failed'
    this.error = failure.message
    const data: JsonObject = { ...(failure.code !== undefined ? { code: failure.code } : {}), message: failure.message }
    if (failure.status !== undefined) data.status = failure.status
    this.emit('failed', data)
    this.end()
  }

  /** Abort (frame `abort` or event `interruptGeneration`): the model stops, the reply completes now. */
  abort(): void {
    if (this.done) return
    const open = this.approval
    this.complete()
    this.controller.abort()
    open?.resolve({ kind: 'aborted' })
  }

  /** Ends without a frame (nobody can receive it any more and it is not kept for resume). */
  drop(): void {
    if (this.done) return
    const open = this.approval
    this.status = 'failed'
    this.error = 'dropped'
    this.end()
    this.controller.abort()
    open?.resolve({ kind: 'aborted' })
  }

  /** Server shutdown: a waiting tool is reported failed, then the reply. */
  shutdown(failure: FailureData, toolError: string): void {
    if (this.done) return
    const open = this.approval
    if (open) this.push({ type: 'toolCall', content: { ...open.call, action: 'failed', result: { error: toolError }, status: 'failed' } })
    this.fail(failure)
    this.controller.abort()
    open?.resolve({ kind: 'shutdown' })
  }

  private end(): void {
    this.onEnd(this)
  }

  // ------------------------------------------------------------------------------------ approval

  /** Asks the user (an `action` update) and waits, without a timeout, for the answer, an abort or shutdown. */
  askApproval(call: ToolCallContent, prompt: string, meta: JsonObject): Promise<ApprovalOutcome> {
    if (this.done) return Promise.resolve({ kind: 'aborted' })
    const interactionId = `interact_${Date.now()}_${randomBytes(5).toString('hex').slice(0, 7)}`
    return new Promise((resolve) => {
      this.approval = {
        interactionId,
        call,
        resolve: (outcome) => {
          if (this.approval?.interactionId === interactionId) this.approval = undefined
          this.forgetAction(interactionId)
          resolve(outcome)
        }
      }
      this.update({ type: 'action', content: { actionType: 'REQUEST_APPROVAL', interactionId, meta, prompt } })
    })
  }

  /** The open question's id, if any. */
  get openInteraction(): string | undefined {
    return this.approval?.interactionId
  }

  /** Answers the open question; false when `interactionId` is not the open one. */
  answer(interactionId: unknown, approved: boolean, reason: string): boolean {
    const open = this.approval
    if (!open || open.interactionId !== interactionId) return false
    open.resolve(approved ? { kind: 'approved' } : { kind: 'denied', reason })
    return true
  }

  // ------------------------------------------------------------------------------------ snapshot

  private record(chunk: Chunk): void {
    const last = this.chunks.at(-1)
    if (chunk.type === 'content') {
      if (last?.type === 'content') last.content += chunk.content
      else this.chunks.push({ type: 'content', content: chunk.content })
    } else if (chunk.type === 'reason') {
      if (last?.type === 'reason' && last.data.startTime === chunk.data.startTime) {
        last.data.text += chunk.data.text
        last.data.duration = Math.max(0, Date.now() - last.data.startTime)
      } else {
        this.chunks.push({ type: 'reason', data: { ...chunk.data, duration: Math.max(0, Date.now() - chunk.data.startTime) } })
      }
    } else if (chunk.type === 'toolCall') {
      const i = this.chunks.findIndex((c) => c.type === 'toolCall' && c.content.id === chunk.content.id)
      if (i < 0) {
        this.chunks.push({ type: 'toolCall', content: structuredClone(chunk.content) })
      } else {
        const prev = this.chunks[i] as Chunk & { type: 'toolCall' }
        const parameters = chunk.content.action === 'pending' ? prev.content.parameters + chunk.content.parameters : chunk.content.parameters
        this.chunks[i] = { type: 'toolCall', content: { ...structuredClone(chunk.content), parameters } }
      }
    } else {
      this.chunks.push({ type: 'action', content: structuredClone(chunk.content) })
    }
  }

  private forgetAction(interactionId: string): void {
    const i = this.chunks.findIndex((c) => c.type === 'action' && c.content.interactionId === interactionId)
    if (i >= 0) this.chunks.splice(i, 1)
  }

  /** The `sync` frame: merged chunks, open questions included. */
  snapshot(): JsonObject {
    const data: JsonObject = { chunks: structuredClone(this.chunks), messageId: this.messageId, metaData: this.metaData, status: this.status }
    if (this.status === 'failed' && this.error !== undefined) data.error = this.error
    return { data, message: 'sync', protocol: 'llm', request_id: this.messageId }
  }
}

/** Replies kept per user for resume; at most this many per user (the oldest finished ones go first). */
const MAX_CACHED_PER_USER = 500

export class ReplyStore {
  /** user id → contactorId → messageId → reply */
  private readonly cache = new Map<string, Map<string, Map<string, Reply>>>()
  private readonly active = new Set<Reply>()

  create(requestId: RequestId, userId: string, metaData: JsonObject, contactorId: string | undefined, messageId: string): Reply {
    const reply = new Reply(requestId, userId, metaData, contactorId, messageId, (r) => this.active.delete(r))
    this.active.add(reply)
    if (contactorId !== undefined) {
      let byContactor = this.cache.get(userId)
      if (!byContactor) this.cache.set(userId, (byContactor = new Map()))
      let byMessage = byContactor.get(contactorId)
      if (!byMessage) byContactor.set(contactorId, (byMessage = new Map()))
      byMessage.delete(messageId)
      byMessage.set(messageId, reply)
      this.trim(byContactor)
    }
    return reply
  }

  private trim(byContactor: Map<string, Map<string, Reply>>): void {
    let total = 0
    for (const m of byContactor.values()) total += m.size
    while (total > MAX_CACHED_PER_USER) {
      let victim: [string, string] | undefined
      for (const [cid, m] of byContactor) {
        for (const [mid, r] of m) {
          if (r.done) {
            victim = [cid, mid]
            break
          }
        }
        if (victim) break
      }
      if (!victim) return
      this.forget(byContactor, victim[0], victim[1])
      total--
    }
  }

  private forget(byContactor: Map<string, Map<string, Reply>>, contactorId: string, messageId: string): void {
    const m = byContactor.get(contactorId)
    if (!m) return
    m.delete(messageId)
    if (m.size === 0) byContactor.delete(contactorId)
  }

  /** The login push's `pendingTasks`: contactorIds with cached replies. */
  pendingTasks(userId: string): string[] {
    return [...(this.cache.get(userId)?.keys() ?? [])]
  }

  forContactor(userId: string, contactorId: string): Reply[] {
    return [...(this.cache.get(userId)?.get(contactorId)?.values() ?? [])]
  }

  /** `ack_message`: forgets one cached reply (unknown ids are fine). */
  ack(userId: string, contactorId: string, messageId: string): void {
    const byContactor = this.cache.get(userId)
    if (!byContactor) return
    this.forget(byContactor, contactorId, messageId)
    if (byContactor.size === 0) this.cache.delete(userId)
  }

  /** The user's active reply with exactly this request id. */
  activeByRequest(userId: string, requestId: string): Reply | undefined {
    for (const r of this.active) if (r.userId === userId && r.key === requestId) return r
    return undefined
  }

  /**
   * The reply an abort means, matched loosely as the real server does: exactly, else an active reply of the
   * user whose id ends with the given one or the other way round (so "" matches some running reply).
   */
  findForAbort(userId: string, id: string): Reply | undefined {
    const exact = this.activeByRequest(userId, id)
    if (exact) return exact
    for (const r of this.active) if (r.userId === userId && (r.key.endsWith(id) || id.endsWith(r.key))) return r
    return undefined
  }

  /** A connection went away: it stops listening; a reply nobody can get back (no contactorId) is dropped. */
  detach(conn: V2Conn): void {
    for (const r of [...this.active]) {
      r.detach(conn)
      if (r.listening === 0 && r.contactorId === undefined) r.drop()
    }
  }

  allActive(): Reply[] {
    return [...this.active]
  }
}
