/**
 * The Mio-Chat spec-dialect WebSocket gateway at `/api/gateway`.
 * Upgrades are accepted whatever the URL carries; the client must then log in with a
 * `system/login` request. Malformed frames never crash the server or affect other clients.
 */
import type { IncomingMessage } from 'node:http'
import { WebSocket, type RawData } from 'ws'
import { redactUrl } from '../http'
import { createTimers, createWsEndpoint } from '../ws'
import { accessLevel } from './access'
import { ADMIN_QQ, BOT_QQ, Bot, deletionPush, messagePush } from './bot'
import { handleCompletion } from './completions'
import { DEMO_MODEL } from './model'
import {
  failure,
  isId,
  isObject,
  isRequestId,
  MAX_FRAME_BYTES,
  sniffRequestId,
  success,
  validateSegments,
  type JsonObject,
  type RequestId,
  type Segment
} from './protocol'
import { MessageLog, type StoredMessage } from './store'
import { UPSTREAM_OWNER, type Upstream } from './upstream'

/** Frames above this size are not even buffered: ws closes the socket with 1009. */
const HARD_MAX_PAYLOAD = 16 * 1024 * 1024

export interface GatewayOptions {
  adminCode: string
  userCode: string
  chunkDelayMs: number
  recallDelayMs: number
  upstream?: Upstream
  log: (line: string) => void
}

export interface Session {
  ws: WebSocket
  /** mio-chat-id (from login, else from the URL). */
  chatId: string
  loggedIn: boolean
  isAdmin: boolean
  /** Set after a failed login: further frames are ignored until the socket closes. */
  rejected: boolean
  completions: Map<string, AbortController>
  send(frame: unknown): void
}

type Handler = (s: Session, rid: RequestId, data: unknown) => void | Promise<void>

function rawToString(data: RawData): { text: string; bytes: number } {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
  return { text: buf.toString('utf8'), bytes: buf.length }
}

export function createMioGateway(opts: GatewayOptions) {
  const endpoint = createWsEndpoint({ maxPayload: HARD_MAX_PAYLOAD, onConnection })
  const sessions = new Set<Session>()
  const messages = new MessageLog()
  let pushCounter = 1
  let callCounter = 1
  const log = opts.log

  const timers = createTimers((err) => log(`timer failed: ${err instanceof Error ? err.message : String(err)}`))
  const later = timers.later
  const pushTo = (chatId: string, frame: unknown): void => {
    for (const s of sessions) if (s.loggedIn && s.chatId === chatId) s.send(frame)
  }
  const broadcast = (frame: unknown): void => {
    for (const s of sessions) if (s.loggedIn) s.send(frame)
  }
  const bot = new Bot({
    messages,
    deliver: (to, msg) => pushTo(to, messagePush(msg, pushCounter++)),
    recalled: (msg) => broadcast(deletionPush(msg)),
    recallDelayMs: opts.recallDelayMs,
    later
  })

  // ----------------------------------------------------------------------------------- handlers

  const login: Handler = (s, rid, data) => {
    const token = isObject(data) ? data['mio-chat-token'] : undefined
    const id = isObject(data) ? data['mio-chat-id'] : undefined
    const level = accessLevel(token, opts)
    const isAdmin = level === 'admin'
    if (!level) {
      s.loggedIn = false
      s.rejected = true
      abortAll(s)
      s.send(failure(rid, 'invalid code'))
      log(`login rejected (id ${s.chatId || '?'})`)
      later(100, () => {
        if (s.ws.readyState === WebSocket.OPEN) s.ws.close(4001, 'invalid code')
      })
      return
    }
    if (isId(id)) s.chatId = String(id)
    s.loggedIn = true
    s.isAdmin = isAdmin
    log(`login ok: id ${s.chatId || '?'}${isAdmin ? ' (admin)' : ''}`)
    s.send(success(rid, { is_admin: isAdmin, admin_qq: ADMIN_QQ, bot_qq: BOT_QQ }))
  }

  const heartbeat: Handler = (s, rid, data) => {
    const ts = isObject(data) ? data.timestamp : undefined
    let n = NaN
    if (typeof ts === 'number') n = ts
    else if (typeof ts === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(ts)) n = Number(ts)
    if (!Number.isFinite(n)) {
      s.send(failure(rid, 'timestamp must be epoch milliseconds (number or numeric string)'))
      return
    }
    s.send(success(rid, { delay: Date.now() - n }))
  }

  const models: Handler = async (s, rid) => {
    const groups: Array<{ owner: string; models: string[] }> = [{ owner: 'MioDesk', models: [DEMO_MODEL] }]
    if (opts.upstream) {
      const list = await opts.upstream.listModels()
      if (list.length) groups.push({ owner: UPSTREAM_OWNER, models: list })
    }
    s.send(success(rid, { models: groups }))
  }

  const sendMessage: Handler = (s, rid, data) => {
    if (!isObject(data)) return s.send(failure(rid, 'data must be an object'))
    if (!isId(data.id)) return s.send(failure(rid, 'data.id (contact id) is required'))
    const inner = data.data
    if (!isObject(inner)) return s.send(failure(rid, 'data.data must be an object with a message array'))
    const bad = validateSegments(inner.message, 'data.data.message')
    if (bad) return s.send(failure(rid, bad))
    const segments = structuredClone(inner.message) as Segment[]
    const contactId = String(data.id)
    const wanted = isId(inner.message_id) ? inner.message_id : undefined
    // A client message_id identifies the message: a resend of the same one (after a dropped link) is
    // answered with the stored id and neither stored nor echoed again.
    const already = wanted !== undefined ? messages.get(wanted) : undefined
    if (already && already.senderId === s.chatId && already.contactId === contactId && !already.fromBot) {
      return s.send(success(rid, { message_id: already.messageId }))
    }
    const stored = messages.add({ contactId, senderId: s.chatId, fromBot: false, segments }, wanted)
    s.send(success(rid, { message_id: stored.messageId }))
    if (contactId === bot.id) bot.onMessage(s.chatId, segments)
  }

  const delMessage: Handler = (s, rid, data) => {
    if (!isObject(data)) return s.send(failure(rid, 'data must be an object'))
    const content = data.content
    const id = isObject(content) ? content.message_id : undefined
    if (!isId(id)) return s.send(failure(rid, 'data.content.message_id is required'))
    const msg = messages.delete(id)
    if (!msg) return s.send(failure(rid, 'message not found'))
    s.send(success(rid))
    broadcast(deletionPush(msg))
  }

  const forwardMsg: Handler = (s, rid, data) => {
    if (!isObject(data)) return s.send(failure(rid, 'data must be an object'))
    if (!isId(data.id)) return s.send(failure(rid, 'data.id (target contact id) is required'))
    const content = data.content
    if (!Array.isArray(content) || content.length === 0) {
      return s.send(failure(rid, 'data.content must be a non-empty array of {message_id, message}'))
    }
    const nodes: Segment[][] = []
    for (let i = 0; i < content.length; i++) {
      const item: unknown = content[i]
      if (!isObject(item)) return s.send(failure(rid, `data.content[${i}] must be an object`))
      // The seed's own example gives a node by id only (`message: []`): forward the stored message.
      const missing = item.message === undefined || (Array.isArray(item.message) && item.message.length === 0)
      if (missing) {
        if (!isId(item.message_id)) {
          return s.send(failure(rid, `data.content[${i}] needs the message_id of a stored message, or a non-empty message`))
        }
        const known = messages.get(item.message_id)
        if (!known || !canSee(s, known)) {
          const id = String(item.message_id).slice(0, 100)
          return s.send(failure(rid, `data.content[${i}]: no stored message with message_id ${id} to forward (never sent, recalled, or from before a server restart)`))
        }
        nodes.push(structuredClone(known.segments))
        continue
      }
      const bad = validateSegments(item.message, `data.content[${i}].message`)
      if (bad) return s.send(failure(rid, bad))
      nodes.push(structuredClone(item.message) as Segment[])
    }
    const segments: Segment[] = [{ type: 'nodes', data: { messages: nodes } }]
    const contactId = String(data.id)
    const stored = messages.add({ contactId, senderId: s.chatId, fromBot: false, segments })
    s.send(success(rid, { message_id: stored.messageId }))
    if (contactId === bot.id) bot.onMessage(s.chatId, segments)
  }

  /** A session may forward by id only what it could have seen: its own messages, ones to it, the bot's to it. */
  function canSee(s: Session, msg: StoredMessage): boolean {
    if (s.isAdmin) return true
    if (!s.chatId) return false
    return msg.fromBot ? msg.to === s.chatId : msg.senderId === s.chatId || msg.contactId === s.chatId
  }

  const completions: Handler = (s, rid, data) =>
    handleCompletion(s, rid, data, {
      chunkDelayMs: opts.chunkDelayMs,
      upstream: opts.upstream,
      nextCallId: () => `call_${callCounter++}`,
      log
    })

  const handlers: Record<string, Handler> = {
    'system/login': login,
    'system/heartbeat': heartbeat,
    'openai/models': models,
    'openai/completions': completions,
    'onebot/message': sendMessage,
    'onebot/del_message': delMessage,
    'onebot/forward_msg': forwardMsg
  }

  /** The seed omits the top-level `type` of onebot requests: infer it from `data` then. */
  function frameType(frame: JsonObject): unknown {
    if (frame.type !== undefined || frame.protocol !== 'onebot' || !isObject(frame.data)) return frame.type
    const d = frame.data
    if (d.type === 'forward_msg') return 'forward_msg'
    if (isObject(d.data)) return 'message'
    if (isObject(d.content) && d.content.message_id !== undefined) return 'del_message'
    return undefined
  }

  // --------------------------------------------------------------------------------- frames

  function onFrame(s: Session, raw: RawData): void {
    if (s.rejected) return
    const { text, bytes } = rawToString(raw)
    if (bytes > MAX_FRAME_BYTES) {
      const rid = sniffRequestId(text)
      if (rid !== undefined) s.send(failure(rid, `frame too large (limit ${MAX_FRAME_BYTES} bytes)`))
      return
    }
    let frame: unknown
    try {
      frame = JSON.parse(text)
    } catch {
      const rid = sniffRequestId(text)
      if (rid !== undefined) s.send(failure(rid, 'invalid JSON'))
      return
    }
    if (!isObject(frame)) return
    const rid = frame.request_id
    if (!isRequestId(rid)) return
    const protocol = frame.protocol
    const type = frameType(frame)
    if (typeof protocol !== 'string' || typeof type !== 'string') {
      return s.send(failure(rid, 'protocol and type must be strings'))
    }
    const key = `${protocol}/${type}`
    if (key !== 'system/login' && !s.loggedIn) return s.send(failure(rid, 'not logged in'))
    const handler = Object.hasOwn(handlers, key) ? handlers[key] : undefined
    if (!handler) return s.send(failure(rid, `unknown protocol/type: ${key.slice(0, 100)}`))
    try {
      const r = handler(s, rid, frame.data)
      if (r instanceof Promise) {
        r.catch((err: unknown) => {
          log(`${key} failed: ${err instanceof Error ? err.stack : String(err)}`)
          s.send(failure(rid, 'internal error'))
        })
      }
    } catch (err) {
      log(`${key} failed: ${err instanceof Error ? err.stack : String(err)}`)
      s.send(failure(rid, 'internal error'))
    }
  }

  function abortAll(s: Session): void {
    for (const c of s.completions.values()) c.abort()
    s.completions.clear()
  }

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    let urlId = ''
    try {
      urlId = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('mio-chat-id') ?? ''
    } catch {
      // ignore: the id comes with the login request anyway
    }
    const session: Session = {
      ws,
      chatId: urlId,
      loggedIn: false,
      isAdmin: false,
      rejected: false,
      completions: new Map(),
      send(frame) {
        if (ws.readyState !== WebSocket.OPEN) return
        try {
          ws.send(JSON.stringify(frame))
        } catch (err) {
          log(`send failed: ${err instanceof Error ? err.message : String(err)}`)
        }
      }
    }
    sessions.add(session)
    log(`ws open ${redactUrl(req.url ?? '')} (${sessions.size} connected)`)
    ws.on('message', (data) => {
      try {
        onFrame(session, data)
      } catch (err) {
        log(`frame handling failed: ${err instanceof Error ? err.stack : String(err)}`)
      }
    })
    ws.on('error', (err) => log(`ws error: ${err.message}`))
    ws.on('close', (code) => {
      sessions.delete(session)
      abortAll(session)
      log(`ws closed ${code} (id ${session.chatId || '?'}, ${sessions.size} connected)`)
    })
  }

  async function close(): Promise<void> {
    timers.clear()
    for (const s of sessions) abortAll(s)
    await endpoint.close(sessions)
  }

  return { handleUpgrade: endpoint.handleUpgrade, close, sessions, messages }
}
