/**
 * Assembles a streamed completion (`pending → update* → completed | failed`) into one AiReply.
 * Both dialects: spec frames carry `code` and `data.index`; field frames carry neither, put a
 * whole stack trace in `data.error`, repeat `pending`, and may send `completed` after `failed`.
 * Tool-call states are mapped here and only here.
 */
import type { AiReply, RequestId, ToolCall, ToolCallState } from '../../../shared/mio'
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
}

interface Gap {
  from: number
  to: number
  offset: number
}

const NO_CHANGE: ApplyResult = { changed: false, textAppend: '', reasoningAppend: '', toolCallsChanged: false, ended: false }

export class ReplyAssembler {
  readonly reply: AiReply
  private readonly out: ApplyResult = { changed: false, textAppend: '', reasoningAppend: '', toolCallsChanged: false, textReplaced: false, ended: false }
  /** `out` currently holds a plain text append (the fast path then only swaps the text). */
  private outIsPlainAppend = false
  private maxIndex = -1
  /** False once indices turn out not to be a per-chunk counter (e.g. a choice index repeated on every chunk). */
  private indexIsCounter = true
  private firstChunk = ''
  /** Index ranges skipped so far, with the text offset where their chunks belong. */
  private readonly gaps: Gap[] = []
  /** Set when a late chunk rebuilt the text (the consumer must take the whole text, not an append). */
  private replaced = false
  private readonly toolIndex = new Map<string, number>()

  constructor(requestId: RequestId) {
    this.reply = { requestId, status: 'pending', text: '', reasoning: '', toolCalls: [] }
  }

  get done(): boolean {
    const s = this.reply.status
    return s !== 'pending' && s !== 'streaming'
  }

  /**
   * Applies one server frame addressed to this request. Unknown `message` values are ignored.
   * The returned object is reused by the next call on this assembler: read it before applying another frame.
   */
  apply(frame: Json): ApplyResult {
    // Fast path: the next in-order text chunk of a streaming reply (the bulk of every stream).
    const d = frame.data as Json | null | undefined
    if (frame.message === 'update' && this.reply.status === 'streaming' && typeof d === 'object' && d !== null) {
      const chunk = d.chunk
      const idx = d.index
      if (
        typeof chunk === 'string' &&
        chunk !== '' &&
        (d.tool_call === null || d.tool_call === undefined) &&
        d.reasoning_content === undefined &&
        (frame.code === undefined || frame.code === 0) &&
        (idx === undefined || (idx === this.maxIndex + 1 && idx !== 0))
      ) {
        if (idx !== undefined) this.maxIndex = idx as number
        this.reply.text += chunk
        const r = this.out
        r.textAppend = chunk
        if (!this.outIsPlainAppend) {
          r.changed = true
          r.reasoningAppend = ''
          r.toolCallsChanged = false
          r.textReplaced = false
          r.ended = false
          this.outIsPlainAppend = true
        }
        return r
      }
    }
    if (this.done) return NO_CHANGE
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
      case 'completed': {
        this.reply.status = 'completed'
        return { changed: true, textAppend: '', reasoningAppend: '', toolCallsChanged: false, ended: true }
      }
      case 'failed': {
        const detail = typeof data.error === 'string' ? data.error : undefined
        const reason =
          typeof data.reason === 'string' && data.reason
            ? data.reason
            : detail
              ? shortError(detail)
              : isObject(data.error)
                ? 'The server reported an error without details'
                : 'The reply failed'
        return this.fail(reason, detail)
      }
      default:
        return NO_CHANGE
    }
  }

  /** The link dropped (or went silent) mid-stream: keep the partial text. */
  interrupt(reason = 'The connection was lost before the reply finished'): ApplyResult {
    if (this.done) return NO_CHANGE
    this.reply.status = 'interrupted'
    this.reply.error = reason
    return { changed: true, textAppend: '', reasoningAppend: '', toolCallsChanged: false, ended: true }
  }

  abort(): ApplyResult {
    if (this.done) return NO_CHANGE
    this.reply.status = 'aborted'
    this.reply.error = 'Stopped'
    return { changed: true, textAppend: '', reasoningAppend: '', toolCallsChanged: false, ended: true }
  }

  private fail(reason: string, detail?: string): ApplyResult {
    this.reply.status = 'failed'
    this.reply.error = reason
    if (detail && detail !== reason) this.reply.errorDetail = detail
    return { changed: true, textAppend: '', reasoningAppend: '', toolCallsChanged: false, ended: true }
  }

  private update(data: Json): ApplyResult {
    let textAppend = ''
    let reasoningAppend = ''
    let toolCallsChanged = false
    if (typeof data.chunk === 'string' && data.chunk.length > 0) {
      textAppend = this.addChunk(data.chunk, typeof data.index === 'number' && Number.isInteger(data.index) && data.index >= 0 ? data.index : undefined)
    }
    if (typeof data.reasoning_content === 'string' && data.reasoning_content.length > 0) {
      reasoningAppend = data.reasoning_content
      this.reply.reasoning += reasoningAppend
    }
    if (isObject(data.tool_call)) toolCallsChanged = this.applyToolCall(data.tool_call)
    const textReplaced = this.replaced
    this.replaced = false
    const changed = textAppend.length > 0 || reasoningAppend.length > 0 || toolCallsChanged || textReplaced
    if (changed && this.reply.status === 'pending') this.reply.status = 'streaming'
    // One result object per assembler, reused: streams apply thousands of frames.
    const r = this.out
    this.outIsPlainAppend = false
    r.changed = changed
    r.textAppend = textAppend
    r.reasoningAppend = reasoningAppend
    r.toolCallsChanged = toolCallsChanged
    r.textReplaced = textReplaced
    r.ended = false
    return r
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
      this.reply.text += chunk
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
    const text = this.reply.text
    this.reply.text = text.slice(0, g.offset) + chunk + text.slice(g.offset)
    const split: Gap[] = []
    if (index > g.from) split.push({ from: g.from, to: index - 1, offset: g.offset })
    if (index < g.to) split.push({ from: index + 1, to: g.to, offset: g.offset + chunk.length })
    this.gaps.splice(gi, 1, ...split)
    for (let i = gi + split.length; i < this.gaps.length; i++) this.gaps[i]!.offset += chunk.length
    this.replaced = true
    return ''
  }

  private applyToolCall(tc: Json): boolean {
    const name = typeof tc.name === 'string' ? tc.name : ''
    const id = typeof tc.id === 'string' && tc.id ? tc.id : undefined
    const key = id ?? name
    if (!key) return false
    const state = mapToolAction(tc.action)
    if (!state) return false
    const params = typeof tc.params === 'string' ? tc.params : tc.params === undefined || tc.params === null ? '' : safeJson(tc.params)
    let i = this.toolIndex.get(key)
    if (i === undefined) {
      i = this.reply.toolCalls.length
      this.toolIndex.set(key, i)
      this.reply.toolCalls.push({ key, id, name: name || key, state, params: '' })
    }
    // Updated in place: consumers that keep a snapshot copy it (AppCore clones per delta).
    const call: ToolCall = this.reply.toolCalls[i]!
    call.state = state
    if (state === 'pending') call.params += params
    else if (params) call.params = params
    if (state === 'finished') {
      const { result, error } = readToolResult(tc.result)
      call.result = result
      if (error !== undefined) {
        call.state = 'failed'
        call.error = error
      }
    }
    if (state === 'failed') call.error = typeof tc.error === 'string' ? tc.error : 'The tool failed'
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
  return { result: r.result, error: 'The tool failed (the server gave no details)' }
}

function withError(result: unknown, error: string | undefined): { result: unknown; error?: string } {
  return error === undefined ? { result } : { result, error }
}

/** "Error: …", "Error executing …", "TypeError: …" — not "Errors: 0", not "error" further on. */
const ERROR_TEXT = /^\s*(?:[A-Z][A-Za-z]*)?Error\b/

/**
 * The error a tool's result reports, in the clear shapes only, one level deep: a string starting with
 * "Error"; an object with a non-empty string `error` (or `error.message`); `is_error`/`isError: true`;
 * `success: false`. Anything else is a result, even when it mentions errors.
 */
function errorInResult(v: unknown): string | undefined {
  if (typeof v === 'string') return ERROR_TEXT.test(v) ? firstLine(v) || 'The tool failed' : undefined
  if (!isObject(v)) return undefined
  const e = v.error
  const own = typeof e === 'string' ? words(e) : isObject(e) ? words(e.message) : undefined
  if (v.is_error === true || v.isError === true) return own ?? words(v.content) ?? words(v.message) ?? 'The tool reported an error'
  if (own) return own
  if (v.success === false) return words(v.message) ?? 'The tool reported a failure'
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
  return firstLine(stack).replace(/^(?:[A-Za-z]*Error):\s*/, '') || 'The reply failed'
}
