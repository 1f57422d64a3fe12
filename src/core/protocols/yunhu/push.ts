/**
 * The Yunhu (云湖) push WebSocket over the shared ManagedSocket transport: JSON login and heartbeat
 * frames out, protobuf frames in (decoded by the codec, dispatched on info.cmd), streamed replies
 * assembled per msg_id. Reconnect, backoff, dead-link detection and request failure on a drop are
 * the transport's (the same rules as the Mio-Chat connection).
 */
import { coreText } from '../../../shared/core-text'
import { EventEmitter } from 'node:events'
import { randomBytes } from 'node:crypto'
import { ManagedSocket } from '../../transport/socket'
import { TransportError, errorMessage } from '../../transport/errors'
import type { BackoffOptions } from '../../transport/backoff'
import { redact, silentLogger, type Logger } from '../../log'
import { decodeWsFrame, isCodecError } from './codec/yunhu'
import type { ConnectionStatus } from '../../../shared/connection'
import type { YunhuPushEvent, YunhuPushMessage, YunhuStreamMessage } from '../../../shared/yunhu'
import {
  YUNHU_DEFAULT_WS,
  YUNHU_PLATFORMS,
  type YunhuPlatform,
  type YunhuPushUpdate,
  type YunhuStreamUpdate
} from '../../../shared/yunhu-api'

/** What the server says to a refused login or to data sent before login. */
export const YUNHU_INVALID_DATA = '数据不合法'

export interface YunhuPushOptions {
  /** Default wss://chat-ws-go.jwzhd.com/ws */
  url?: string
  userId: string
  token: string
  /** Stable per install (the caller stores it). */
  deviceId: string
  /** One of the allowed values (case-sensitive); default from the OS. */
  platform?: YunhuPlatform
  /** Default 30 s (as the SDK). The link is dead after `maxMissedHeartbeats` unanswered. */
  heartbeatIntervalMs?: number
  maxMissedHeartbeats?: number
  /** Login has no reply: the handshake is done when the socket stays open this long, or a frame arrives. Default 300. */
  loginSettleMs?: number
  connectTimeoutMs?: number
  handshakeTimeoutMs?: number
  requestTimeoutMs?: number
  backoff?: BackoffOptions
  /** Streams remembered for assembly (oldest forgotten first). Default 500. */
  maxStreams?: number
  logger?: Logger
  random?: () => number
  /** Frame seq generator (uuid4 hex by default). */
  newSeq?: () => string
}

export interface YunhuPushEvents {
  status: [ConnectionStatus]
  delay: [number]
  online: []
  /** Every decoded event except heartbeat acks and unknown cmds; streams carry the assembled text. */
  update: [YunhuPushUpdate]
  /** A frame was dropped (undecodable or unknown cmd; already logged). */
  dropped: [string]
  /** The server refused the login ("数据不合法"): no more reconnects. */
  'auth-failed': [TransportError]
}

export function defaultYunhuPlatform(p: NodeJS.Platform = process.platform): YunhuPlatform {
  return p === 'win32' ? 'windows' : p === 'darwin' ? 'macos' : p === 'android' ? 'android' : 'linux'
}

export function newYunhuSeq(): string {
  return randomBytes(16).toString('hex')
}

export function loginFrame(seq: string, o: { userId: string; token: string; platform: string; deviceId: string }): string {
  return JSON.stringify({ seq, cmd: 'login', data: { userId: o.userId, token: o.token, platform: o.platform, deviceId: o.deviceId } })
}

export function heartbeatFrame(seq: string): string {
  return JSON.stringify({ seq, cmd: 'heartbeat', data: {} })
}

export function draftFrame(seq: string, chatId: string, input: string, deviceId: string): string {
  return JSON.stringify({ seq, cmd: 'inputInfo', data: { chatId, input, deviceId } })
}

/**
 * Is this frame the server's "数据不合法" (as text or as binary) — the whole frame, not a frame that happens to
 * contain the words (a chat message quoting them is not a refusal)?
 */
export function isInvalidDataFrame(data: string | Uint8Array): boolean {
  if (typeof data !== 'string') {
    if (data.length > 64) return false
    data = Buffer.from(data.buffer, data.byteOffset, data.length).toString('utf8')
  }
  const t = data.trim()
  return t === YUNHU_INVALID_DATA || t === JSON.stringify(YUNHU_INVALID_DATA)
}

interface StreamEntry {
  message: YunhuPushMessage
  text: string
}

/**
 * Assembles streamed replies: push_message starts a message, each stream_message with the same
 * msg_id appends its content. Bounded: the oldest entries are forgotten first.
 */
export class YunhuStreamAssembler {
  private readonly map = new Map<string, StreamEntry>()
  constructor(private readonly max = 500) {}

  get size(): number {
    return this.map.size
  }

  /** A new (or re-sent) message: its text is the base for later chunks. */
  start(message: YunhuPushMessage): void {
    if (!message.msg_id) return
    this.map.delete(message.msg_id)
    this.map.set(message.msg_id, { message, text: message.content?.text ?? '' })
    this.trim()
  }

  /** An edit replaces the text of a message being assembled. */
  edit(message: YunhuPushMessage): void {
    const e = message.msg_id ? this.map.get(message.msg_id) : undefined
    if (e && message.content?.text !== undefined) e.text = message.content.text
  }

  forget(msgId: string | undefined): void {
    if (msgId) this.map.delete(msgId)
  }

  /** Appends a chunk; returns the assembled text and message. */
  append(s: YunhuStreamMessage): { text: string; assembled: YunhuPushMessage } {
    const id = s.msg_id ?? ''
    let e = this.map.get(id)
    if (!e) {
      // The start was missed (e.g. it came before a reconnect): begin from the chunk alone.
      const message: YunhuPushMessage = { msg_id: id }
      if (s.recv_id) message.recv_id = s.recv_id
      if (s.chat_id) message.chat_id = s.chat_id
      e = { message, text: '' }
      if (id) this.map.set(id, e)
      this.trim()
    }
    e.text += s.content ?? ''
    return { text: e.text, assembled: { ...e.message, content: { ...e.message.content, text: e.text } } }
  }

  private trim(): void {
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string)
  }
}

export class YunhuPush extends EventEmitter<YunhuPushEvents> {
  readonly socket: ManagedSocket
  readonly platform: YunhuPlatform
  private readonly o: YunhuPushOptions
  private readonly log: Logger
  private readonly newSeq: () => string
  private readonly streams: YunhuStreamAssembler
  /** Heartbeat seqs sent and not yet acknowledged, oldest first. */
  private readonly heartbeats: string[] = []
  private loginWaiter?: { resolve: () => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }
  private dropped = 0
  private decoded = 0

  constructor(options: YunhuPushOptions) {
    super()
    const platform = options.platform ?? defaultYunhuPlatform()
    if (!(YUNHU_PLATFORMS as readonly string[]).includes(platform)) {
      throw new TransportError('auth', `"${platform}" is not a Yunhu platform: use one of ${YUNHU_PLATFORMS.join(', ')}`)
    }
    this.platform = platform
    this.o = options
    this.log = options.logger ?? silentLogger
    this.newSeq = options.newSeq ?? newYunhuSeq
    this.streams = new YunhuStreamAssembler(options.maxStreams ?? 500)
    const interval = options.heartbeatIntervalMs ?? 30_000
    this.socket = new ManagedSocket({
      url: options.url ?? YUNHU_DEFAULT_WS,
      heartbeatIntervalMs: interval,
      maxMissedHeartbeats: options.maxMissedHeartbeats ?? 2,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      backoff: options.backoff,
      logger: this.log,
      random: options.random,
      handshake: () => this.handshake(),
      heartbeat: () => this.heartbeat(interval * 2),
      onFrame: (data, isBinary) => this.onFrame(data, isBinary)
    })
    this.socket.on('status', (s) => this.emit('status', s))
    this.socket.on('delay', (d) => this.emit('delay', d))
    this.socket.on('online', () => this.emit('online'))
    this.socket.on('down', (err) => {
      this.heartbeats.length = 0
      if (err.kind === 'auth') this.emit('auth-failed', err)
    })
  }

  get status(): ConnectionStatus {
    return this.socket.status
  }

  get droppedFrames(): number {
    return this.dropped
  }

  get decodedFrames(): number {
    return this.decoded
  }

  start(): void {
    this.socket.start()
  }

  stop(): void {
    this.socket.stop()
    this.heartbeats.length = 0
  }

  /** Starts and resolves when online (the login frame sent and not refused), or rejects with the reason. */
  connect(): Promise<void> {
    return this.socket.connect()
  }

  // ------------------------------------------------------------------ handshake and heartbeat

  private handshake(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const seq = this.newSeq()
      const frame = loginFrame(seq, { userId: this.o.userId, token: this.o.token, platform: this.platform, deviceId: this.o.deviceId })
      this.log.debug('Yunhu push login', redact(JSON.parse(frame)))
      const waiter = { resolve, reject, timer: undefined as unknown as ReturnType<typeof setTimeout> }
      // Bound to this attempt: a timer left from an earlier link never settles a later login.
      waiter.timer = setTimeout(() => {
        if (this.loginWaiter === waiter) this.finishLogin()
      }, this.o.loginSettleMs ?? 300)
      this.loginWaiter = waiter
      try {
        this.socket.send(frame)
      } catch (e) {
        clearTimeout(waiter.timer)
        this.loginWaiter = undefined
        reject(e)
      }
    })
  }

  private finishLogin(err?: TransportError): void {
    const w = this.loginWaiter
    if (!w) return
    this.loginWaiter = undefined
    clearTimeout(w.timer)
    if (err) w.reject(err)
    else w.resolve()
  }

  private heartbeat(timeoutMs: number): Promise<unknown> {
    const seq = this.newSeq()
    this.heartbeats.push(seq)
    const p = this.socket.request(seq, heartbeatFrame(seq), { timeoutMs, label: 'heartbeat' })
    const done = (): void => {
      const i = this.heartbeats.indexOf(seq)
      if (i >= 0) this.heartbeats.splice(i, 1)
    }
    p.then(done, done)
    return p
  }

  /** Sends one heartbeat now and resolves with the round trip in ms. Fails at once if the link drops. */
  async ping(timeoutMs = (this.o.heartbeatIntervalMs ?? 30_000) * 2): Promise<number> {
    this.requireOnline()
    const t0 = performance.now()
    await this.heartbeat(timeoutMs)
    return Math.round((performance.now() - t0) * 10) / 10
  }

  /** Syncs the draft of a chat to the account's other devices (cmd inputInfo; the whole text). */
  sendDraft(chatId: string, input: string): void {
    this.requireOnline()
    this.socket.send(draftFrame(this.newSeq(), chatId, input, this.o.deviceId))
  }

  private requireOnline(): void {
    if (!this.socket.isOnline) throw new TransportError('offline', coreText('yunhuPushOffline'))
  }

  // ------------------------------------------------------------------ incoming

  private authFailure(): void {
    const err = new TransportError('auth', `The Yunhu server refused the login (${YUNHU_INVALID_DATA}): check the token, the user id and the platform`)
    this.log.warn(err.message)
    if (this.loginWaiter) {
      // During the handshake: the transport stops retrying and reports "failed".
      this.finishLogin(err)
      return
    }
    // After it: the transport stops for good, reports "failed" and emits `down` (→ auth-failed).
    this.socket.fail(err)
  }

  private onFrame(data: string | Buffer, isBinary: boolean): void {
    if (isInvalidDataFrame(isBinary ? (data as Buffer) : (data as string))) {
      // A refusal ends the session only while it can be the login's answer: once the session has taken
      // frames, the server refused one of ours (e.g. a heartbeat it did not like), not the login.
      if (this.loginWaiter || this.decoded === 0) return this.authFailure()
      return this.drop(`the server refused a frame (${YUNHU_INVALID_DATA}); the session goes on`)
    }
    if (!isBinary) return this.drop(`unexpected text frame: ${JSON.stringify((data as string).slice(0, 80))}`)
    const buf = data as Buffer
    let ev: YunhuPushEvent
    try {
      ev = decodeWsFrame(buf)
    } catch (e) {
      return this.drop(isCodecError(e) ? e.message : `undecodable frame: ${errorMessage(e)}`)
    }
    // Any decodable frame after the login frame means the login went through.
    if (this.loginWaiter) this.finishLogin()
    this.decoded++
    this.dispatch(ev)
  }

  private dispatch(ev: YunhuPushEvent): void {
    switch (ev.kind) {
      case 'heartbeat_ack': {
        if (ev.seq && this.socket.settle(ev.seq, ev)) return
        const oldest = this.heartbeats.shift()
        if (oldest !== undefined) this.socket.settle(oldest, ev)
        else this.log.debug('heartbeat_ack with no heartbeat outstanding')
        return
      }
      case 'unknown':
        return this.drop(`ignored a frame with unknown cmd ${JSON.stringify(ev.cmd)}`)
      // The codec's events already have the update shape ({kind, seq, cmd, message}, plus type_url).
      case 'push_message':
        this.streams.start(ev.message)
        return this.out(ev)
      case 'recall':
        this.streams.forget(ev.message.msg_id)
        return this.out(ev)
      case 'edit_message':
        this.streams.edit(ev.message)
        return this.out(ev)
      case 'stream_message': {
        const { text, assembled } = this.streams.append(ev.message)
        const u: YunhuStreamUpdate = { kind: 'stream_message', seq: ev.seq, cmd: ev.cmd, message: ev.message, text, assembled }
        return this.out(u)
      }
      case 'blocked_message':
      case 'bot_board_message':
      case 'draft_input':
      case 'live_video_user_hang_up':
      case 'invite_apply':
        return this.out(ev)
    }
  }

  private out(u: YunhuPushUpdate): void {
    try {
      this.emit('update', u)
    } catch (e) {
      this.log.error(`push listener failed: ${errorMessage(e)}`)
    }
  }

  private drop(reason: string): void {
    this.dropped++
    this.log.warn(`dropped a Yunhu push frame: ${reason}`)
    this.emit('dropped', reason)
  }
}
