/**
 * The v2 chunk mapper: the Socket.IO server's reply frames (`pending`, `update` with one typed chunk,
 * `complete`, `failed`, `sync` snapshots — mio-v2.md "Streams", "Resume") read into the one
 * ReplyAssembler every generation shares, so the renderer sees the same AiReply model for all of them.
 * Tool-call states stay mapped in the assembler (`mapToolAction`); this file only says where each v2
 * field goes.
 */
import { coreText } from '../../../../shared/core-text'
import type { AiReply, ToolApproval } from '../../../../shared/mio'
import { firstLine, isObject, type Json } from '../frames'
import { ReplyAssembler, type ApplyResult, type FailInfo, type ReplyDelta } from '../stream'

/** How the server words an interrupted tool, in words. */
const TOOL_ERROR_WORDS: Record<string, string> = {
  USER_ABORT: coreText('stoppedBeforeFinished')
}

function finiteNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/** A v2 tool-call chunk's content → the assembler's tool-call shape. */
function toolCallOf(c: Json): Json {
  const tc: Json = { id: c.id, name: c.name, action: c.action, params: c.parameters, result: c.result }
  if (typeof c.displayName === 'string' && c.displayName) tc.displayName = c.displayName
  const err = isObject(c.result) && typeof c.result.error === 'string' && c.result.error ? c.result.error : undefined
  if (err && TOOL_ERROR_WORDS[err]) tc.error = TOOL_ERROR_WORDS[err]
  else if (c.action === 'failed' || c.action === 'error') {
    // Only from the server's shutdown path: `{result:{error:"服务器重启，工具执行被打断"}, status:"failed"}`.
    if (err) tc.error = firstLine(err)
    else if (typeof c.error === 'string' && c.error) tc.error = firstLine(c.error)
  }
  return tc
}

/** An `action` chunk → the question it asks; undefined for actions MioDesk cannot answer (yet). */
export function v2Approval(c: unknown): ToolApproval | undefined {
  if (!isObject(c) || c.actionType !== 'REQUEST_APPROVAL') return undefined
  if (typeof c.interactionId !== 'string' || !c.interactionId) return undefined
  const a: ToolApproval = {
    interactionId: c.interactionId,
    prompt: typeof c.prompt === 'string' && c.prompt.trim() ? c.prompt.trim() : coreText('serverAsksPermission'),
    state: 'waiting'
  }
  const meta = isObject(c.meta) ? c.meta : {}
  if (typeof meta.command === 'string' && meta.command) a.command = meta.command
  return a
}

/** One chunk (an `update`'s data, or an element of a snapshot's `chunks`) → a typed delta. */
export function v2ChunkDelta(chunk: Json): ReplyDelta | undefined {
  switch (chunk.type) {
    case 'content':
      return typeof chunk.content === 'string' ? { text: chunk.content } : undefined
    case 'reason': {
      const d = isObject(chunk.data) ? chunk.data : {}
      if (typeof d.text !== 'string') return undefined
      return { reasoning: d.text, reasoningStartedAt: finiteNumber(d.startTime), reasoningMs: finiteNumber(d.duration) }
    }
    case 'toolCall':
      return isObject(chunk.content) ? { toolCall: toolCallOf(chunk.content), toolResultIsOwn: true } : undefined
    case 'action': {
      const approval = v2Approval(chunk.content)
      return approval ? { approval } : undefined
    }
    default:
      // `crystallize` (history compression) has nothing to show; unknown types are ignored.
      return undefined
  }
}

/** A `failed` frame's data `{message, code?, status?}` (or a snapshot's `error`) → words + what the server gave. */
export function v2Failure(e: unknown): { reason: string; info: FailInfo } {
  const o = isObject(e) ? e : { message: e }
  const message = typeof o.message === 'string' ? o.message.trim() : typeof o.error === 'string' ? o.error.trim() : ''
  const info: FailInfo = {}
  if (typeof o.code === 'string' && o.code) info.code = o.code
  else if (typeof o.code === 'number' && Number.isFinite(o.code)) info.code = String(o.code)
  if (typeof o.status === 'number' && Number.isFinite(o.status)) info.status = o.status
  const reason = message ? firstLine(message) : info.status ? coreText('replyFailedHttp', { status: String(info.status) }) : coreText('replyFailed')
  if (message && message !== reason) info.detail = message
  return { reason, info }
}

/**
 * Applies one v2 reply frame to `a`. Frames after the end (an interrupted tool's late
 * `finished {error:"USER_ABORT"}` after `complete`) change nothing. The returned object may be reused
 * by the next call on the assembler.
 */
export function applyV2Frame(a: ReplyAssembler, frame: Json, now = Date.now()): ApplyResult {
  const d = isObject(frame.data) ? frame.data : {}
  switch (frame.message) {
    case 'pending':
      // A new round (after tools): a question answered in the round before is over.
      return a.applyDelta(a.reply.approval && a.reply.approval.state !== 'waiting' ? { approval: null } : {}, now)
    case 'update':
      return a.applyDelta(v2ChunkDelta(d) ?? {}, now)
    case 'complete':
      return a.complete(now)
    case 'failed': {
      const f = v2Failure(d)
      return a.failWith(f.reason, f.info, now)
    }
    case 'sync':
      return restoreV2Snapshot(a, d, now)
    default:
      return a.applyDelta({}, now)
  }
}

/** The reply a `sync` snapshot describes, on its own (chunks merged by the server, status as it says). */
export function v2SnapshotReply(requestId: AiReply['requestId'], d: Json, now = Date.now()): AiReply {
  const a = new ReplyAssembler(requestId)
  restoreV2Snapshot(a, d, now)
  return a.reply
}

/**
 * Merges a `sync` snapshot (`{messageId, status, error?, chunks}`) into `a`: the snapshot is the whole
 * reply so far, so it replaces what `a` holds; then `completed`/`failed` end it. Live updates that
 * follow continue from there (the server does not repeat what the snapshot has).
 */
export function restoreV2Snapshot(a: ReplyAssembler, d: Json, now = Date.now()): ApplyResult {
  if (a.done) return a.applyDelta({}, now)
  const fresh = new ReplyAssembler(a.reply.requestId)
  const chunks = Array.isArray(d.chunks) ? d.chunks : []
  for (const c of chunks) {
    if (!isObject(c)) continue
    const delta = v2ChunkDelta(c)
    if (delta) fresh.applyDelta(delta, now)
  }
  const r = { ...a.restore(fresh.reply) }
  let end: ApplyResult | undefined
  if (d.status === 'completed') end = a.complete(now)
  else if (d.status === 'failed') {
    const f = v2Failure(d.error ?? {})
    end = a.failWith(f.reason, f.info, now)
  }
  if (end?.ended) {
    r.ended = true
    if (end.approvalChanged) r.approvalChanged = true
  }
  return r
}
