/**
 * A Mio-Chat account connection: login and dialect detection, heartbeat, onebot messages,
 * sharing, models and streamed completions — over the shared ManagedSocket transport.
 */
import { coreText } from '../../../shared/core-text'
import { SeenIds } from './seen'
import { EventEmitter } from 'node:events'
import type { ChatTurn, CompletionRequest, Dialect, LoginInfo, ModelGroup, RequestId, Segment, ShareResult } from '../../../shared/mio'
import type { ConnectionStatus } from '../../../shared/connection'
import { ManagedSocket } from '../../transport/socket'
import { TransportError } from '../../transport/errors'
import type { BackoffOptions } from '../../transport/backoff'
import { silentLogger, type Logger } from '../../log'
import {
  completionFrame,
  decodeFrame,
  deleteMessageFrame,
  fieldUnsafeReason,
  forwardFrame,
  heartbeatFrame,
  isObject,
  loginFrame,
  modelsFrame,
  newRequestId,
  parseLoginData,
  parseModels,
  MAX_FRAME_CHARS,
  replyError,
  sendAndAwait,
  sendMessageFrame,
  type Json
} from './frames'
import { ReplyAssembler, type ApplyResult } from './stream'
import { restartTimer } from './timer'
import { postShare } from './share'
import type { MioConnection, MioConnectionEvents, StreamHandle, StreamListener } from './connection'
import type { AiReply } from '../../../shared/mio'

export interface MioClientOptions {
  /** ws(s)://host[:port][/api/gateway] or http(s)://… or host:port. */
  server: string
  id: string
  token: string
  heartbeatIntervalMs?: number
  requestTimeoutMs?: number
  connectTimeoutMs?: number
  handshakeTimeoutMs?: number
  /** A stream with no frame for this long is ended as interrupted. */
  streamIdleTimeoutMs?: number
  backoff?: BackoffOptions
  logger?: Logger
  /** Injected for tests. */
  fetch?: typeof fetch
}

export type { IncomingMessage, StreamHandle, StreamListener } from './connection'
interface ActiveStream {
  assembler: ReplyAssembler
  listener: StreamListener
  resolve: (r: AiReply) => void
  idleTimer?: ReturnType<typeof setTimeout>
}

/** Normalises what a user types as a server into the gateway URL (without credentials). */
export function gatewayUrl(server: string): URL {
  let s = server.trim()
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `ws://${s}`
  const u = new URL(s)
  if (u.protocol === 'http:') u.protocol = 'ws:'
  else if (u.protocol === 'https:') u.protocol = 'wss:'
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TransportError('unreachable', `Unsupported server address scheme "${u.protocol}"`)
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/api/gateway'
  u.search = ''
  u.hash = ''
  return u
}

/** The HTTP base of a gateway URL (for /api/share). */
export function httpBase(server: string): URL {
  const u = gatewayUrl(server)
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:'
  u.pathname = '/'
  return u
}

const UNSUPPORTED = (what: string): TransportError =>
  new TransportError('unsupported', coreText('unsupportedV1', { what }))

/** A raw-WebSocket Mio-Chat server (the seed's spec dialect, or the field server of March 2025). */
export class MioClient extends EventEmitter<MioConnectionEvents> implements MioConnection {
  readonly socket: ManagedSocket
  private readonly o: MioClientOptions
  private readonly log: Logger
  private _dialect?: Dialect
  private _login?: LoginInfo
  private handshakeWaiter?: { requestId: RequestId; resolve: () => void; reject: (e: Error) => void }
  private readonly streams = new Map<RequestId, ActiveStream>()
  /** Pushes seen on this connection (repeats are dropped). */
  private readonly seenIds = new SeenIds()
  private dropped = 0

  constructor(options: MioClientOptions) {
    super()
    this.o = options
    this.log = options.logger ?? silentLogger
    const url = gatewayUrl(options.server)
    url.searchParams.set('mio-chat-id', options.id)
    url.searchParams.set('mio-chat-token', options.token)
    const dial = url.toString()
    this.socket = new ManagedSocket({
      url: dial,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3000,
      maxMissedHeartbeats: 2,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 4000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 4000,
      backoff: options.backoff,
      upgradeTimeoutMeansAuth: true,
      maxFrameBytes: MAX_FRAME_CHARS,
      onDrop: (reason) => this.drop(reason),
      logger: this.log,
      handshake: () => this.handshake(),
      heartbeat: () => this.heartbeat(),
      onFrame: (data, isBinary) => this.onFrame(data, isBinary)
    })
    this.socket.on('status', (s) => this.emit('status', s))
    this.socket.on('delay', (d) => this.emit('delay', d))
    this.socket.on('down', (err) => this.interruptAll(err.kind === 'auth' ? err.message : coreText('replyLinkLost')))
  }

  get dialect(): Dialect | undefined {
    return this._dialect
  }
  get login(): LoginInfo | undefined {
    return this._login
  }
  get status(): ConnectionStatus {
    return this.socket.status
  }
  get delayMs(): number | undefined {
    return this.socket.delayMs
  }
  get isOnline(): boolean {
    return this.socket.isOnline
  }
  get droppedFrames(): number {
    return this.dropped
  }

  start(): void {
    this.socket.start()
  }

  stop(): void {
    this.socket.stop()
    this.interruptAll(coreText('disconnected'))
  }

  /** Starts and resolves on the first successful login, or rejects with the reason (e.g. invalid credentials). */
  async connect(opts: { failFast?: boolean } = {}): Promise<LoginInfo> {
    await this.socket.connect(opts)
    return this._login!
  }

  // ------------------------------------------------------------------ handshake and heartbeat

  private handshake(): Promise<void> {
    const requestId = newRequestId()
    // Message ids are only unique within one server session: a restarted server (the reference one
    // numbers from 100001 again) reuses them for new messages. Repeats are dropped per connection only.
    this.seenIds.clear()
    return new Promise<void>((resolve, reject) => {
      this.handshakeWaiter = { requestId, resolve, reject }
      try {
        // Safe for both dialects: the field server ignores a spec login request.
        this.socket.send(JSON.stringify(loginFrame(requestId, this.o.id, this.o.token)))
      } catch (e) {
        this.handshakeWaiter = undefined
        reject(e)
      }
    })
  }

  private finishLogin(dialect: Dialect, data: Omit<LoginInfo, 'dialect'>): void {
    const w = this.handshakeWaiter
    this.handshakeWaiter = undefined
    if (this._dialect && this._dialect !== dialect) this.log.warn(`server changed dialect from ${this._dialect} to ${dialect}`)
    this._dialect = dialect
    // Keep models learnt earlier when a reconnect's login does not carry them.
    this._login = { ...data, dialect, models: data.models ?? this._login?.models, defaultModel: data.defaultModel ?? this._login?.defaultModel }
    w?.resolve()
    this.emit('login', this._login)
  }

  private heartbeat(): Promise<unknown> {
    const id = newRequestId()
    return this.socket.request(id, JSON.stringify(heartbeatFrame(id)), {
      timeoutMs: (this.o.heartbeatIntervalMs ?? 3000) * 2,
      label: 'heartbeat'
    })
  }

  /** Sends one heartbeat now and resolves with the round trip in ms. */
  async ping(): Promise<number> {
    this.requireOnline()
    const t0 = performance.now()
    await this.heartbeat()
    return Math.round((performance.now() - t0) * 10) / 10
  }

  // ------------------------------------------------------------------ incoming

  private onFrame(data: string | Buffer, isBinary: boolean): void {
    if (isBinary) return this.drop('binary frame on a JSON protocol')
    const f = decodeFrame(data as string)
    switch (f.kind) {
      case 'bad':
        return this.drop(f.reason)
      case 'login-push':
        if (this.handshakeWaiter) {
          this.socket.pending.reject(this.handshakeWaiter.requestId, new TransportError('protocol', 'superseded'))
          this.finishLogin('field', f.login)
        } else {
          this.log.debug('ignored a login push outside the handshake')
        }
        return
      case 'onebot-message':
        if (this.seenIds.seen(f.messageId)) return
        this.emit('message', { contactId: f.contactId, messageId: f.messageId, segments: f.segments })
        return
      case 'onebot-delete':
        this.emit('deleted', f.messageId)
        return
      case 'response':
        return this.onResponse(f.requestId, f.frame)
    }
  }

  private onResponse(requestId: RequestId, frame: Json): void {
    const w = this.handshakeWaiter
    if (w && requestId === w.requestId) {
      if (frame.code === undefined) {
        // A spec reply always has a code, a field server never answers this request: something else
        // (e.g. our own frame echoed) is talking.
        this.handshakeWaiter = undefined
        w.reject(new TransportError('protocol', coreText('notMioServer')))
        return
      }
      const err = replyError(frame)
      if (err) {
        this.handshakeWaiter = undefined
        w.reject(new TransportError('auth', coreText('invalidCredentialsWhy', { why: String(err) })))
        return
      }
      this.finishLogin('spec', parseLoginData(isObject(frame.data) ? frame.data : {}))
      return
    }
    const stream = this.streams.get(requestId)
    if (stream) return this.onStreamFrame(requestId, stream, frame)
    if (!this.socket.settle(requestId, frame)) {
      this.log.debug(`late or unknown reply ${JSON.stringify(requestId)} ignored`)
    }
  }

  private drop(reason: string): void {
    this.dropped++
    this.log.warn(`dropped a frame from the server: ${reason}`)
    this.emit('dropped', reason)
  }



  // ------------------------------------------------------------------ requests

  private requireOnline(): Dialect {
    if (!this.socket.isOnline || !this._dialect) throw new TransportError('offline', coreText('notConnected'))
    return this._dialect
  }

  /** Sends a frame after the dialect gate; field servers never receive a shape that crashes them. */
  private sendFrame(frame: Json): void {
    if (this._dialect === 'field') {
      const unsafe = fieldUnsafeReason(frame)
      if (unsafe) throw new TransportError('unsupported', `Refused to send an ${unsafe} to this server: it would crash it`)
    }
    this.socket.send(JSON.stringify(frame))
  }

  private async request(frame: Json, label: string, timeoutMs?: number): Promise<Json> {
    const id = frame.request_id as RequestId
    const reply = this.socket.expect<Json>(id, { label, timeoutMs })
    return sendAndAwait(reply, () => this.sendFrame(frame), (e) => this.socket.pending.reject(id, e))
  }

  /** The onebot target id: the real server routes by the client's own id; the spec server by the bot's. */
  onebotTarget(): string {
    if (this._dialect === 'field') return this.o.id
    return this._login?.botQq || this.o.id
  }

  async sendMessage(contactId: string, segments: Segment[], messageId?: string | number): Promise<string> {
    const dialect = this.requireOnline()
    const r = await this.request(sendMessageFrame(dialect, newRequestId(), contactId, segments, messageId), 'message')
    const d = isObject(r.data) ? r.data : {}
    const id = d.message_id
    if (typeof id === 'string' || typeof id === 'number') {
      this.seenIds.seen(String(id))
      return String(id)
    }
    throw new TransportError('protocol', coreText('noMessageId'))
  }

  async recall(contactId: string, messageId: string | number): Promise<void> {
    const dialect = this.requireOnline()
    if (dialect === 'field') throw UNSUPPORTED(coreText('opRecall'))
    await this.request(deleteMessageFrame(newRequestId(), contactId, messageId), 'recall')
  }

  async forward(contactId: string, nodes: { message_id: string | number; message: Segment[] }[]): Promise<string | undefined> {
    const dialect = this.requireOnline()
    if (dialect === 'field') throw UNSUPPORTED(coreText('opForward'))
    if (nodes.length === 0) throw new TransportError('protocol', coreText('nothingToForward'))
    const r = await this.request(forwardFrame(newRequestId(), contactId, nodes), 'forward')
    const d = isObject(r.data) ? r.data : {}
    return typeof d.message_id === 'string' || typeof d.message_id === 'number' ? String(d.message_id) : undefined
  }

  async models(): Promise<ModelGroup[]> {
    const dialect = this.requireOnline()
    if (dialect === 'field') {
      if (this._login?.models) return this._login.models
      throw UNSUPPORTED(coreText('opListModels'))
    }
    const r = await this.request(modelsFrame(newRequestId()), 'model list')
    const d = isObject(r.data) ? r.data : {}
    const models = parseModels(d.models)
    if (!models) throw new TransportError('protocol', coreText('noModelList'))
    return models
  }

  /** Shares a bot contact: spec `POST /api/share` → previewImg; field `POST /api/share/set` → previewImage. */
  async share(contactor: Record<string, unknown>, timeoutMs = 10_000): Promise<ShareResult> {
    const dialect = this.requireOnline()
    const base = httpBase(this.o.server)
    const url = new URL(dialect === 'field' ? '/api/share/set' : '/api/share', base)
    return postShare(url, base, contactor, this.o.fetch ?? fetch, timeoutMs)
  }

  // ------------------------------------------------------------------ completions

  /**
   * Starts a completion. `listener` gets every change; `done` resolves with the final reply.
   * A link drop ends it as `interrupted`, keeping the partial text.
   */
  complete(req: CompletionRequest, listener: StreamListener = () => {}): StreamHandle {
    const dialect = this.requireOnline()
    // Callers across IPC are untyped: without a message list nothing may be sent (a field server crashes on it).
    if (!Array.isArray(req?.messages)) throw new TransportError('protocol', coreText('completionNeedsList'))
    const requestId = newRequestId()
    const messages: ChatTurn[] = req.messages.filter((m) => isObject(m) && typeof m.content === 'string')
    if (messages.length === 0) throw new TransportError('protocol', coreText('completionNeedsOne'))
    const data: Json = {
      model: req.model,
      messages,
      temperature: req.temperature ?? 1,
      top_p: req.top_p ?? 1,
      presence_penalty: req.presence_penalty ?? 0,
      frequency_penalty: req.frequency_penalty ?? 0
    }
    if (dialect === 'field' || req.stream !== undefined) data.stream = req.stream ?? true
    if (req.tools) data.tools = req.tools
    const assembler = new ReplyAssembler(requestId)
    let resolve!: (r: AiReply) => void
    const done = new Promise<AiReply>((r) => (resolve = r))
    const active: ActiveStream = { assembler, listener, resolve }
    this.streams.set(requestId, active)
    this.armIdle(requestId, active)
    try {
      this.sendFrame(completionFrame(requestId, data))
    } catch (e) {
      this.endStream(requestId, active, assembler.interrupt(e instanceof Error ? e.message : coreText('couldNotSend')))
    }
    return {
      requestId,
      reply: assembler.reply,
      done,
      abort: () => {
        const s = this.streams.get(requestId)
        if (s) this.endStream(requestId, s, s.assembler.abort())
      }
    }
  }

  /** (Re)starts the stream's idle timeout; called on every frame of the stream. */
  private armIdle(requestId: RequestId, s: ActiveStream): void {
    const ms = this.o.streamIdleTimeoutMs ?? 120_000
    s.idleTimer = restartTimer(s.idleTimer, () => this.endStream(requestId, s, s.assembler.interrupt(coreText('replyStopped'))), ms)
  }

  private onStreamFrame(requestId: RequestId, s: ActiveStream, frame: Json): void {
    const change = s.assembler.apply(frame)
    if (s.assembler.done) return this.endStream(requestId, s, change)
    this.armIdle(requestId, s)
    if (change.changed) this.safeNotify(s, change)
  }

  private endStream(requestId: RequestId, s: ActiveStream, change: ApplyResult): void {
    clearTimeout(s.idleTimer)
    s.idleTimer = undefined
    this.streams.delete(requestId)
    this.safeNotify(s, change)
    s.resolve(s.assembler.reply)
  }

  private safeNotify(s: ActiveStream, change: ApplyResult): void {
    try {
      s.listener(s.assembler.reply, change)
    } catch (e) {
      this.log.error(`stream listener failed: ${(e as Error).message}`)
    }
  }

  private interruptAll(reason: string): void {
    for (const [id, s] of [...this.streams]) this.endStream(id, s, s.assembler.interrupt(reason))
  }
}
