import { EventEmitter } from 'node:events'
import { coreText } from '../../shared/core-text'
import WebSocket from 'ws'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff'
import { errorMessage, TransportError } from './errors'
import { PendingRequests, type RequestKey } from './pending'
import { HeartbeatLoop } from './heartbeat'
import { silentLogger, type Logger, redactUrl } from '../log'
import type { ConnectionState, ConnectionStatus } from '../../shared/connection'

export interface ManagedSocketOptions {
  /** The URL to dial; a function is re-evaluated on every attempt. */
  url: string | (() => string)
  headers?: Record<string, string>
  /** Time allowed for TCP + the HTTP upgrade. */
  connectTimeoutMs?: number
  /** Time allowed for the protocol's handshake (login) after the socket opens. */
  handshakeTimeoutMs?: number
  heartbeatIntervalMs?: number
  /** Heartbeats in a row without any incoming frame before the link is declared dead. */
  maxMissedHeartbeats?: number
  /** Frames above this size are dropped (logged, and told to `onDrop`), the link stays up. */
  maxFrameBytes?: number
  /** A frame was dropped here (over `maxFrameBytes`): the protocol counts and reports it like its own drops. */
  onDrop?: (reason: string) => void
  backoff?: BackoffOptions
  /** Default timeout for `request`. */
  requestTimeoutMs?: number
  /**
   * When the server never completes the upgrade on the first connect, fail for good with kind 'auth'
   * instead of retrying (the real Mio-Chat server answers a wrong code with silence). The message says
   * only what is known: no answer, which on such a server usually means a wrong access code.
   */
  upgradeTimeoutMeansAuth?: boolean
  logger?: Logger
  random?: () => number
  /** Runs after every open; resolve when logged in. Throw a TransportError of kind 'auth' to stop retrying. */
  handshake: (sock: ManagedSocket) => Promise<void>
  /** Sends one heartbeat and resolves when it is answered. */
  heartbeat?: (sock: ManagedSocket) => Promise<unknown>
  /** Every incoming frame (text as string, binary as Buffer) after the size check. */
  onFrame: (data: string | Buffer, isBinary: boolean) => void
}

export interface ManagedSocketEvents {
  status: [ConnectionStatus]
  delay: [number]
  online: []
  down: [TransportError]
}

/**
 * One reconnecting, heartbeating, request-correlating WebSocket — the transport both protocols share.
 * It knows nothing of frame formats: the protocol supplies the handshake, the heartbeat, and frame parsing,
 * and calls `settle()` when it recognises the reply to a request.
 */
export class ManagedSocket extends EventEmitter<ManagedSocketEvents> {
  readonly pending: PendingRequests
  private ws?: WebSocket
  private readonly o: Required<Omit<ManagedSocketOptions, 'headers' | 'heartbeat' | 'logger' | 'random' | 'onDrop'>> &
    Pick<ManagedSocketOptions, 'headers' | 'heartbeat' | 'onDrop'>
  private readonly log: Logger
  private readonly random: () => number
  private running = false
  private attempt = 0
  private everOnline = false
  private reconnectTimer?: ReturnType<typeof setTimeout>
  private beats?: HeartbeatLoop
  private _status: ConnectionStatus = { state: 'idle' }
  private lastDelay?: number
  private generation = 0

  constructor(options: ManagedSocketOptions) {
    super()
    this.o = {
      connectTimeoutMs: 4000,
      handshakeTimeoutMs: 4000,
      heartbeatIntervalMs: 3000,
      maxMissedHeartbeats: 2,
      maxFrameBytes: 8 * 1024 * 1024,
      backoff: DEFAULT_BACKOFF,
      requestTimeoutMs: 15_000,
      upgradeTimeoutMeansAuth: false,
      ...options
    }
    this.log = options.logger ?? silentLogger
    this.random = options.random ?? Math.random
    this.pending = new PendingRequests(this.log)
  }

  get status(): ConnectionStatus {
    return this._status
  }

  get isOnline(): boolean {
    return this._status.state === 'online'
  }

  /** The socket is open (possibly still logging in). */
  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN
  }

  get delayMs(): number | undefined {
    return this.lastDelay
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.attempt = 0
    this.everOnline = false
    this.dial()
  }

  /**
   * Starts (if needed) and resolves once online, or rejects with the reason when the link fails for good.
   * With `failFast` (adding an account: the user is waiting) the first failed attempt rejects too,
   * e.g. "Cannot reach the server: connection refused", instead of retrying in the background.
   */
  connect(opts: { failFast?: boolean } = {}): Promise<void> {
    if (this.isOnline) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const onStatus = (s: ConnectionStatus): void => {
        if (s.state === 'online') {
          this.off('status', onStatus)
          resolve()
        } else if (s.state === 'failed' || (opts.failFast && s.state === 'reconnecting')) {
          this.off('status', onStatus)
          reject(new TransportError((s.errorKind as TransportError['kind'] | undefined) ?? 'auth', s.error ?? coreText('loginFailed')))
        }
      }
      this.on('status', onStatus)
      this.start()
    })
  }

  /**
   * Ends the link for good with `err` (status 'failed', no reconnect): for failures the protocol
   * recognises after the handshake, e.g. credentials refused later on.
   */
  fail(err: TransportError): void {
    this.fatal(err)
  }

  /** Closes the link for good; pending requests fail with `reason`. */
  stop(reason = coreText('disconnected')): void {
    this.running = false
    this.generation++
    clearTimeout(this.reconnectTimer)
    this.stopHeartbeat()
    const ws = this.ws
    this.ws = undefined
    if (ws) {
      ws.removeAllListeners()
      ws.on('error', () => {})
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'client closing')
      else ws.terminate()
    }
    this.pending.failAll(new TransportError('closed', reason))
    this.setStatus({ state: 'offline' })
  }

  /** Drops the current link (e.g. a dead link detected from outside) and lets the reconnect logic run. */
  drop(reason: string): void {
    this.log.warn(`dropping link: ${reason}`)
    this.ws?.terminate()
  }

  /** Sends a raw frame; throws an `offline` TransportError when the socket is not open. */
  send(data: string | Uint8Array): void {
    const ws = this.ws
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      throw new TransportError('offline', coreText('notConnected'))
    }
    ws.send(data)
  }

  /** Sends `data` and waits for `settle(id, …)`; fails at once if the link drops. */
  request<T>(id: RequestKey, data: string | Uint8Array, opts: { timeoutMs?: number; label?: string } = {}): Promise<T> {
    try {
      this.send(data)
    } catch (e) {
      return Promise.reject(e)
    }
    return this.pending.add<T>(id, opts.timeoutMs ?? this.o.requestTimeoutMs, opts.label)
  }

  /** Registers a request id without sending (for protocols that send through another path). */
  expect<T>(id: RequestKey, opts: { timeoutMs?: number; label?: string } = {}): Promise<T> {
    return this.pending.add<T>(id, opts.timeoutMs ?? this.o.requestTimeoutMs, opts.label)
  }

  settle(id: RequestKey, value: unknown): boolean {
    return this.pending.resolve(id, value)
  }

  private setStatus(s: ConnectionStatus): void {
    if (this.lastDelay !== undefined && s.state === 'online') s = { ...s, delayMs: this.lastDelay }
    this._status = s
    this.emit('status', s)
  }

  private dial(): void {
    const gen = ++this.generation
    const url = typeof this.o.url === 'function' ? this.o.url() : this.o.url
    this.setStatus({ state: 'connecting', attempt: this.attempt })
    let ws: WebSocket
    try {
      // ws closes the link on a frame over maxPayload; above our own limit a frame is dropped with the link up, so
      // ws only bounds the memory one frame may take (well above the limit) and never decides for us below it.
      ws = new WebSocket(url, { headers: this.o.headers, maxPayload: Math.max(this.o.maxFrameBytes * 4, 64 * 1024 * 1024), perMessageDeflate: false })
    } catch (e) {
      this.onFailure(gen, new TransportError('unreachable', `Invalid server address: ${redactUrl(errorMessage(e))}`))
      return
    }
    this.ws = ws
    let opened = false
    let failure: TransportError | undefined
    const upgradeTimer = setTimeout(() => {
      // Silence is all we know: the real Mio-Chat server answers a wrong code that way, but so does a
      // stalled server. Kind 'auth' (no retry loop) stays; the words say what was seen.
      failure =
        this.o.upgradeTimeoutMeansAuth && !this.everOnline
          ? new TransportError(
              'auth',
              `No answer from the server within ${this.o.connectTimeoutMs / 1000} s (on a Mio-Chat server of the real/field kind this usually means a wrong access code)`
            )
          : new TransportError('timeout', coreText('acceptTimeout', { s: String(this.o.connectTimeoutMs / 1000) }))
      ws.terminate()
    }, this.o.connectTimeoutMs)

    ws.on('error', (err: Error & { code?: string }) => {
      if (!failure) failure = describeSocketError(err)
      this.log.debug(`socket error: ${redactUrl(err.message)}`)
    })
    ws.on('unexpected-response', (_req, res) => {
      failure =
        res.statusCode === 401 || res.statusCode === 403
          ? new TransportError('auth', coreText('connectionRefusedCreds'))
          : new TransportError(
              'unreachable',
              `The server refused the WebSocket upgrade (HTTP ${res.statusCode})${res.statusCode === 404 ? ': there is no gateway at this address' : ''}`
            )
      res.resume()
      ws.terminate()
    })
    ws.on('open', () => {
      clearTimeout(upgradeTimer)
      if (gen !== this.generation) return
      opened = true
      this.setStatus({ state: 'authenticating' })
      // A failed handshake is the reason the link closes, not "connection lost".
      this.runHandshake(gen, ws, (err) => (failure = err))
    })
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (gen !== this.generation) return
      this.beats?.alive()
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer)
      if (buf.length > this.o.maxFrameBytes) {
        const reason = `frame of ${buf.length} bytes is over the limit (${this.o.maxFrameBytes})`
        if (this.o.onDrop) this.o.onDrop(reason)
        else this.log.warn(`dropped: ${reason}`)
        return
      }
      try {
        this.o.onFrame(isBinary ? buf : buf.toString('utf8'), isBinary)
      } catch (e) {
        this.log.error(`frame handler failed: ${errorMessage(e)}`)
      }
    })
    ws.on('close', (code: number, reason: Buffer) => {
      clearTimeout(upgradeTimer)
      if (gen !== this.generation) return
      this.stopHeartbeat()
      const why =
        failure ??
        new TransportError(
          opened ? 'closed' : 'unreachable',
          opened ? coreText('connectionLost', { why: describeClose(code) }) : coreText('cannotReach'),
          `close code ${code}${reason.length ? `: ${reason.toString('utf8').slice(0, 120)}` : ''}`
        )
      this.onFailure(gen, why)
    })
  }

  private runHandshake(gen: number, ws: WebSocket, setFailure: (err: TransportError) => void): void {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      // Both Mio-Chat kinds answer a login at once once the upgrade is through (the spec kind replies,
      // the field kind pushes it; a wrong code is refused or never upgraded), so this is no sign of a
      // wrong code. Kind 'auth' on the first connect keeps it from retrying forever.
      timer = setTimeout(
        () =>
          reject(
            new TransportError(
              this.everOnline ? 'timeout' : 'auth',
              `No answer from the server within ${this.o.handshakeTimeoutMs / 1000} s: it accepted the connection but did not answer the login, so it is probably not a Mio-Chat server (or not its gateway address)`
            )
          ),
        this.o.handshakeTimeoutMs
      )
    })
    Promise.race([this.o.handshake(this), timeout])
      .then(() => {
        if (gen !== this.generation) return
        this.attempt = 0
        this.everOnline = true
        this.setStatus({ state: 'online' })
        this.emit('online')
        this.startHeartbeat()
      })
      .catch((e: unknown) => {
        if (gen !== this.generation) return
        const err = e instanceof TransportError ? e : new TransportError('protocol', errorMessage(e))
        this.log.warn(`handshake failed: ${err.message}`)
        if (err.kind === 'auth') {
          this.fatal(err)
        } else {
          setFailure(err)
          ws.terminate()
        }
      })
      .finally(() => clearTimeout(timer))
  }

  private fatal(err: TransportError): void {
    this.running = false
    this.generation++
    this.stopHeartbeat()
    const ws = this.ws
    this.ws = undefined
    ws?.removeAllListeners()
    ws?.on('error', () => {})
    ws?.terminate()
    this.pending.failAll(err)
    this.emit('down', err)
    this.setStatus({ state: 'failed', error: err.message, errorKind: err.kind })
  }

  private onFailure(gen: number, err: TransportError): void {
    if (gen !== this.generation) return
    this.ws = undefined
    if (this.running && err.kind === 'auth') {
      // fatal() fails the requests and emits 'down' itself: once, with the auth error.
      this.fatal(err)
      return
    }
    this.pending.failAll(new TransportError('closed', coreText('requestNotCompleted', { why: err.message })))
    this.emit('down', err)
    if (!this.running) {
      this.setStatus({ state: 'offline' })
      return
    }
    const delay = backoffDelay(this.attempt++, this.o.backoff, this.random)
    this.log.info(`reconnecting in ${delay} ms: ${err.message}`)
    this.setStatus({
      state: 'reconnecting',
      attempt: this.attempt,
      retryInMs: delay,
      retryAt: Date.now() + delay,
      error: err.message,
      errorKind: err.kind
    })
    this.reconnectTimer = setTimeout(() => {
      if (this.running) this.dial()
    }, delay)
  }

  private startHeartbeat(): void {
    this.stopHeartbeat()
    const hb = this.o.heartbeat
    if (!hb) return
    this.beats = new HeartbeatLoop({
      intervalMs: this.o.heartbeatIntervalMs,
      maxMissed: this.o.maxMissedHeartbeats,
      beat: () => hb(this),
      onAnswer: (rtt) => {
        this.lastDelay = rtt
        this.emit('delay', rtt)
        if (this._status.state === 'online') this.setStatus({ state: 'online' })
      },
      onDead: (missed) => {
        this.log.warn(`no answer to ${missed} heartbeats in a row: link is dead`)
        this.ws?.terminate()
      }
    })
    this.beats.start()
  }

  private stopHeartbeat(): void {
    this.beats?.stop()
    this.beats = undefined
  }
}

/** A WebSocket close code in words (the code itself stays in the error's detail, not in the message). */
export function describeClose(code: number): string {
  switch (code) {
    case 1000:
      return coreText('closeNormal')
    case 1001:
      return coreText('closeGoingAway')
    case 1006:
      return coreText('closeBrokeOff')
    case 1008:
    case 4001:
    case 4003:
      return coreText('closeRefused')
    case 1009:
      return coreText('closeTooBig')
    case 1011:
      return coreText('closeInternal')
    case 1012:
      return coreText('closeRestarting')
    case 1013:
      return coreText('closeOverloaded')
    default:
      return coreText('closeUnexpected')
  }
}

export function describeSocketError(err: Error & { code?: string }): TransportError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new TransportError('unreachable', coreText('cannotReachWhy', { why: coreText('connectionRefused') }))
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TransportError('unreachable', coreText('cannotReachWhy', { why: coreText('hostNotFound') }))
    case 'ECONNRESET':
      return new TransportError('closed', coreText('resetByServer'))
    case 'ETIMEDOUT':
      return new TransportError('timeout', coreText('cannotReachWhy', { why: coreText('timedOut') }))
    default:
      return new TransportError('unreachable', `Cannot reach the server: ${redactUrl(err.message)}`)
  }
}

export type { ConnectionState }
