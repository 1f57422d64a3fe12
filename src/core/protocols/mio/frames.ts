/**
 * Mio-Chat frames: building requests in each dialect's shape, and classifying what the server sends.
 * Pure functions only — no sockets here, so the decoder can be fuzzed and replayed.
 */
import type { Dialect, LoginInfo, ModelGroup, RequestId, Segment } from '../../../shared/mio'
import { TransportError } from '../../transport/errors'

export type Json = Record<string, unknown>

/**
 * The largest frame a Mio-Chat connection takes, in bytes on the socket (ManagedSocket's maxFrameBytes) and in
 * characters in the decoder: one limit, so what the socket passes the decoder takes (UTF-8 text never has more
 * characters than bytes). A longer frame is dropped and logged; the connection stays up.
 */
export const MAX_FRAME_CHARS = 8 * 1024 * 1024

let counter = 0
/** Request ids in the web client's style: a short base-36 string, unique per process. */
export function newRequestId(): string {
  counter = (counter + 1) % 1_679_616
  return Date.now().toString(36) + counter.toString(36).padStart(4, '0') + Math.floor(Math.random() * 36 ** 3).toString(36)
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** A scalar as text; anything else (objects, arrays) as ''. Never throws, unlike String() on hostile JSON. */
export function scalarText(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return ''
}

/** A short, safe description of any JSON value for log lines (never throws, never huge). */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return String(v ?? null)
  return Array.isArray(v) ? 'an array' : 'an object'
}

function isRequestId(v: unknown): v is RequestId {
  return (typeof v === 'string' && v.length > 0 && v.length < 200) || (typeof v === 'number' && Number.isFinite(v))
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

export function loginFrame(requestId: RequestId, id: string, token: string): Json {
  return { protocol: 'system', type: 'login', request_id: requestId, data: { 'mio-chat-id': id, 'mio-chat-token': token } }
}

export function heartbeatFrame(requestId: RequestId, now = Date.now()): Json {
  return { protocol: 'system', type: 'heartbeat', request_id: requestId, data: { timestamp: now } }
}

/** Image segments: the seed names the URL `data.image`, the real server `data.file`. Fill in the other name. */
export function adaptSegmentsForDialect(segments: Segment[], dialect: Dialect): Segment[] {
  return segments.map((s) => {
    if (s.type !== 'image') return s
    const d = { ...s.data }
    if (dialect === 'field' && d.file === undefined && d.image !== undefined) d.file = d.image
    if (dialect === 'spec' && d.image === undefined && d.file !== undefined) d.image = d.file
    return { type: s.type, data: d }
  })
}

export function sendMessageFrame(dialect: Dialect, requestId: RequestId, contactId: string, segments: Segment[], messageId?: string | number): Json {
  const message = adaptSegmentsForDialect(segments, dialect)
  if (dialect === 'field') {
    return { request_id: requestId, protocol: 'onebot', type: 'message', id: contactId, data: message }
  }
  const inner: Json = { message }
  if (messageId !== undefined) inner.message_id = messageId
  return { request_id: requestId, protocol: 'onebot', type: 'message', data: { id: contactId, type: 'message', data: inner } }
}

/** Spec only: the field server has no client-side recall. */
export function deleteMessageFrame(requestId: RequestId, contactId: string, messageId: string | number): Json {
  return {
    request_id: requestId,
    protocol: 'onebot',
    type: 'del_message',
    data: { id: contactId, type: 'message', content: { message_id: messageId } }
  }
}

/** Spec only: the field server has no client-side forward. */
export function forwardFrame(requestId: RequestId, contactId: string, nodes: { message_id: string | number; message: Segment[] }[]): Json {
  return {
    request_id: requestId,
    protocol: 'onebot',
    type: 'forward_msg',
    data: { id: contactId, type: 'forward_msg', content: nodes.map((n) => ({ message_id: n.message_id, message: adaptSegmentsForDialect(n.message, 'spec') })) }
  }
}

/** Spec only: the field server crashes on `type:"models"`. */
export function modelsFrame(requestId: RequestId): Json {
  return { protocol: 'openai', type: 'models', request_id: requestId, data: {} }
}

export function completionFrame(requestId: RequestId, data: Json): Json {
  return { protocol: 'openai', type: 'completions', request_id: requestId, data }
}

/**
 * The last gate before a frame reaches a field server. The real server crashes — for every user —
 * on three shapes: `onebot` with a non-array `data`, `openai` without `data.messages`, and
 * `openai` `type:"models"`. Returns the reason a frame is unsafe, or undefined.
 */
export function fieldUnsafeReason(frame: Json): string | undefined {
  if (frame.protocol === 'onebot' && !Array.isArray(frame.data)) return 'onebot frame whose data is not an array'
  if (frame.protocol === 'openai') {
    if (frame.type === 'models') return 'openai models request'
    if (!isObject(frame.data) || !Array.isArray(frame.data.messages)) return 'openai frame without data.messages'
    // The real server reads the last message of the list; an empty list is not known to be safe.
    if (frame.data.messages.length === 0) return 'openai frame with an empty message list'
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Incoming frames
// ---------------------------------------------------------------------------------------------

export type Incoming =
  | { kind: 'login-push'; requestId?: RequestId; login: Omit<LoginInfo, 'dialect'> }
  | { kind: 'onebot-message'; contactId: string; messageId: string; segments: Segment[]; raw: Json }
  | { kind: 'onebot-delete'; messageId: string }
  /** Anything carrying a request_id that is not a push: a reply, a heartbeat answer, a stream frame. */
  | { kind: 'response'; requestId: RequestId; frame: Json }
  | { kind: 'bad'; reason: string }

export function parseModels(v: unknown): ModelGroup[] | undefined {
  if (!Array.isArray(v)) return undefined
  const groups: ModelGroup[] = []
  const loose: string[] = []
  for (const g of v) {
    if (typeof g === 'string') loose.push(g)
    else if (isObject(g) && Array.isArray(g.models)) {
      groups.push({ owner: typeof g.owner === 'string' ? g.owner : 'Models', models: g.models.filter((m): m is string => typeof m === 'string') })
    } else if (isObject(g) && typeof g.id === 'string') loose.push(g.id)
  }
  if (loose.length) groups.push({ owner: 'Models', models: loose })
  return groups
}

export function parseLoginData(d: Json): Omit<LoginInfo, 'dialect'> {
  const out: Omit<LoginInfo, 'dialect'> = {
    isAdmin: d.is_admin === true || d.is_admin === 1 || d.is_admin === 'true',
    adminQq: scalarText(d.admin_qq),
    botQq: scalarText(d.bot_qq)
  }
  const models = parseModels(d.models)
  if (models) out.models = models
  if (typeof d.default_model === 'string') out.defaultModel = d.default_model
  return out
}

/** Validates a segment list; unknown types are kept intact. Returns undefined when it is not a list. */
export function parseSegments(v: unknown): Segment[] | undefined {
  if (!Array.isArray(v)) return undefined
  const out: Segment[] = []
  for (const s of v) {
    if (!isObject(s) || typeof s.type !== 'string') continue
    out.push({ type: s.type, data: isObject(s.data) ? s.data : {} })
  }
  return out
}

function idString(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return undefined
}

/** Classifies one text frame. Never throws. */
export function decodeFrame(text: string): Incoming {
  if (text.length > MAX_FRAME_CHARS) return { kind: 'bad', reason: `frame of ${text.length} characters is over the limit` }
  let f: unknown
  try {
    f = JSON.parse(text)
  } catch {
    return { kind: 'bad', reason: 'frame is not JSON' }
  }
  if (!isObject(f)) return { kind: 'bad', reason: 'frame is not a JSON object' }
  return classify(f)
}

export function classify(f: Json): Incoming {
  const rid = isRequestId(f.request_id) ? f.request_id : undefined
  const data = f.data
  // Field login push: {protocol:"system", type:"login", data:{is_admin,...}} without a `code`. It must
  // carry login data: our own login request echoed back (by a server speaking something else) does not.
  if (f.protocol === 'system' && f.type === 'login' && f.code === undefined && isObject(data) && ('is_admin' in data || 'admin_qq' in data || 'bot_qq' in data)) {
    return { kind: 'login-push', requestId: rid, login: parseLoginData(data) }
  }
  if (f.protocol === 'onebot' && f.code === undefined && isObject(data)) {
    const t = data.type ?? f.type
    if (t === 'del_msg' || t === 'del_message') {
      const content = isObject(data.content) ? data.content : undefined
      const id = idString(content?.message_id)
      return id ? { kind: 'onebot-delete', messageId: id } : { kind: 'bad', reason: 'deletion without a message_id' }
    }
    if (t === 'message' && isObject(data.content)) {
      const segments = parseSegments(data.content.message)
      if (!segments) return { kind: 'bad', reason: 'pushed message without a segment list' }
      const messageId = idString(data.content.message_id)
      if (!messageId) return { kind: 'bad', reason: 'pushed message without a message_id' }
      return { kind: 'onebot-message', contactId: idString(data.id) ?? '', messageId, segments, raw: f }
    }
  }
  if (rid !== undefined) return { kind: 'response', requestId: rid, frame: f }
  return { kind: 'bad', reason: `unknown frame (protocol ${describeValue(f.protocol)}, type ${describeValue(f.type)})` }
}

/** Reads `{code, message, data}` of a reply; field replies to heartbeats carry no code (treated as ok). */
/**
 * Sends a request whose reply is already awaited (`reply`, registered by id first so a fast answer is not
 * missed) and resolves with the reply, or rejects with the server's refusal in words. A send that throws
 * fails the pending entry (`fail`) and rethrows. One place for both Mio-Chat clients.
 */
export async function sendAndAwait(reply: Promise<Json>, send: () => void, fail: (e: Error) => void): Promise<Json> {
  try {
    send()
  } catch (e) {
    fail(e as Error)
    reply.catch(() => {})
    throw e
  }
  const r = await reply
  const err = replyError(r)
  if (err) throw new TransportError('server', err)
  return r
}

export function replyError(frame: Json): string | undefined {
  const code = frame.code
  if (code === undefined || code === 0 || code === '0') return undefined
  const data = isObject(frame.data) ? frame.data : {}
  const reason = typeof data.reason === 'string' ? data.reason : typeof data.error === 'string' ? firstLine(data.error) : undefined
  const message = typeof frame.message === 'string' ? frame.message : 'failed'
  return reason ? `${reason}` : `The server answered "${message}" (code ${describeValue(code)})`
}

export function firstLine(s: string, max = 240): string {
  const line = s.split('\n')[0]!.trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
