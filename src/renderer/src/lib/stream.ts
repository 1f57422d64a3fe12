/**
 * Pure helpers for streamed AI replies: merging coalesced deltas and applying them to a reply,
 * plus a per-animation-frame batcher.
 */
import type { StreamDelta } from '@shared/api'
import type { AiReply, ChatMessage, ReplyStatus, Segment } from '@shared/mio'

export const TERMINAL_STATUSES: ReadonlySet<ReplyStatus> = new Set(['completed', 'failed', 'interrupted', 'aborted'])

export function isTerminal(s: ReplyStatus | undefined): boolean {
  return s !== undefined && TERMINAL_STATUSES.has(s)
}

/** Merges two consecutive deltas for the same reply into one. */
export function mergeDeltas(a: StreamDelta, b: StreamDelta): StreamDelta {
  return {
    accountId: b.accountId,
    contactId: b.contactId,
    messageId: b.messageId,
    status: b.status,
    ...mergeText(a, b),
    ...mergeReasoning(a, b),
    toolCalls: b.toolCalls ?? a.toolCalls,
    ...(b.approval !== undefined ? { approval: b.approval } : a.approval !== undefined ? { approval: a.approval } : {}),
    error: b.error ?? a.error,
    errorDetail: b.errorDetail ?? a.errorDetail
  }
}

/** `reasoning` (a whole replacement, rare) wins over appends that came before it. */
function mergeReasoning(a: StreamDelta, b: StreamDelta): Pick<StreamDelta, 'reasoningAppend' | 'reasoning'> {
  if (b.reasoning !== undefined) return { reasoning: b.reasoning, reasoningAppend: '' }
  if (a.reasoning !== undefined) return { reasoning: a.reasoning + b.reasoningAppend, reasoningAppend: '' }
  return { reasoningAppend: a.reasoningAppend + b.reasoningAppend }
}

/** `text` (a whole-text replacement, rare) wins over appends that came before it. */
function mergeText(a: StreamDelta, b: StreamDelta): Pick<StreamDelta, 'textAppend' | 'text'> {
  if (b.text !== undefined) return { textAppend: '', text: b.text }
  if (a.text !== undefined) return { textAppend: '', text: a.text + b.textAppend }
  return { textAppend: a.textAppend + b.textAppend }
}

export function emptyReply(): AiReply {
  return { requestId: '', status: 'pending', text: '', reasoning: '', toolCalls: [] }
}

/**
 * Applies a delta to a message and returns a new message object (or the same one when the delta
 * must be ignored: the reply already reached a terminal state).
 */
export function applyDelta(msg: ChatMessage, d: StreamDelta): ChatMessage {
  // A message that streams without being a model reply (a Yunhu bot's streamed message): the text grows in
  // its text, Markdown or HTML part.
  if (!msg.ai && msg.segments.length) return applyToBody(msg, d)
  const ai = msg.ai ?? emptyReply()
  if (isTerminal(ai.status)) return msg
  const next: AiReply = {
    ...ai,
    status: d.status,
    text: d.text !== undefined ? d.text : d.textAppend ? ai.text + d.textAppend : ai.text,
    reasoning: d.reasoning !== undefined ? d.reasoning : d.reasoningAppend ? ai.reasoning + d.reasoningAppend : ai.reasoning,
    toolCalls: d.toolCalls ?? ai.toolCalls
  }
  if (d.approval !== undefined) {
    if (d.approval) next.approval = d.approval
    else delete next.approval
  }
  if (d.error !== undefined) next.error = d.error
  if (d.errorDetail !== undefined) next.errorDetail = d.errorDetail
  return { ...msg, ai: next }
}

function applyToBody(msg: ChatMessage, d: StreamDelta): ChatMessage {
  const i = msg.segments.findIndex((s) => s.type === 'text' || s.type === 'markdown' || s.type === 'html')
  if (i < 0 || (d.text === undefined && !d.textAppend)) return msg
  const seg = msg.segments[i]!
  const field = seg.type === 'html' ? 'html' : 'text'
  const old = typeof seg.data[field] === 'string' ? (seg.data[field] as string) : ''
  const segments = msg.segments.slice()
  segments[i] = { ...seg, data: { ...seg.data, [field]: d.text !== undefined ? d.text : old + d.textAppend } }
  return { ...msg, segments }
}

/**
 * Decides which copy of a message to keep when main sends a full message that we may already have
 * advanced through stream deltas: a non-terminal incoming reply never rolls back streamed text.
 */
export function reconcileMessage(existing: ChatMessage | undefined, incoming: ChatMessage): ChatMessage {
  if (!existing?.ai || !incoming.ai) return incoming
  if (isTerminal(incoming.ai.status)) return incoming
  if (isTerminal(existing.ai.status)) {
    // A retry restarts a finished reply: only accept when the incoming one is a fresh start.
    return incoming
  }
  if (existing.ai.text.length > incoming.ai.text.length || existing.ai.reasoning.length > incoming.ai.reasoning.length) {
    return { ...incoming, ai: { ...incoming.ai, text: existing.ai.text, reasoning: existing.ai.reasoning, toolCalls: incoming.ai.toolCalls.length ? incoming.ai.toolCalls : existing.ai.toolCalls, status: existing.ai.status === 'streaming' && incoming.ai.status === 'pending' ? 'streaming' : incoming.ai.status } }
  }
  return incoming
}

/** Collects items and flushes them at most once per animation frame. */
export function createFrameBatcher<T>(flush: (items: T[]) => void, schedule: (cb: () => void) => unknown = defaultSchedule): (item: T) => void {
  let items: T[] = []
  let scheduled = false
  return (item: T) => {
    items.push(item)
    if (scheduled) return
    scheduled = true
    schedule(() => {
      scheduled = false
      const batch = items
      items = []
      flush(batch)
    })
  }
}

function defaultSchedule(cb: () => void): unknown {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState !== 'hidden') {
    return requestAnimationFrame(() => cb())
  }
  return setTimeout(cb, 16)
}

/** Groups deltas by message id and merges each group, preserving first-arrival order. */
export function coalesceDeltas(deltas: StreamDelta[]): StreamDelta[] {
  const by = new Map<string, StreamDelta>()
  for (const d of deltas) {
    const k = `${d.accountId}|${d.contactId}|${d.messageId}`
    const prev = by.get(k)
    by.set(k, prev ? mergeDeltas(prev, d) : d)
  }
  return [...by.values()]
}

/** A streamed message's text, read when needed (a reactive getter: reading it tracks the newest copy). */
export interface LiveText {
  readonly text: string
}

/** The part of a streamed bot message that grows (see applyToBody): its first text, Markdown or HTML part. */
function growingPart(msg: Pick<ChatMessage, 'segments'>): number {
  return msg.segments.findIndex((s) => s.type === 'text' || s.type === 'markdown' || s.type === 'html')
}

/** A message's streamed text: a model reply's text, or the growing part's text (HTML) of a bot message. */
export function streamedText(msg: ChatMessage): string {
  if (msg.ai) return msg.ai.text
  const seg = msg.segments[growingPart(msg)]
  const v = seg?.data[seg.type === 'html' ? 'html' : 'text']
  return typeof v === 'string' ? v : ''
}

/**
 * True when a message's streamed text is shown by a MarkdownView that can read it live (a model reply, or a
 * bot message whose growing part is Markdown): only then may its row skip re-rendering while the text grows.
 */
export function textShownLive(msg: ChatMessage): boolean {
  return !!msg.ai || msg.segments[growingPart(msg)]?.type === 'markdown'
}

/** The growing part of a streamed bot message (see applyToBody), or undefined. */
export function growingSegment(msg: Pick<ChatMessage, 'segments'>): Segment | undefined {
  return msg.segments[growingPart(msg)]
}

function sameExcept<T extends object>(a: T, b: T, except: keyof T): boolean {
  const ka = Object.keys(a) as Array<keyof T>
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) if (k !== except && (!(k in b) || a[k] !== b[k])) return false
  return true
}

/**
 * True when `b` is `a` with nothing changed but its streamed text (see streamedText), which was and is
 * non-empty: what shows the rest of the message can stay as it was rendered while the text grows.
 */
export function onlyTextChanged(a: ChatMessage, b: ChatMessage): boolean {
  if (a === b) return true
  if (a.id !== b.id || !streamedText(a) || !streamedText(b)) return false
  if (a.ai && b.ai) return sameExcept(a, b, 'ai') && sameExcept(a.ai, b.ai, 'text')
  if (a.ai || b.ai || !sameExcept(a, b, 'segments') || a.segments.length !== b.segments.length) return false
  const i = growingPart(a)
  if (i < 0 || growingPart(b) !== i) return false
  for (let j = 0; j < a.segments.length; j++) if (j !== i && a.segments[j] !== b.segments[j]) return false
  const sa = a.segments[i]!
  const sb = b.segments[i]!
  return sa.type === sb.type && sameExcept(sa, sb, 'data') && sameExcept(sa.data, sb.data, sa.type === 'html' ? 'html' : 'text')
}
