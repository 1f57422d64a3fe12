/**
 * The Mio-Chat v2 generation (Socket.IO, the real server since March 2025; facts in
 * docs/protocol/mio-v2.md) mounted on the reference server's one node:http server: engine.io gets the
 * upgrades and the long-polling requests of `/socket.io/` through registerUpgrade / registerHttp, so the
 * spec gateway (`/api/gateway`) and Yunhu (`/v1`, `/ws`) keep their routes. Opt-in: startServer({mioV2: true}).
 *
 * Every client input is handled defensively: the five inputs that crash the real server are answered or
 * dropped (and logged), and a throwing handler never takes the server down.
 */
import { Server as EngineServer } from 'engine.io'
import { randomBytes } from 'node:crypto'
import { Server as IoServer, type Socket } from 'socket.io'
import type { RunningServer } from '../app'
import { accessLevel, type AccessCodes } from '../mio/access'
import type { Upstream } from '../mio/upstream'
import { createTimers } from '../ws'
import { ToolCatalog } from './catalog'
import { handleCompletion } from './completion'
import { v2HttpRoutes } from './http'
import { createV2OneBot } from './onebot'
import { presetsData } from './presets'
import {
  idText,
  INTERACT_EXPIRED,
  INTERACT_HANDLED,
  INTERACT_NO_PAYLOAD,
  INVALID_TOKEN,
  isObject,
  MISSING_ID,
  serverRequestId,
  SHUTDOWN_REPLY_ERROR,
  SHUTDOWN_TOOL_ERROR,
  type JsonObject,
  type RequestId
} from './protocol'
import { Providers } from './providers'
import { ReplyStore, type V2Conn } from './replies'

export interface MioV2Options extends AccessCodes {
  chunkDelayMs: number
  recallDelayMs: number
  upstream?: Upstream
  share: { create(contactor: Record<string, unknown>, withId?: boolean): string }
  log: (line: string) => void
}

export interface MioV2Mounted {
  /** Changes on every start: a client seeing another bootId knows its replies in flight are gone. */
  bootId: string
  /** Open v2 connections (after the handshake). */
  connections(): number
  close(): Promise<void>
}

/** engine.io limits as the real server sets them (v2-a: pingInterval 25 s, pingTimeout 20 s, 5 MB). */
const ENGINE_OPTIONS = { pingInterval: 25_000, pingTimeout: 20_000, maxHttpBufferSize: 5 * 1024 * 1024, perMessageDeflate: false } as const
const LOG_TYPES = new Set(['subscribe', 'unsubscribe', 'search'])

interface Conn extends V2Conn {
  socket: Socket
  connected: boolean
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err)
}

export function mountMioV2(server: RunningServer, opts: MioV2Options): MioV2Mounted {
  const log = opts.log
  const bootId = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
  const startedAt = Date.now()
  const timers = createTimers((err) => log(`v2 timer failed: ${errorText(err)}`))
  const conns = new Set<Conn>()
  const seenIds = new Set<string>()
  const providers = new Providers(opts.upstream)
  const catalog = new ToolCatalog()
  const replies = new ReplyStore()
  let callCounter = 1
  let closed = false
  const onebot = createV2OneBot({ connections: () => conns, recallDelayMs: opts.recallDelayMs, later: timers.later, log })
  // The login push lists the upstream's models: start fetching them now.
  if (opts.upstream) void opts.upstream.listModels()

  const engine = new EngineServer(ENGINE_OPTIONS)
  const io = new IoServer({ serveClient: false, connectTimeout: 45_000 })
  io.bind(engine)
  engine.on('connection_error', (err: { code?: number; message?: string }) => log(`v2 engine.io refused a request: ${err.message ?? err.code}`))

  // --------------------------------------------------------------------------------- routes

  server.registerUpgrade('/socket.io/', (req, socket, head) => {
    if (closed) return void socket.destroy()
    engine.handleUpgrade(req, socket, head)
  })
  server.registerHttp('/socket.io/', (req, res) => {
    if (closed) return false
    engine.handleRequest(req, res)
    return true
  })
  for (const [path, route] of Object.entries(
    v2HttpRoutes({ providers, catalog, share: opts.share, publicUrl: () => server.url, startedAt })
  )) {
    server.registerHttp(path, route)
  }

  // ---------------------------------------------------------------------------------- pushes

  const sendModelsUpdated = async (): Promise<void> => {
    const frame = {
      data: { default_model: {}, ...(await providers.models()), providers: await providers.descriptions(), timestamp: new Date().toISOString() },
      protocol: 'system',
      type: 'models_updated'
    }
    for (const c of conns) c.send(frame)
  }

  const interactError = (conn: Conn, error: string, interactionId: unknown): void => {
    const data: JsonObject = { error }
    if (interactionId !== undefined) data.interactionId = interactionId
    conn.send({ data, protocol: 'system', request_id: serverRequestId(), type: 'tool:interact:error' })
  }

  // --------------------------------------------------------------------------------- handshake

  io.use((socket, next) => {
    try {
      const auth: unknown = socket.handshake.auth
      const a = isObject(auth) ? auth : {}
      const level = accessLevel(a.token, opts)
      if (!level) {
        log(`v2 handshake refused: ${INVALID_TOKEN}`)
        return next(new Error(INVALID_TOKEN))
      }
      if (a.id === 'undefined') {
        log(`v2 handshake refused: ${MISSING_ID}`)
        return next(new Error(MISSING_ID))
      }
      socket.data = { userId: idText(a.id) ?? '', isAdmin: level === 'admin', firstLogin: a.firstLogin === true || a.firstLogin === 'true' }
      next()
    } catch (err) {
      log(`v2 handshake failed: ${errorText(err)}`)
      next(new Error(INVALID_TOKEN))
    }
  })

  io.on('connection', (socket) => {
    const data = socket.data as { userId: string; isAdmin: boolean; firstLogin: boolean }
    const conn: Conn = {
      socket,
      sid: socket.id,
      userId: data.userId,
      isAdmin: data.isAdmin,
      connected: true,
      send(frame) {
        if (!this.connected) return
        try {
          socket.emit('message', JSON.stringify(frame))
        } catch (err) {
          log(`v2 send failed: ${errorText(err)}`)
        }
      }
    }
    conns.add(conn)
    log(`v2 connected: id ${conn.userId || '?'}${conn.isAdmin ? ' (admin)' : ''} (${conns.size} connected)`)
    void sendLogin(conn, data.firstLogin)

    socket.on('message', guarded('message', (arg: unknown) => onMessage(conn, arg)))
    socket.on('interruptGeneration', guarded('interruptGeneration', (arg: unknown) => onInterrupt(conn, arg)))
    socket.on('tool:interact', guarded('tool:interact', (arg: unknown) => onInteract(conn, arg)))
    socket.on('disconnect', (reason) => {
      conn.connected = false
      conns.delete(conn)
      replies.detach(conn)
      log(`v2 disconnected: id ${conn.userId || '?'} (${reason}; ${conns.size} connected)`)
    })
  })

  /** A handler that never throws into socket.io (a throw there would be an uncaught exception). */
  function guarded(name: string, fn: (arg: unknown) => void | Promise<void>): (...args: unknown[]) => void {
    return (...args) => {
      try {
        const r = fn(args.length && typeof args[0] !== 'function' ? args[0] : undefined)
        if (r instanceof Promise) r.catch((err: unknown) => log(`v2 ${name} failed: ${errorText(err)}`))
      } catch (err) {
        log(`v2 ${name} failed: ${errorText(err)}`)
      }
    }
  }

  async function sendLogin(conn: Conn, firstLogin: boolean): Promise<void> {
    const first = !seenIds.has(conn.userId)
    seenIds.add(conn.userId)
    const models = await providers.models()
    conn.send({
      data: { bootId, is_admin: conn.isAdmin, ...models, onebot_enabled: true, pendingTasks: replies.pendingTasks(conn.userId) },
      protocol: 'system',
      request_id: serverRequestId(),
      type: 'login'
    })
    if (firstLogin && first) conn.send({ data: presetsData(), protocol: 'system', request_id: serverRequestId(), type: 'recommended_presets' })
  }

  // ----------------------------------------------------------------------------------- frames

  function onMessage(conn: Conn, arg: unknown): void | Promise<void> {
    if (typeof arg !== 'string') return log('v2 message dropped: the argument is not a JSON string')
    let frame: unknown
    try {
      frame = JSON.parse(arg)
    } catch {
      return log('v2 message dropped: not JSON')
    }
    if (!isObject(frame)) return log('v2 message dropped: not a JSON object')
    const rid = frame.request_id
    if (!rid || !frame.protocol || !frame.data) return log('v2 message dropped: request_id, protocol or data missing or falsy')
    if (typeof rid !== 'string' && (typeof rid !== 'number' || !Number.isFinite(rid))) return log('v2 message dropped: request_id is neither a string nor a number')
    const type = frame.type
    switch (frame.protocol) {
      case 'system':
        return onSystem(conn, rid, type, frame.data)
      case 'llm':
        return onLlm(conn, rid, type, frame)
      case 'onebot':
        return onebot.handle(conn, rid, frame)
      case 'logs':
        return onLogs(conn, rid, type)
      default:
        return log(`v2 message ignored: protocol ${String(frame.protocol).slice(0, 40)}`)
    }
  }

  function onSystem(conn: Conn, rid: RequestId, type: unknown, data: unknown): void {
    if (type === 'heartbeat') {
      const now = Date.now()
      const ts = isObject(data) ? data.timestamp : undefined
      const n = typeof ts === 'number' ? ts : typeof ts === 'string' && ts.trim() !== '' ? Number(ts) : NaN
      conn.send({ data: { delay: Number.isFinite(n) ? now - n : null, revTime: now }, protocol: 'system', request_id: rid, type: 'heartbeat' })
    } else if (type === 'get_presets') {
      conn.send({ data: presetsData(), protocol: 'system', request_id: rid, type: 'recommended_presets' })
    } else {
      log(`v2 system/${String(type).slice(0, 40)} ignored`)
    }
  }

  function onLlm(conn: Conn, rid: RequestId, type: unknown, frame: JsonObject): void | Promise<void> {
    const data = frame.data
    if (type === 'abort') {
      const reply = replies.findForAbort(conn.userId, String(rid))
      if (reply) reply.abort()
      return
    }
    if (type === 'enter_chat') {
      const contactorId = isObject(data) ? idText(data.contactorId) : undefined
      if (contactorId === undefined) return
      for (const reply of replies.forContactor(conn.userId, contactorId)) {
        conn.send(reply.snapshot())
        if (!reply.done) reply.attach(conn)
      }
      return
    }
    if (type === 'ack_message') {
      if (!isObject(data)) return
      const contactorId = idText(data.contactorId)
      const messageId = idText(data.messageId)
      if (contactorId !== undefined && messageId !== undefined) replies.ack(conn.userId, contactorId, messageId)
      return
    }
    // Every other llm type is a completion request, as on the real server.
    return handleCompletion(conn, rid, frame, {
      providers,
      catalog,
      replies,
      upstream: opts.upstream,
      chunkDelayMs: opts.chunkDelayMs,
      nextCallId: () => `call_${callCounter++}`,
      modelsChanged: () => void sendModelsUpdated().catch((err: unknown) => log(`v2 models_updated failed: ${errorText(err)}`)),
      log
    })
  }

  function onLogs(conn: Conn, rid: RequestId, type: unknown): void {
    const error = (code: string, message: string): void =>
      conn.send({ error: { code, message }, protocol: 'logs', request_id: rid, success: false, type: 'ERROR' })
    if (typeof type !== 'string' || !LOG_TYPES.has(type)) return error('UNKNOWN_TYPE', `未知的日志消息类型: ${String(type)}`)
    if (!conn.isAdmin) return error('PERMISSION_DENIED', '权限不足，只有管理员可以查看日志')
    log(`v2 logs/${type}: not implemented by the reference server`)
  }

  // ----------------------------------------------------------------------------------- events

  function onInterrupt(conn: Conn, arg: unknown): void {
    if (!isObject(arg)) return log('v2 interruptGeneration without an object argument (this crashes the real server): dropped')
    const messageId = arg.messageId
    if (typeof messageId !== 'string' && typeof messageId !== 'number') return
    replies.findForAbort(conn.userId, String(messageId))?.abort()
  }

  function onInteract(conn: Conn, arg: unknown): void {
    if (!isObject(arg)) {
      log('v2 tool:interact without an object argument (this crashes the real server): answered')
      return interactError(conn, INTERACT_EXPIRED, undefined)
    }
    const { interactionId, requestId, payload } = arg
    const rid = idText(requestId)
    const reply = rid === undefined ? undefined : replies.activeByRequest(conn.userId, rid)
    if (!reply) return interactError(conn, INTERACT_EXPIRED, interactionId)
    if (reply.openInteraction === undefined || reply.openInteraction !== interactionId) return interactError(conn, INTERACT_HANDLED, interactionId)
    if (!isObject(payload)) {
      log('v2 tool:interact without payload for an open question (this crashes the real server): answered, question kept open')
      return interactError(conn, INTERACT_NO_PAYLOAD, interactionId)
    }
    const reason = typeof payload.reason === 'string' && payload.reason.trim() !== '' ? payload.reason : '未说明'
    reply.answer(interactionId, payload.approved === true, reason)
  }

  // ------------------------------------------------------------------------------------ close

  async function close(): Promise<void> {
    if (closed) return
    closed = true
    timers.clear()
    for (const reply of replies.allActive()) reply.shutdown({ message: SHUTDOWN_REPLY_ERROR, code: 'SERVER_SHUTDOWN' }, SHUTDOWN_TOOL_ERROR)
    // `41` to every client (socket.io-client: "io server disconnect"), then the transports close.
    io.disconnectSockets(true)
    await new Promise((r) => setTimeout(r, 50))
    await io.close()
  }
  server.onClose(close)

  return { bootId, connections: () => conns.size, close }
}
