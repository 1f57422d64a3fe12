/**
 * Assembles a streamed completion (`pending → update* → completed | failed`) into one AiReply.
 * Both raw-WebSocket dialects through `apply`: spec frames carry `code` and `data.index`; field frames
 * carry neither, put a whole stack trace in `data.error`, repeat `pending`, and may send `completed`
 * after `failed`. The Socket.IO generation (v2) through its chunk mapper (`v2/chunks.ts`), which feeds
 * typed deltas (`applyDelta`), `complete`, `failWith` and snapshots (`restore`) into the same assembler.
 * Tool-call states are mapped here and only here.
 */
import { coreText } from '../../../shared/core-text'
import { toolBaseName, type AiReply, type RequestId, type ToolApproval, type ToolCall, type ToolCallState } from '../../../shared/mio'
import { describeValue, firstLine, isObject, type Json } from './frames'


/** The server's tool-call `action` → our state. One place. */
export function mapToolAction(action: unknown): ToolCallState | undefined {
  switch (action) {
    case 'started':
      return 'started'
    case 'pending':
      return 'pending'
    case 'running':
      return 'running'
    case 'finished':
      return 'finished'
    case 'failed':
    case 'error':
      return 'failed'
    default:
      return undefined
  }
}

export interface ApplyResult {
  /** The frame changed the reply. */
  changed: boolean
  textAppend: string
  reasoningAppend: string
  toolCallsChanged: boolean
  /** A late chunk changed text already reported: take `reply.text` whole. */
  textReplaced?: boolean
  /** The reply reached a terminal state with this frame. */
  ended: boolean
  /** v2: `reply.approval` changed (set, answered or cleared). Absent when it did not. */
  approvalChanged?: boolean
  /** v2: a snapshot rebuilt the reasoning (take `reply.reasoning` whole). Absent otherwise. */
  reasoningReplaced?: boolean
}

/**
 * One typed piece of a reply, as the v2 chunk mapper reads it from a chunk. The tool call is in the
 * assembler's wire shape (`{id, name, action, params, result, error?, displayName?}`): `action` is
 * mapped to a state here, by `mapToolAction`, like every other dialect's.
 */
export interface ReplyDelta {
  text?: string
  reasoning?: string
  /** When this reasoning run began (server clock, ms); a new value starts a new run. */
  reasoningStartedAt?: number
  /** The run's duration when the server knows it (snapshots); otherwise measured here. */
  reasoningMs?: number
  toolCall?: Json
  /** The tool call's `result` is the tool's own value (v2), not the field server's `{error, result}` wrapper. */
  toolResultIsOwn?: boolean
  /** A question to the user; null clears it. */
  approval?: ToolApproval | null
}

export interface FailInfo {
  detail?: string
  code?: string
  status?: number
}

interface Gap {
  from: number
  to: number
  offset: number
}

const NO_CHANGE: ApplyResult = { changed: false, textAppend: '', reasoningAppend: '', toolCallsChanged: false, ended: false }

export class ReplyAssembler {
  readonly reply: AiReply
  /** The fast path's result, always a plain text append: only `textAppend` changes. */
  private readonly appendOut: ApplyResult = { changed: true, textAppend: '', reasoningAppend: '', toolCallsChanged: false, textReplaced: false, ended: false }
  /** The result of every other change that is not an end (filled by `result`). */
  private readonly out: ApplyResult = { changed: false, textAppend: '', reasoningAppend: '', toolCallsChanged: false, textReplaced: false, ended: false }
  private maxIndex = -1
  /** False once indices turn out not to be a per-chunk counter (e.g. a choice index repeated on every chunk). */
  private indexIsCounter = true
  private firstChunk = ''
  /** Index ranges skipped so far, with the text offset where their chunks belong. */
  private readonly gaps: Gap[] = []
  /** Set when a late chunk rebuilt the text (the consumer must take the whole text, not an append). */
  private replaced = false
  private readonly toolIndex = new Map<string, number>()
  /** The last tool call's key and index in `toolCalls` ('' when none: a key is never empty). */
  private lastToolKey = ''
  private lastToolAt = 0
  /** v2 reasoning timing: the local clock when the open run's first piece arrived, and its server start. */
  private runLocalStart?: number
  private runStartTime?: number

  constructor(requestId: RequestId) {
    this.reply = { requestId, status: 'pending', text: '', reasoning: '', toolCalls: [] }
  }

  get done(): boolean {
    const s = this.reply.status
    return s !== 'pending' && s !== 'streaming'
  }

  /**
   * Applies one server frame addressed to this request. Unknown `message` values are ignored.
   * The returned object is reused by later calls on this assembler: read it before applying another frame.
   */
  apply(frame: Json): ApplyResult {
    // Fast path: the next in-order text chunk of a streaming reply (the bulk of every stream). Kept
    // small so that it is inlined into the caller; every other frame goes to `applyGeneral`.
    const d = frame.data as Json | null | undefined
    const reply = this.reply
    // Data that is not an object has no string `chunk` (`d?.chunk` is then undefined): the general path.
    const chunk = d?.chunk
    if (typeof chunk === 'string' && chunk.length !== 0 && frame.message === 'update' && reply.status === 'streaming' && d!.tool_call == null && d!.reasoning_content === undefined) {
      const idx = d!.index
      const code = frame.code
      if ((code === 0 || code === undefined) && (idx === undefined || (idx === this.maxIndex + 1 && idx !== 0))) {
        if (idx !== undefined) this.maxIndex = idx as number
        reply.text += chunk
        const r = this.appendOut
        r.textAppend = chunk
        return r
      }
    }
    return this.applyGeneral(frame)
  }

  /** Every frame the fast path of `apply` does not take. */
  private applyGeneral(frame: Json): ApplyResult {
    const status = this.reply.status
    if (status !== 'pending' && status !== 'streaming') return NO_CHANGE
    const message = frame.message
    const data = isObject(frame.data) ? frame.data : {}
    if (frame.code !== undefined && frame.code !== 0 && frame.code !== '0' && message !== 'failed') {
      return this.fail(typeof data.reason === 'string' ? data.reason : `The server refused the request (code ${describeValue(frame.code)})`)
    }
    switch (message) {
      case 'pending':
        return NO_CHANGE
      case 'update':
        return this.update(data)
      case 'completed':
        return this.complete()
      case 'failed': {
        const detail = typeof data.error === 'string' ? data.error : undefined
        const reason =
          typeof data.reason === 'string' && data.reason
            ? data.reason
            : detail
              ? shortError(detail)
              : isObject(data.error)
                ? coreText('errorNoDetails')
                : coreText('replyFailed')
        return this.fail(reason, detail)
      }
      default:
        return NO_CHANGE
    }
  }

  /** The server said the reply is complete. */
  complete(now = Date.now()): ApplyResult {
    if (this.done) return NO_CHANGE
    this.reply.status = 'completed'
    return this.ended(now)
  }

  /** The link dropped (or went silent) mid-stream: keep the partial text. */
  interrupt(reason = coreText('replyLinkLost'), now = Date.now()): ApplyResult {
    if (this.done) return NO_CHANGE
    this.reply.status = 'interrupted'
    this.reply.error = reason
    return this.ended(now)
  }

  abort(now = Date.now()): ApplyResult {
    if (this.done) return NO_CHANGE
    this.reply.status = 'aborted'
    this.reply.error = coreText('stopped')
    return this.ended(now)
  }

  /** The server said the reply failed: `reason` in words; its code and HTTP status kept when given. */
  failWith(reason: string, info: FailInfo = {}, now = Date.now()): ApplyResult {
    if (this.done) return NO_CHANGE
    if (info.code !== undefined) this.reply.errorCode = info.code
    if (info.status !== undefined) this.reply.errorStatus = info.status
    return this.fail(reason, info.detail, now)
  }

  private fail(reason: string, detail?: string, now = Date.now()): ApplyResult {
    this.reply.status = 'failed'
    this.reply.error = reason
    if (detail && detail !== reason) this.reply.errorDetail = detail
    return this.ended(now)
  }

  /** A terminal state was reached: a reasoning run still open ends now; no question stays open. */
  private ended(now: number): ApplyResult {
    this.closeReasoning(now)
    const r: ApplyResult = { changed: true, textAppend: '', reasoningAppend: '', toolCallsChanged: false, ended: true }
    if (this.reply.approval) {
      delete this.reply.approval
      r.approvalChanged = true
    }
    return r
  }

  // ------------------------------------------------------------------ v2: typed deltas

  /**
   * Applies one typed delta (the v2 chunk mapper's output). Like `apply`, the returned object is reused
   * by later calls on this assembler.
   */
  applyDelta(d: ReplyDelta, now = Date.now()): ApplyResult {
    if (this.done) return NO_CHANGE
    let textAppend = ''
    let reasoningAppend = ''
    let toolCallsChanged = false
    let approvalChanged = false
    if (typeof d.reasoning === 'string' && d.reasoning.length > 0) {
      this.openReasoning(d.reasoningStartedAt, now)
      reasoningAppend = d.reasoning
      this.reply.reasoning += reasoningAppend
    }
    if (typeof d.reasoningMs === 'number' && Number.isFinite(d.reasoningMs) && d.reasoningMs > 0) {
      // The server measured this run (a snapshot): take its figure, the run is over.
      this.reply.reasoningMs = Math.round(d.reasoningMs)
      this.runLocalStart = undefined
    }
    if (typeof d.text === 'string' && d.text.length > 0) {
      this.closeReasoning(now)
      textAppend = this.addChunk(d.text, undefined)
    }
    if (isObject(d.toolCall)) {
      this.closeReasoning(now)
      toolCallsChanged = this.applyToolCall(d.toolCall, d.toolResultIsOwn === true)
      const state = toolCallsChanged ? mapToolAction(d.toolCall.action) : undefined
      // An answered question is over once a tool call finishes (the answer was used, or refused).
      if ((state === 'finished' || state === 'failed') && this.reply.approval && this.reply.approval.state !== 'waiting') {
        delete this.reply.approval
        approvalChanged = true
      }
    }
    if (d.approval !== undefined) approvalChanged = this.setApproval(d.approval) || approvalChanged
    return this.result(textAppend, reasoningAppend, toolCallsChanged, false, approvalChanged)
  }

  /**
   * Fills the one result object of this assembler (reused: streams apply thousands of frames) for a change
   * that is not the plain-append fast path, and starts the stream on its first change.
   */
  private result(textAppend: string, reasoningAppend: string, toolCallsChanged: boolean, textReplaced: boolean, approvalChanged: boolean): ApplyResult {
    const changed = textAppend.length > 0 || reasoningAppend.length > 0 || toolCallsChanged || textReplaced || approvalChanged
    if (changed && this.reply.status === 'pending') this.reply.status = 'streaming'
    const r = this.out
    r.changed = changed
    r.textAppend = textAppend
    r.reasoningAppend = reasoningAppend
    r.toolCallsChanged = toolCallsChanged
    r.textReplaced = textReplaced
    r.ended = false
    // (`delete` of a key the object does not have still costs a runtime call: most tool frames pay none)
    if (approvalChanged) r.approvalChanged = true
    else if (r.approvalChanged !== undefined) delete r.approvalChanged
    if (r.reasoningReplaced !== undefined) delete r.reasoningReplaced
    return r
  }

  /** The user answered the open question `interactionId` (the server then finishes the tool). */
  answerApproval(interactionId: string, approved: boolean): ApplyResult {
    const a = this.reply.approval
    if (this.done || !a || a.interactionId !== interactionId) return NO_CHANGE
    this.reply.approval = { ...a, state: approved ? 'approved' : 'denied' }
    return { changed: true, textAppend: '', reasoningAppend: '', toolCallsChanged: false, ended: false, approvalChanged: true }
  }

  /**
   * Replaces what this reply holds with a snapshot of it (v2 `sync` after a reconnect), in place: the
   * reply object is the one handed out. When the snapshot only extends the text (or reasoning), the
   * change is reported as an append; otherwise as replaced. The status is left to the caller.
   */
  restore(from: AiReply): ApplyResult {
    if (this.done) return NO_CHANGE
    const r = this.reply
    const oldText = r.text
    const oldReasoning = r.reasoning
    const textReplaced = !from.text.startsWith(oldText)
    const reasoningReplaced = !from.reasoning.startsWith(oldReasoning)
    r.text = from.text
    r.reasoning = from.reasoning
    r.toolCalls = from.toolCalls.map((t) => ({ ...t }))
    this.toolIndex.clear()
    this.lastToolKey = ''
    r.toolCalls.forEach((t, i) => this.toolIndex.set(t.key, i))
    this.maxIndex = -1
    this.indexIsCounter = true
    this.gaps.length = 0
    if (from.reasoningStartedAt !== undefined) r.reasoningStartedAt = from.reasoningStartedAt
    if (from.reasoningMs !== undefined) r.reasoningMs = from.reasoningMs
    const approvalChanged = JSON.stringify(r.approval) !== JSON.stringify(from.approval)
    if (from.approval) r.approval = { ...from.approval }
    else delete r.approval
    if (from.text || from.reasoning || from.toolCalls.length || from.approval) r.status = 'streaming'
    const out: ApplyResult = {
      changed: true,
      textAppend: textReplaced ? '' : from.text.slice(oldText.length),
      reasoningAppend: reasoningReplaced ? '' : from.reasoning.slice(oldReasoning.length),
      toolCallsChanged: true,
      textReplaced,
      ended: false
    }
    if (approvalChanged) out.approvalChanged = true
    if (reasoningReplaced) out.reasoningReplaced = true
    return out
  }

  private setApproval(a: ToolApproval | null): boolean {
    if (a === null) {
      if (!this.reply.approval) return false
      delete this.reply.approval
      return true
    }
    this.reply.approval = { ...a }
    // The question belongs to the call that is running when it comes (v2 asks after the second `running`).
    if (!a.tool) {
      const calls = this.reply.toolCalls
      for (let i = calls.length - 1; i >= 0; i--) {
        const t = calls[i]!
        if (t.state === 'finished' || t.state === 'failed') continue
        this.reply.approval.tool = toolBaseName(t.name)
        break
      }
    }
    return true
  }

  private openReasoning(startTime: number | undefined, now: number): void {
    if (startTime === undefined || !Number.isFinite(startTime)) return
    if (this.runLocalStart !== undefined && this.runStartTime === startTime) return
    this.closeReasoning(now)
    this.runLocalStart = now
    this.runStartTime = startTime
    if (this.reply.reasoningStartedAt === undefined) this.reply.reasoningStartedAt = startTime
  }

  /** Ends an open v2 reasoning run: its length, measured on this side, adds to `reasoningMs`. */
  private closeReasoning(now: number): void {
    if (this.runLocalStart === undefined) return
    this.reply.reasoningMs = (this.reply.reasoningMs ?? 0) + Math.max(0, Math.round(now - this.runLocalStart))
    this.runLocalStart = undefined
  }

  private update(data: Json): ApplyResult {
    const { chunk, index: rawIndex, reasoning_content: reasoning, tool_call: toolCall } = data
    let textAppend = ''
    let reasoningAppend = ''
    let toolCallsChanged = false
    const index = typeof rawIndex === 'number' && Number.isInteger(rawIndex) && rawIndex >= 0 ? rawIndex : undefined
    if (typeof chunk === 'string' && chunk.length > 0) textAppend = this.addChunk(chunk, index)
    // An update without text (a tool call's, reasoning's) still takes its place in the count: the next
    // chunk is then in order, not after a gap that no chunk would ever fill.
    else if (index !== undefined) this.addChunk('', index)
    if (typeof reasoning === 'string' && reasoning.length > 0) {
      reasoningAppend = reasoning
      this.reply.reasoning += reasoningAppend
    }
    if (isObject(toolCall)) toolCallsChanged = this.applyToolCall(toolCall)
    const textReplaced = this.replaced
    this.replaced = false
    return this.result(textAppend, reasoningAppend, toolCallsChanged, textReplaced, false)
  }


  /**
   * Adds a text chunk. Frames on one WebSocket arrive in order, so the common case is an append with
   * no bookkeeping. `data.index` (when present) drops duplicates; when an index skips ahead, the gap is
   * remembered with its text offset, and a late chunk that fills it is put back in its place (the
   * whole text is then reported as replaced).
   */
  private addChunk(chunk: string, index: number | undefined): string {
    // The seed's `index` may be an OpenAI choice index (always 0) rather than a counter: when index 0
    // repeats with different text, indices are ignored for this reply (dropping text would be worse).
    if (index !== undefined && !this.indexIsCounter) index = undefined
    else if (index === 0 && this.maxIndex === 0 && chunk !== this.firstChunk) {
      this.indexIsCounter = false
      index = undefined
    } else if (index === 0 && this.maxIndex < 0) this.firstChunk = chunk
    if (index === undefined || index === this.maxIndex + 1) {
      if (index !== undefined) this.maxIndex = index
      if (chunk !== '') this.reply.text += chunk
      return chunk
    }
    if (index > this.maxIndex) {
      this.gaps.push({ from: this.maxIndex + 1, to: index - 1, offset: this.reply.text.length })
      this.maxIndex = index
      this.reply.text += chunk
      return chunk
    }
    const gi = this.gaps.findIndex((g) => index >= g.from && index <= g.to)
    if (gi < 0) return '' // already applied: a duplicate
    const g = this.gaps[gi]!
    const split: Gap[] = []
    if (index > g.from) split.push({ from: g.from, to: index - 1, offset: g.offset })
    if (index < g.to) split.push({ from: index + 1, to: g.to, offset: g.offset + chunk.length })
    this.gaps.splice(gi, 1, ...split)
    // A late update without text only takes its place; the text is unchanged.
    if (chunk === '') return ''
    const text = this.reply.text
    this.reply.text = text.slice(0, g.offset) + chunk + text.slice(g.offset)
    for (let i = gi + split.length; i < this.gaps.length; i++) this.gaps[i]!.offset += chunk.length
    this.replaced = true
    return ''
  }

  private applyToolCall(tc: Json, resultIsOwn = false): boolean {
    const name = typeof tc.name === 'string' ? tc.name : ''
    const id = typeof tc.id === 'string' && tc.id ? tc.id : undefined
    const key = id ?? name
    if (!key) return false
    const state = mapToolAction(tc.action)
    if (!state) return false
    const params = typeof tc.params === 'string' ? tc.params : tc.params === undefined || tc.params === null ? '' : safeJson(tc.params)
    // Tool frames come in runs for one call (its arguments streamed): that call without a lookup.
    let i = key === this.lastToolKey ? this.lastToolAt : this.toolIndex.get(key)
    if (i === undefined) {
      i = this.reply.toolCalls.length
      this.toolIndex.set(key, i)
      this.reply.toolCalls.push({ key, id, name: name || key, state, params: '' })
    }
    this.lastToolKey = key
    this.lastToolAt = i
    // Updated in place: consumers that keep a snapshot copy it (AppCore clones per delta).
    const call: ToolCall = this.reply.toolCalls[i]!
    call.state = state
    if (state === 'pending') call.params += params
    else if (params) call.params = params
    if (typeof tc.displayName === 'string' && tc.displayName) call.displayName = tc.displayName
    if (state === 'finished') {
      const { result, error } = resultIsOwn ? withError(tc.result, errorInResult(tc.result)) : readToolResult(tc.result)
      call.result = result
      if (error !== undefined) {
        call.state = 'failed'
        // The dialect's mapper may word a known error better (e.g. v2 "USER_ABORT").
        call.error = typeof tc.error === 'string' && tc.error ? tc.error : error
      }
    }
    if (state === 'failed') {
      call.error = typeof tc.error === 'string' ? tc.error : coreText('toolFailed')
      if (resultIsOwn && tc.result !== undefined && tc.result !== '') call.result = tc.result
    }
    return true
  }
}

/** JSON text of a parsed value; '' when it cannot be serialised (e.g. nested too deep). */
function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? ''
  } catch {
    return ''
  }
}

/**
 * Field `finished.result` is `{error, result}`; a thrown error arrives as `{error:{}}`. With no error
 * there, the tool's own result may still report one (f2: a plain user refused an admin-only tool is
 * `{error:null, result:{error:"Only administrators…"}}`); a spec server may send that result bare.
 */
function readToolResult(r: unknown): { result: unknown; error?: string } {
  if (!isObject(r) || !('error' in r || 'result' in r)) return withError(r, errorInResult(r))
  const e = r.error
  if (e === null || e === undefined || e === '') return withError(r.result, errorInResult(r.result))
  if (typeof e === 'string') return { result: r.result, error: e }
  if (isObject(e) && typeof e.message === 'string') return { result: r.result, error: e.message }
  return { result: r.result, error: coreText('toolFailedNoDetail') }
}

function withError(result: unknown, error: string | undefined): { result: unknown; error?: string } {
  return error === undefined ? { result } : { result, error }
}

/**
 * "Error: …", "Error executing …", "TypeError: …", v2's "[System Error] 未找到工具: x" — not "Errors: 0",
 * not "error" further on.
 */
const ERROR_TEXT = /^\s*(?:\[System Error\]|(?:[A-Z][A-Za-z]*)?Error\b)/

/**
 * The error a tool's result reports, in the clear shapes only, one level deep: a string starting with
 * "Error"; an object with a non-empty string `error` (or `error.message`); `is_error`/`isError: true`;
 * `success: false`. Anything else is a result, even when it mentions errors.
 */
function errorInResult(v: unknown): string | undefined {
  if (typeof v === 'string') return ERROR_TEXT.test(v) ? firstLine(v) || coreText('toolFailed') : undefined
  if (!isObject(v)) return undefined
  const e = v.error
  const own = typeof e === 'string' ? words(e) : isObject(e) ? words(e.message) : undefined
  if (v.is_error === true || v.isError === true) return own ?? words(v.content) ?? words(v.message) ?? coreText('toolError')
  if (own) return own
  if (v.success === false) return words(v.message) ?? coreText('toolFailure')
  return undefined
}

/** The first line of a string, or of the text parts of an MCP-style content list; undefined when blank. */
function words(v: unknown): string | undefined {
  if (typeof v === 'string') return firstLine(v) || undefined
  if (Array.isArray(v)) {
    const text = v
      .map((p) => (typeof p === 'string' ? p : isObject(p) && typeof p.text === 'string' ? p.text : ''))
      .filter(Boolean)
      .join(' ')
    return firstLine(text) || undefined
  }
  return undefined
}

/** "Error: 404 The model `x` does not exist…\n    at …" → "404 The model `x` does not exist…" */
export function shortError(stack: string): string {
  return firstLine(stack).replace(/^(?:[A-Za-z]*Error):\s*/, '') || coreText('replyFailed')
}
