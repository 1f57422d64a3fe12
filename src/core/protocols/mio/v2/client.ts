/**
 * A connection to a Mio-Chat server of today's generation ("v2": Socket.IO, the `llm` protocol —
 * docs/protocol/mio-v2.md), carried by socket.io-client over its websocket transport.
 *
 * - Reconnection is ours, not socket.io-client's (which gives up after "io server disconnect", the way
 *   this server says it is shutting down): capped backoff, status events like MioClient's. A refused
 *   access code (`无效token`, `缺少ID`) is final and said in words at once.
 * - Every event goes through `v2UnsafeReason` first: nothing in one of the five shapes that crash the
 *   server (for every user) can leave.
 * - Replies are assembled by the shared ReplyAssembler through the v2 chunk mapper. A reply with a
 *   contactorId survives a dropped link: after the reconnect the client asks for it (`enter_chat`) and
 *   merges the snapshot into the open stream. A changed bootId (the server restarted) ends every reply
 *   in flight as interrupted.
 */
import { coreText } from '../../../../shared/core-text'
import { SeenIds } from '../seen'
import { EventEmitter } from 'node:events'
import { io, type Socket } from 'socket.io-client'
import { toolBaseName, type AiReply, type CompletionRequest, type Dialect, type LoginInfo, type ModelGroup, type MioPreset, type ModelProvider, type RequestId, type Segment, type ShareResult } from '../../../../shared/mio'
import type { ConnectionStatus } from '../../../../shared/connection'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../../transport/backoff'
import { errorMessage, TransportError } from '../../../transport/errors'
import { PendingRequests } from '../../../transport/pending'
import { HeartbeatLoop } from '../../../transport/heartbeat'
import { describeSocketError } from '../../../transport/socket'
import { redactUrl, silentLogger, type Logger } from '../../../log'
import { firstLine, isObject, newRequestId, scalarText, sendAndAwait, type Json } from '../frames'
import { ReplyAssembler, type ApplyResult } from '../stream'
import { restartTimer } from '../timer'
import { postShare } from '../share'
import type { MioConnection, MioConnectionEvents, ResumedReply, StreamHandle, StreamListener } from '../connection'
import { applyV2Frame, restoreV2Snapshot } from './chunks'
import {
  classifyV2,
  decodeV2Message,
  defaultModelOf,
  flattenProviders,
  parseBaseInfo,
  parseToolNames,
  v2AbortFrame,
  v2AckFrame,
  v2Auth,
  v2CompletionFrame,
  v2EnterChatFrame,
  v2PresetsFrame,
  v2HeartbeatFrame,
  v2HttpBase,
  v2InteractArg,
  v2InterruptArg,
  V2_MAX_PAYLOAD,
  v2SendMessageFrame,
  v2SocketTarget,
  v2UnsafeReason,
  v2WireValue,
  type V2Event,
  type V2Incoming
} from './frames'

export interface MioV2ClientOptions {
  /** What the user typed: `host:port`, `http(s)://…` or `ws(s)://…` (any path: only /socket.io/ is served). */
  server: string
  id: string
  token: string
  /** App heartbeat interval (its round trip is the shown delay); default 3 s. */
  heartbeatIntervalMs?: number
  /** Heartbeats in a row without an answer before the link is declared dead; default 2. */
  maxMissedHeartbeats?: number
  /** onebot sends; default 15 s. */
  requestTimeoutMs?: number
  /** From dialling to the login push; default 4 s. */
  connectTimeoutMs?: number
  /** A stream with no frame for this long is ended as interrupted — not while a question waits; default 120 s. */
  streamIdleTimeoutMs?: number
  /** After a reconnect, how long a resumed stream may wait for its snapshot; default 5 s. */
  resumeTimeoutMs?: number
  /** How long an answer to a question waits for the server to refuse it before it counts as taken; default 1 s. */
  answerTimeoutMs?: number
  /** `GET /api/base_info` (the QQs) at login; default 2 s. */
  baseInfoTimeoutMs?: number
  backoff?: BackoffOptions
  /**
   * Send `ack_message` by itself when a reply with a contactorId ends. Off by default: the account
   * provider acks once it has stored the reply (`ack`), so a crash in between loses nothing.
   */
  autoAck?: boolean
  logger?: Logger
  /** Injected for tests. */
  fetch?: typeof fetch
  random?: () => number
}

interface AnswerWaiter {
  resolve: () => void
  reject: (e: Error) => void
  timer: ReturnType<typeof setTimeout>
}

interface ActiveStream {
  messageId: string
  contactorId?: string
  assembler: ReplyAssembler
  listener: StreamListener
  resolve: (r: AiReply) => void
  handle: StreamHandle
  idleTimer?: ReturnType<typeof setTimeout>
  resumeTimer?: ReturnType<typeof setTimeout>
  /** The link dropped while it streamed: resume it at the next login. */
  awaitingReconnect?: boolean
  /** enter_chat was sent for it: waiting for its snapshot. */
  awaitingResume?: boolean
  answers: Map<string, AnswerWaiter>
}

type Phase = 'opening' | 'joined' | 'online'

const UNSUPPORTED = (what: string): TransportError =>
  new TransportError('unsupported', coreText('unsupportedV2', { what }))

/** The words for a refused access code; the code itself is never repeated. */
function authRefusal(message: string): TransportError | undefined {
  if (message === '无效token') return new TransportError('auth', coreText('codeRefused'))
  if (message === '缺少ID') return new TransportError('auth', coreText('idRefused'))
  return undefined
}

/** socket.io-client's reason for a dropped link, in words. */
function describeDisconnect(reason: string): TransportError {
  switch (reason) {
    case 'io server disconnect':
      return new TransportError('closed', coreText('serverEnded'), reason)
    case 'ping timeout':
      return new TransportError('timeout', coreText('pingTimeout'), reason)
    case 'transport close':
      return new TransportError('closed', coreText('connectionLost', { why: coreText('closeClosed') }), reason)
    case 'transport error':
      return new TransportError('closed', coreText('connectionLost', { why: coreText('closeBrokeOff') }), reason)
    case 'parse error':
      return new TransportError('protocol', coreText('notSocketIo'), reason)
    default:
      return new TransportError('closed', coreText('connectionLostBare'), reason)
  }
}

/** An engine-level connect failure (refused, DNS, HTTP status on the upgrade, timeout) in words. */
function describeEngineError(e: Error & { description?: unknown }, timeoutMs: number): TransportError {
  if (e.message === 'timeout') return new TransportError('timeout', coreText('acceptTimeout', { s: String(timeoutMs / 1000) }))
  const d = e.description as { error?: { code?: unknown; message?: unknown }; message?: unknown; code?: unknown } | undefined
  const inner = (d && typeof d === 'object' && d.error && typeof d.error === 'object' ? d.error : d) as { code?: unknown; message?: unknown } | undefined
  const code = typeof inner?.code === 'string' ? inner.code : undefined
  const message = typeof inner?.message === 'string' ? inner.message : typeof d?.message === 'string' ? d.message : e.message
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1]
  if (status) {
    return new TransportError(
      status === '401' || status === '403' ? 'auth' : 'unreachable',
      `The server refused the WebSocket upgrade (HTTP ${status})${status === '404' || status === '400' ? ': there is no Mio-Chat server of the Socket.IO generation at this address' : ''}`
    )
  }
  if (code) return describeSocketError(Object.assign(new Error(message), { code }))
  return new TransportError('unreachable', `Cannot reach the server: ${redactUrl(message)}`)
}

/** A Mio-Chat server of the Socket.IO generation (v2). */
export class MioV2Client extends EventEmitter<MioConnectionEvents> implements MioConnection {
  /** The server's tools (full names), listed at login. */
  private serverTools: string[] = []
  /** The server's presets, as last listed (undefined until asked for, or after the server said they changed). */
  private serverPresets?: MioPreset[]
  private readonly o: Required<Omit<MioV2ClientOptions, 'logger' | 'fetch' | 'random' | 'backoff' | 'autoAck'>> & Pick<MioV2ClientOptions, 'fetch' | 'autoAck'>
  private readonly log: Logger
  private readonly backoff: BackoffOptions
  private readonly random: () => number
  readonly pending: PendingRequests
  private sock?: Socket
  private phase: Phase = 'opening'
  private running = false
  private attempt = 0
  private everOnline = false
  private generation = 0
  private reconnectTimer?: ReturnType<typeof setTimeout>
  private connectTimer?: ReturnType<typeof setTimeout>
  private beats?: HeartbeatLoop
  private lastDelay?: number
  private _status: ConnectionStatus = { state: 'idle' }
  private _login?: LoginInfo
  private bootId?: string
  private readonly streams = new Map<string, ActiveStream>()
  private readonly pendingAcks = new Map<string, { contactorId: string; messageId: string }>()
  /** Pushes seen on this connection (repeats are dropped). */
  private readonly seenIds = new SeenIds()
  private dropped = 0
  /** Every event this client emitted, counted (tests and diagnostics). */
  sentEvents = 0

  constructor(options: MioV2ClientOptions) {
    super()
    this.o = {
      heartbeatIntervalMs: 3000,
      maxMissedHeartbeats: 2,
      requestTimeoutMs: 15_000,
      connectTimeoutMs: 4000,
      streamIdleTimeoutMs: 120_000,
      resumeTimeoutMs: 5000,
      answerTimeoutMs: 1000,
      baseInfoTimeoutMs: 2000,
      ...options
    }
    this.log = options.logger ?? silentLogger
    this.backoff = options.backoff ?? DEFAULT_BACKOFF
    this.random = options.random ?? Math.random
    this.pending = new PendingRequests(this.log)
  }

  get dialect(): Dialect | undefined {
    return this._login ? 'v2' : undefined
  }
  get login(): LoginInfo | undefined {
    return this._login
  }
  get status(): ConnectionStatus {
    return this._status
  }
  get delayMs(): number | undefined {
    return this.lastDelay
  }
  get isOnline(): boolean {
    return this._status.state === 'online'
  }
  get droppedFrames(): number {
    return this.dropped
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    if (this.running) return
    this.running = true
    this.attempt = 0
    this.everOnline = false
    this.dial()
  }

  /** Closes the link for good (a Socket.IO DISCONNECT first); replies in flight end as interrupted. */
  stop(): void {
    this.running = false
    this.generation++
    clearTimeout(this.reconnectTimer)
    this.teardown()
    this.pending.failAll(new TransportError('closed', coreText('disconnected')))
    this.interruptAll(coreText('disconnected'))
    this.setStatus({ state: 'offline' })
  }

  /**
   * Starts and resolves on the first successful login, or rejects with the reason in words. With
   * `failFast` (the login form is waiting) the first failed attempt rejects too; without it only a
   * final failure (refused credentials, not a Mio-Chat v2 server) does.
   */
  connect(opts: { failFast?: boolean } = {}): Promise<LoginInfo> {
    if (this.isOnline && this._login) return Promise.resolve(this._login)
    return new Promise((resolve, reject) => {
      const onStatus = (s: ConnectionStatus): void => {
        if (s.state === 'online' && this._login) {
          this.off('status', onStatus)
          resolve(this._login)
        } else if (s.state === 'failed' || (opts.failFast && s.state === 'reconnecting')) {
          this.off('status', onStatus)
          reject(new TransportError((s.errorKind as TransportError['kind'] | undefined) ?? 'unreachable', s.error ?? coreText('loginFailed')))
        }
      }
      this.on('status', onStatus)
      this.start()
    })
  }

  private setStatus(s: ConnectionStatus): void {
    if (this.lastDelay !== undefined && s.state === 'online') s = { ...s, delayMs: this.lastDelay }
    this._status = s
    this.emit('status', s)
  }

  private dial(): void {
    const gen = ++this.generation
    this.phase = 'opening'
    this.setStatus({ state: 'connecting', attempt: this.attempt })
    if (!this.o.id.trim()) return this.fatal(new TransportError('auth', coreText('needUserId')))
    let target: { origin: string; path: string }
    try {
      target = v2SocketTarget(this.o.server)
    } catch (e) {
      return this.fatal(e instanceof TransportError ? e : new TransportError('unreachable', coreText('serverAddressInvalid')))
    }
    const sock = io(target.origin, {
      path: target.path,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      autoConnect: false,
      // Our own timer below decides; this one only keeps the engine from waiting forever.
      timeout: this.o.connectTimeoutMs + 1000,
      auth: v2Auth(this.o.id, this.o.token)
    })
    this.sock = sock
    this.connectTimer = setTimeout(() => {
      if (gen !== this.generation) return
      this.onFailure(
        gen,
        this.phase === 'joined'
          ? new TransportError(
              this.everOnline ? 'timeout' : 'protocol',
              `The server accepted the connection but sent no login within ${this.o.connectTimeoutMs / 1000} s: it is probably not a Mio-Chat server`
            )
          : new TransportError('timeout', coreText('acceptTimeout', { s: String(this.o.connectTimeoutMs / 1000) }))
      )
    }, this.o.connectTimeoutMs)
    sock.on('connect', () => {
      if (gen !== this.generation) return
      this.phase = 'joined'
      this.setStatus({ state: 'authenticating' })
    })
    sock.on('connect_error', (err: Error & { data?: unknown; description?: unknown }) => {
      if (gen !== this.generation) return
      if ('data' in err) {
        // A CONNECT_ERROR from the server: its middleware refused the handshake.
        const refusal = authRefusal(err.message)
        if (refusal) return this.onFailure(gen, refusal)
        return this.onFailure(gen, new TransportError('server', coreText('serverRefusedWhy', { why: firstLine(err.message) || coreText('noReasonGiven') })))
      }
      this.onFailure(gen, describeEngineError(err, this.o.connectTimeoutMs))
    })
    sock.on('disconnect', (reason: string) => {
      if (gen !== this.generation) return
      this.onFailure(gen, describeDisconnect(reason))
    })
    sock.on('message', (arg: unknown) => {
      if (gen !== this.generation) return
      try {
        this.onMessage(gen, arg)
      } catch (e) {
        this.log.error(`v2 frame handler failed: ${errorMessage(e)}`)
      }
    })
    sock.connect()
  }

  private teardown(): void {
    clearTimeout(this.connectTimer)
    this.stopHeartbeat()
    const sock = this.sock
    this.sock = undefined
    if (!sock) return
    sock.removeAllListeners()
    sock.on('connect_error', () => {})
    try {
      sock.disconnect()
    } catch (e) {
      this.log.debug(`closing the socket: ${errorMessage(e)}`)
    }
  }

  /** The link failed (or never came up): retry with backoff, or fail for good on refused credentials. */
  private onFailure(gen: number, err: TransportError): void {
    if (gen !== this.generation) return
    this.generation++
    this.teardown()
    if (err.kind === 'auth' || (!this.everOnline && err.kind === 'protocol')) return this.fatal(err)
    this.pending.failAll(new TransportError('closed', coreText('requestNotCompleted', { why: err.message })))
    this.linkLost()
    if (!this.running) return this.setStatus({ state: 'offline' })
    const delay = backoffDelay(this.attempt++, this.backoff, this.random)
    this.log.info(`v2: reconnecting in ${delay} ms: ${err.message}`)
    this.setStatus({ state: 'reconnecting', attempt: this.attempt, retryInMs: delay, retryAt: Date.now() + delay, error: err.message, errorKind: err.kind })
    const next = this.generation
    this.reconnectTimer = setTimeout(() => {
      if (this.running && next === this.generation) this.dial()
    }, delay)
  }

  private fatal(err: TransportError): void {
    this.running = false
    this.generation++
    clearTimeout(this.reconnectTimer)
    this.teardown()
    this.pending.failAll(err)
    this.interruptAll(err.message)
    this.log.warn(`v2: giving up: ${err.message}`)
    this.setStatus({ state: 'failed', error: err.message, errorKind: err.kind })
  }

  /** Replies that cannot come back (no contactorId: the server keeps no copy) end now; the others wait for the next login. */
  private linkLost(): void {
    for (const s of [...this.streams.values()]) {
      for (const w of s.answers.values()) {
        clearTimeout(w.timer)
        w.reject(new TransportError('closed', coreText('answerLinkLost')))
      }
      s.answers.clear()
      if (s.contactorId) {
        s.awaitingReconnect = true
        clearTimeout(s.resumeTimer)
        s.awaitingResume = false
      } else this.endStream(s, s.assembler.interrupt(coreText('replyLinkLost')))
    }
  }

  // ------------------------------------------------------------------ login

  private async onLogin(gen: number, push: Extract<V2Incoming, { kind: 'login-push' }>['login']): Promise<void> {
    clearTimeout(this.connectTimer)
    const [base, tools] = await Promise.all([this.fetchBaseInfo(), this.fetchToolNames()])
    if (gen !== this.generation) return
    if (tools) this.serverTools = tools
    const providers = push.providers ?? []
    if (base) for (const p of providers) if (!p.defaultModel && base.defaults[p.name]) p.defaultModel = base.defaults[p.name]
    const login: LoginInfo = {
      ...push,
      dialect: 'v2',
      adminQq: base?.adminQq || this._login?.adminQq || '',
      botQq: base?.botQq || this._login?.botQq || ''
    }
    const serverName = base?.title || this._login?.serverName
    if (serverName) login.serverName = serverName
    const dm = defaultModelOf(providers)
    if (dm) login.defaultModel = dm
    const previousBoot = this.bootId
    this._login = login
    this.bootId = login.bootId
    this.seenIds.clear()
    this.phase = 'online'
    this.attempt = 0
    this.everOnline = true
    if (previousBoot && login.bootId && previousBoot !== login.bootId) {
      this.log.warn('v2: the server restarted (new bootId): replies in flight are lost')
      this.pendingAcks.clear()
      for (const s of [...this.streams.values()]) this.endStream(s, s.assembler.interrupt(coreText('replyServerRestarted')))
    }
    try {
      this.emit('login', login)
    } catch (e) {
      // A listener's fault must not leave the connection half logged in.
      this.log.error(`v2: a login listener failed: ${errorMessage(e)}`)
    }
    this.setStatus({ state: 'online' })
    this.startHeartbeat()
    this.resumeOwnStreams(login.pendingTasks ?? [])
    this.flushAcks()
  }

  /**
   * `GET /api/openai/tools`: the full names of the tools the server offers (`<base>_mid_<hash>`, they change
   * when a tool changes). A completion whose contact names no tools offers all of them, as the server's own
   * tools are what a user of the web client picks from.
   */
  private async fetchToolNames(): Promise<string[] | undefined> {
    try {
      const url = new URL('/api/openai/tools', v2HttpBase(this.o.server))
      const res = await (this.o.fetch ?? fetch)(url, { signal: AbortSignal.timeout(this.o.baseInfoTimeoutMs) })
      if (!res.ok) return undefined
      return parseToolNames(await res.json())
    } catch (e) {
      this.log.debug(`v2: no /api/openai/tools: ${errorMessage(e)}`)
      return undefined
    }
  }

  /**
   * The tools a completion offers: every tool the server lists when the contact names none; else each named
   * tool by its full name, or by its name without the definition hash (`bash` → `bash_mid_3fcaad`), which
   * changes whenever the server's tool changes.
   */
  private resolveTools(names: unknown): string[] {
    if (!Array.isArray(names)) return [...this.serverTools]
    const out: string[] = []
    for (const n of names) {
      if (typeof n !== 'string' || !n) continue
      if (this.serverTools.includes(n) || this.serverTools.length === 0) out.push(n)
      else for (const full of this.serverTools) if (toolBaseName(full) === n) out.push(full)
    }
    return [...new Set(out)]
  }

  /** The server's tools' full names, as last listed. */
  get tools(): string[] {
    return [...this.serverTools]
  }

  private async fetchBaseInfo(): Promise<ReturnType<typeof parseBaseInfo>> {
    try {
      const url = new URL('/api/base_info', v2HttpBase(this.o.server))
      const res = await (this.o.fetch ?? fetch)(url, { signal: AbortSignal.timeout(this.o.baseInfoTimeoutMs) })
      if (!res.ok) return undefined
      return parseBaseInfo(await res.json())
    } catch (e) {
      this.log.debug(`v2: no /api/base_info: ${errorMessage(e)}`)
      return undefined
    }
  }

  /** After a reconnect: ask for every reply of ours the server still keeps; end the ones it does not. */
  private resumeOwnStreams(pendingTasks: string[]): void {
    const kept = new Set(pendingTasks)
    const asked = new Set<string>()
    for (const s of [...this.streams.values()]) {
      if (!s.awaitingReconnect) continue
      s.awaitingReconnect = false
      if (!s.contactorId || !kept.has(s.contactorId)) {
        this.endStream(s, s.assembler.interrupt(coreText('replyLostWhileDown')))
        continue
      }
      if (!asked.has(s.contactorId)) {
        asked.add(s.contactorId)
        try {
          this.sendFrame(v2EnterChatFrame(newRequestId(), s.contactorId))
        } catch (e) {
          this.endStream(s, s.assembler.interrupt(coreText('resumeFailedWhy', { why: errorMessage(e) })))
          continue
        }
      }
      s.awaitingResume = true
      clearTimeout(s.resumeTimer)
      s.resumeTimer = setTimeout(() => {
        if (s.awaitingResume && this.streams.get(s.messageId) === s) this.endStream(s, s.assembler.interrupt(coreText('replyNotResumed')))
      }, this.o.resumeTimeoutMs)
    }
  }

  // ------------------------------------------------------------------ heartbeat

  private heartbeat(): Promise<unknown> {
    const id = `hb${newRequestId()}`
    const p = this.pending.add(id, this.o.heartbeatIntervalMs * 2, 'heartbeat')
    try {
      this.sendFrame(v2HeartbeatFrame(id))
    } catch (e) {
      this.pending.reject(id, e as Error)
    }
    return p
  }

  /** Sends one heartbeat now and resolves with the round trip in ms. */
  async ping(): Promise<number> {
    this.requireOnline()
    const t0 = performance.now()
    await this.heartbeat()
    return Math.round((performance.now() - t0) * 10) / 10
  }

  private startHeartbeat(): void {
    this.stopHeartbeat()
    const gen = this.generation
    this.beats = new HeartbeatLoop({
      intervalMs: this.o.heartbeatIntervalMs,
      maxMissed: this.o.maxMissedHeartbeats,
      beat: () => this.heartbeat(),
      onAnswer: (rtt) => {
        if (gen !== this.generation) return
        this.lastDelay = rtt
        this.emit('delay', rtt)
        if (this._status.state === 'online') this.setStatus({ state: 'online' })
      },
      onDead: (missed) => {
        if (gen !== this.generation) return
        this.log.warn(`v2: no answer to ${missed} heartbeats in a row: the link is dead`)
        this.onFailure(gen, new TransportError('timeout', coreText('heartbeatsUnanswered')))
      }
    })
    this.beats.start()
  }

  private stopHeartbeat(): void {
    this.beats?.stop()
    this.beats = undefined
  }

  // ------------------------------------------------------------------ incoming

  private onMessage(gen: number, arg: unknown): void {
    // any frame proves the link (as on the raw WebSocket)
    if (gen === this.generation) this.beats?.alive()
    const f = decodeV2Message(arg)
    if (!f.ok) return this.drop(f.reason)
    const c = classifyV2(f.frame)
    switch (c.kind) {
      case 'login-push':
        if (this.phase === 'joined') {
          this.phase = 'online'
          void this.onLogin(gen, c.login)
        } else this.log.debug('v2: ignored a second login push')
        return
      case 'models-updated':
        return this.onModelsUpdated(c.providers)
      case 'reply':
        return this.onReply(c.requestId, c.frame)
      case 'interact-error':
        return this.onInteractError(c.interactionId, c.error)
      case 'title':
        this.emit('title', { contactorId: c.contactorId, title: c.title })
        return
      case 'presets':
        // The answer to get_presets, or the push at a first login (its own request id).
        this.serverPresets = c.presets
        if (c.requestId !== undefined) this.pending.resolve(c.requestId, f.frame)
        this.emit('catalog', 'presets')
        return
      case 'catalog':
        return this.onCatalogChanged(c.what)
      case 'onebot-message':
        if (this.seenIds.seen(c.messageId)) return
        // A forward push carries no id: it came to this connection, so it is ours.
        this.emit('message', { contactId: c.contactId || this.o.id, messageId: c.messageId, segments: c.segments })
        return
      case 'onebot-delete':
        this.emit('deleted', c.messageId)
        return
      case 'response':
        if (!this.pending.resolve(c.requestId, c.frame)) this.log.debug(`v2: late or unknown reply ${JSON.stringify(c.requestId)} ignored`)
        return
      case 'bad':
        return this.drop(c.reason)
    }
  }

  /** An admin reloaded the presets or a plugin (the server says so twice per plugin reload): list them again. */
  private onCatalogChanged(what: 'presets' | 'tools'): void {
    if (what === 'presets') {
      this.serverPresets = undefined
      this.emit('catalog', 'presets')
      return
    }
    const gen = this.generation
    void this.fetchToolNames().then((tools) => {
      if (gen !== this.generation || !tools) return
      this.serverTools = tools
      this.emit('catalog', 'tools')
    })
  }

  private onModelsUpdated(providers: ModelProvider[]): void {
    const l = this._login
    if (!l) return
    const before = new Map((l.providers ?? []).map((p) => [p.name, p]))
    for (const p of providers) {
      const old = before.get(p.name)
      if (!p.meta && old?.meta) p.meta = old.meta
      if (!p.defaultModel && old?.defaultModel) p.defaultModel = old.defaultModel
    }
    const next: LoginInfo = { ...l, providers, models: flattenProviders(providers) }
    const dm = defaultModelOf(providers)
    if (dm) next.defaultModel = dm
    this._login = next
    this.emit('login', next)
  }

  private onReply(requestId: RequestId, frame: Json): void {
    if (frame.message === 'sync') return this.onSync(frame)
    const s = this.streams.get(String(requestId))
    if (!s) {
      this.log.debug(`v2: frame for a reply that is not streaming here (${JSON.stringify(requestId)}) ignored`)
      return
    }
    s.awaitingResume = false
    clearTimeout(s.resumeTimer)
    const change = applyV2Frame(s.assembler, frame)
    if (s.answers.size && answerSettled(frame)) this.settleAnswers(s)
    if (s.assembler.done) return this.endStream(s, change)
    this.armIdle(s)
    if (change.changed) this.notify(s, change)
  }

  private onSync(frame: Json): void {
    const d = isObject(frame.data) ? frame.data : {}
    const messageId = scalarText(d.messageId) || scalarText(frame.request_id)
    if (!messageId) return this.drop('sync snapshot without a messageId')
    const meta = isObject(d.metaData) ? d.metaData : {}
    const s = this.streams.get(messageId)
    if (s) {
      s.awaitingResume = false
      clearTimeout(s.resumeTimer)
      const change = restoreV2Snapshot(s.assembler, d)
      if (s.assembler.done) return this.endStream(s, change)
      this.armIdle(s)
      if (change.changed) this.notify(s, change)
      return
    }
    // A reply this connection has no stream for: another device's, or one from before the app restarted.
    const contactorId = typeof meta.contactorId === 'string' ? meta.contactorId : ''
    const r = this.newStream(messageId, contactorId || undefined, () => {})
    restoreV2Snapshot(r.assembler, d)
    const resumed: ResumedReply = {
      contactorId,
      messageId,
      reply: r.assembler.reply,
      handle: r.handle,
      listen: (listener) => {
        r.listener = listener
      }
    }
    if (r.assembler.done) {
      this.streams.delete(messageId)
      clearTimeout(r.idleTimer)
      r.idleTimer = undefined
      r.resolve(r.assembler.reply)
      this.emit('resumed', resumed)
      if (this.o.autoAck && contactorId) this.ack(contactorId, messageId)
      return
    }
    this.armIdle(r)
    this.emit('resumed', resumed)
  }

  private onInteractError(interactionId: string | undefined, error: string): void {
    this.log.warn(`v2: the server did not take an answer: ${error}`)
    for (const s of this.streams.values()) {
      const ids = interactionId ? [interactionId] : [...s.answers.keys()]
      for (const id of ids) {
        const w = s.answers.get(id)
        if (!w) continue
        s.answers.delete(id)
        clearTimeout(w.timer)
        w.reject(new TransportError('server', coreText('answerRefusedWhy', { why: String(error) })))
      }
    }
  }

  private drop(reason: string): void {
    this.dropped++
    this.log.warn(`v2: dropped a frame from the server: ${reason}`)
    this.emit('dropped', reason)
  }



  // ------------------------------------------------------------------ sending

  private requireOnline(): void {
    if (!this.isOnline || !this.sock?.connected) throw new TransportError('offline', coreText('notConnected'))
  }

  /**
   * Emits one event after the gate: what goes out is the argument's JSON form (exactly what the gate
   * checked), never a shape that crashes the server.
   */
  private emitSafe(event: V2Event, arg: unknown): void {
    const sock = this.sock
    if (!sock || !sock.connected) throw new TransportError('offline', coreText('notConnected'))
    const wire = v2WireValue(arg)
    if (typeof wire === 'string' && wire.length > V2_MAX_PAYLOAD - 64) {
      throw new TransportError('protocol', `The message is too large for the server (over ${Math.floor(V2_MAX_PAYLOAD / 1_048_576)} MB)`)
    }
    const unsafe = v2UnsafeReason(event, wire)
    if (unsafe) throw new TransportError('unsupported', `Refused to send ${unsafe} to this server: it would crash it or misread it`)
    this.sentEvents++
    sock.emit(event, wire)
  }

  /** Sends an app frame: the JSON text of `frame` as the argument of a `message` event. */
  private sendFrame(frame: Json): void {
    let text: string
    try {
      text = JSON.stringify(frame)
    } catch {
      throw new TransportError('protocol', coreText('cannotEncode'))
    }
    this.emitSafe('message', text)
  }

  private async request(frame: Json, label: string): Promise<Json> {
    const id = frame.request_id as RequestId
    const reply = this.pending.add<Json>(id, this.o.requestTimeoutMs, label)
    return sendAndAwait(reply, () => this.sendFrame(frame), (e) => this.pending.reject(id, e))
  }

  /** Messages to the bot go out under the user's own id (the server routes by it). */
  onebotTarget(): string {
    return this.o.id
  }

  async sendMessage(contactId: string, segments: Segment[]): Promise<string> {
    this.requireOnline()
    // Callers across IPC are untyped: only a list of segments is a message (anything else would be sent as an empty one).
    if (!Array.isArray(segments)) throw new TransportError('protocol', coreText('needSegments'))
    const r = await this.request(v2SendMessageFrame(newRequestId(), String(contactId), segments, this.o.id), 'message')
    const d = isObject(r.data) ? r.data : {}
    const id = d.message_id
    if (typeof id === 'string' || typeof id === 'number') {
      this.seenIds.seen(String(id))
      return String(id)
    }
    throw new TransportError('protocol', coreText('noMessageId'))
  }

  /** v2 has no recall request for clients. */
  async recall(...args: [contactId: string, messageId: string | number]): Promise<void> {
    void args
    throw UNSUPPORTED(coreText('opRecall'))
  }

  /** v2 has no forward request for clients. */
  async forward(...args: [contactId: string, nodes: { message_id: string | number; message: Segment[] }[]]): Promise<string | undefined> {
    void args
    throw UNSUPPORTED(coreText('opForward'))
  }

  /** The server's presets ("agents") to start a model chat with (`get_presets`; cached until the server says they changed). */
  async presets(): Promise<MioPreset[]> {
    if (this.serverPresets) return this.serverPresets
    this.requireOnline()
    await this.request(v2PresetsFrame(newRequestId()), 'presets')
    return this.serverPresets ?? []
  }

  /** The models of the login push (there is no models request in this generation). */
  async models(): Promise<ModelGroup[]> {
    const m = this._login?.models
    if (m) return m
    throw new TransportError('offline', coreText('modelsWithLogin'))
  }

  /** Shares a bot contact: `POST /api/share/set {contactor}` → an absolute share link (no preview). */
  async share(contactor: Record<string, unknown>, timeoutMs = 10_000): Promise<ShareResult> {
    this.requireOnline()
    const base = v2HttpBase(this.o.server)
    return postShare(new URL('/api/share/set', base), base, contactor, this.o.fetch ?? fetch, timeoutMs)
  }

  /**
   * Stops a reply by its message id with the `interruptGeneration` event (e.g. one started on another
   * device). Streams this client started stop with `handle.abort()` (the abort frame).
   */
  interrupt(messageId: string, contactorId?: string): void {
    this.requireOnline()
    this.emitSafe('interruptGeneration', v2InterruptArg(messageId, contactorId))
  }

  /** Asks for the replies the server keeps for `contactorId` (`enter_chat`): they come as `resumed` events or merge into open streams. */
  resume(contactorId: string): void {
    this.requireOnline()
    if (typeof contactorId !== 'string' || !contactorId) throw new TransportError('protocol', coreText('resumeNeedsId'))
    this.sendFrame(v2EnterChatFrame(newRequestId(), contactorId))
  }

  /**
   * The reply `messageId` of `contactorId` is stored locally: the server may forget it
   * (`ack_message`). Queued while offline and sent after the next login (a restarted server has
   * forgotten it anyway). Call it once the reply has ended and is stored.
   */
  ack(contactorId: string, messageId: string): void {
    if (typeof contactorId !== 'string' || !contactorId || typeof messageId !== 'string' || !messageId) return
    const key = JSON.stringify([contactorId, messageId])
    if (this.isOnline) {
      try {
        this.sendFrame(v2AckFrame(newRequestId(), contactorId, messageId))
        this.pendingAcks.delete(key)
        return
      } catch (e) {
        this.log.debug(`v2: ack queued: ${errorMessage(e)}`)
      }
    }
    this.pendingAcks.set(key, { contactorId, messageId })
  }

  private flushAcks(): void {
    for (const [key, a] of [...this.pendingAcks]) {
      try {
        this.sendFrame(v2AckFrame(newRequestId(), a.contactorId, a.messageId))
        this.pendingAcks.delete(key)
      } catch {
        return
      }
    }
  }

  // ------------------------------------------------------------------ completions

  /**
   * Starts a completion: `request_id` = `req.messageId` (a new id when absent). `listener` gets every
   * change; `done` resolves with the final reply. A dropped link keeps a reply that has a contactorId
   * open until the reconnect brings it back (or says it is gone); without one it ends as interrupted.
   */
  complete(req: CompletionRequest, listener: StreamListener = () => {}): StreamHandle {
    this.requireOnline()
    const fallback = newRequestId()
    const frame = v2CompletionFrame(req && typeof req === 'object' ? { ...req, tools: this.resolveTools(req.tools) } : req, { providers: this._login?.providers, fallbackMessageId: fallback })
    const messageId = String(frame.request_id)
    if (this.streams.has(messageId)) throw new TransportError('protocol', coreText('replyIdBusy'))
    const contactorId = (frame.metaData as Json).contactorId as string | undefined
    const s = this.newStream(messageId, contactorId, listener)
    try {
      this.sendFrame(frame)
    } catch (e) {
      this.endStream(s, s.assembler.interrupt(e instanceof Error ? e.message : coreText('couldNotSend')))
    }
    return s.handle
  }

  private newStream(messageId: string, contactorId: string | undefined, listener: StreamListener): ActiveStream {
    const assembler = new ReplyAssembler(messageId)
    let resolve!: (r: AiReply) => void
    const done = new Promise<AiReply>((r) => (resolve = r))
    const s: ActiveStream = {
      messageId,
      contactorId,
      assembler,
      listener,
      resolve,
      answers: new Map(),
      handle: {
        requestId: messageId,
        reply: assembler.reply,
        done,
        abort: () => this.abortStream(messageId),
        answer: (interactionId, approved, reason) => this.answer(messageId, interactionId, approved, reason)
      }
    }
    this.streams.set(messageId, s)
    this.armIdle(s)
    return s
  }

  private abortStream(messageId: string): void {
    const s = this.streams.get(messageId)
    if (!s) return
    if (this.isOnline) {
      try {
        this.sendFrame(v2AbortFrame(messageId))
      } catch (e) {
        this.log.warn(`v2: could not send the abort: ${errorMessage(e)}`)
      }
    }
    this.endStream(s, s.assembler.abort())
  }

  /** Answers the reply's open question with `tool:interact` (always with a payload object). */
  private answer(messageId: string, interactionId: string, approved: boolean, reason?: string): Promise<void> {
    const s = this.streams.get(messageId)
    if (!s) return Promise.reject(new TransportError('protocol', coreText('replyEndedNoQuestion')))
    const a = s.assembler.reply.approval
    if (!a || a.interactionId !== interactionId) return Promise.reject(new TransportError('protocol', coreText('noSuchQuestion')))
    if (a.state !== 'waiting') return Promise.reject(new TransportError('protocol', coreText('alreadyAnswered')))
    try {
      this.requireOnline()
      this.emitSafe('tool:interact', v2InteractArg(interactionId, messageId, approved === true, typeof reason === 'string' ? reason : undefined))
    } catch (e) {
      return Promise.reject(e)
    }
    const change = s.assembler.answerApproval(interactionId, approved === true)
    this.armIdle(s)
    if (change.changed) this.notify(s, change)
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        s.answers.delete(interactionId)
        resolve()
      }, this.o.answerTimeoutMs)
      s.answers.set(interactionId, { resolve, reject, timer })
    })
  }

  private settleAnswers(s: ActiveStream): void {
    for (const w of s.answers.values()) {
      clearTimeout(w.timer)
      w.resolve()
    }
    s.answers.clear()
  }

  /** (Re)starts the stream's idle timeout; called on every frame of the stream. */
  private armIdle(s: ActiveStream): void {
    // The server waits for the user without a timeout: so does the reply.
    if (s.assembler.reply.approval?.state === 'waiting') {
      clearTimeout(s.idleTimer)
      s.idleTimer = undefined
      return
    }
    s.idleTimer = restartTimer(
      s.idleTimer,
      () => {
        if (this.streams.get(s.messageId) === s) this.endStream(s, s.assembler.interrupt(coreText('replyStopped')))
      },
      this.o.streamIdleTimeoutMs
    )
  }

  private endStream(s: ActiveStream, change: ApplyResult): void {
    clearTimeout(s.idleTimer)
    s.idleTimer = undefined
    clearTimeout(s.resumeTimer)
    if (this.streams.get(s.messageId) === s) this.streams.delete(s.messageId)
    this.settleAnswers(s)
    this.notify(s, change)
    s.resolve(s.assembler.reply)
    if (this.o.autoAck && s.contactorId && s.assembler.reply.status !== 'interrupted') this.ack(s.contactorId, s.messageId)
  }

  private notify(s: ActiveStream, change: ApplyResult): void {
    try {
      s.listener(s.assembler.reply, change)
    } catch (e) {
      this.log.error(`stream listener failed: ${errorMessage(e)}`)
    }
  }

  private interruptAll(reason: string): void {
    for (const s of [...this.streams.values()]) this.endStream(s, s.assembler.interrupt(reason))
  }
}

/** A frame after which an answer sent before it has been taken (a tool round moved on, or the reply ended). */
function answerSettled(frame: Json): boolean {
  if (frame.message !== 'update') return frame.message === 'pending' || frame.message === 'complete' || frame.message === 'failed'
  const d = isObject(frame.data) ? frame.data : {}
  return d.type === 'toolCall' && isObject(d.content) && (d.content.action === 'finished' || d.content.action === 'failed')
}
