/**
 * Yunhu (云湖) HTTP transport: JSON and protobuf calls with the `token` header, timeouts, and the
 * platform's error conventions turned into typed errors.
 *
 * - JSON replies `{code, msg, data}`: code ≠ 1 → YunhuApiError (code, msg).
 * - protobuf replies carry `status {request_id, code, msg}`: status.code ≠ 1 → YunhuApiError.
 * - code -101 (not logged in) → YunhuLoggedOutError and a `relogin-required` event.
 * - non-2xx (the plain 404 for a wrong method) → YunhuHttpStatusError; unreadable bodies, network
 *   errors and timeouts → TransportError with a sentence a user can read. For a resend decision the
 *   kind tells what is known: 'unreachable' = no connection, nothing was sent; 'closed' (the
 *   connection dropped once the request was out) and 'timeout' = it may have reached the server.
 * Plain Node: never import electron here. Tokens and passwords are never logged.
 */
import { coreText } from '../../../shared/core-text'
import { EventEmitter } from 'node:events'
import { decodeYunhuBody, encodeYunhuBody, isCodecError } from './codec/yunhu'
import { TransportError, type TransportErrorKind } from '../../transport/errors'
import { redact, silentLogger, type Logger } from '../../log'
import type { YunhuBodyName, YunhuBodyTypes, YunhuStatus } from '../../../shared/yunhu'
import { YUNHU_DEFAULT_API, type YunhuJsonReply } from '../../../shared/yunhu-api'

export const YUNHU_NOT_LOGGED_IN = -101

/** The server answered with code ≠ 1 (JSON `code` or protobuf `status.code`). */
export class YunhuApiError extends TransportError {
  override readonly name: string = 'YunhuApiError'
  /** The server's code (1 = ok, -101 = not logged in, -1 = generic failure, 0 = no status). */
  readonly code: number
  /** The server's message, as sent. */
  readonly msg: string
  /** The endpoint path, e.g. "/v1/bot/banner". */
  readonly path: string
  constructor(path: string, code: number, msg: string, kind: TransportErrorKind = 'server') {
    super(kind, `Yunhu ${path} failed: ${msg || 'no message'} (code ${code})`)
    this.code = code
    this.msg = msg
    this.path = path
  }
}

/** code -101: the token is missing, wrong or expired. The account must log in again. */
export class YunhuLoggedOutError extends YunhuApiError {
  override readonly name: string = 'YunhuLoggedOutError'
  constructor(path: string, msg: string) {
    super(path, YUNHU_NOT_LOGGED_IN, msg || '未登录', 'auth')
  }
}

/** A non-2xx HTTP reply. */
export class YunhuHttpStatusError extends TransportError {
  override readonly name: string = 'YunhuHttpStatusError'
  readonly status: number
  readonly path: string
  constructor(method: string, path: string, status: number, statusText: string, body: string) {
    const hint = status === 404 || status === 405 ? ' (wrong HTTP method or unknown endpoint)' : status >= 500 ? ' (server error)' : ''
    const text = body.trim().replace(/\s+/g, ' ').slice(0, 120)
    super(
      status === 401 || status === 403 ? 'auth' : 'server',
      `Yunhu ${method} ${path} failed: the server answered HTTP ${status}${statusText ? ` ${statusText}` : ''}${hint}${text ? `: "${text}"` : ''}`
    )
    this.status = status
    this.path = path
  }
}

export interface YunhuHttpOptions {
  /** Default https://chat-go.jwzhd.com */
  baseUrl?: string
  token?: string
  /** Per-call timeout (ms), default 15000. */
  timeoutMs?: number
  /** Injected for tests. */
  fetch?: typeof fetch
  logger?: Logger
}

export interface YunhuCallOptions {
  /** Overrides the default timeout. */
  timeoutMs?: number
  /** Cancels the call (TransportError kind 'aborted'). */
  signal?: AbortSignal
  /** Send the token header (default true; false for the login endpoints). */
  auth?: boolean
}

export interface YunhuHttpEvents {
  /** A call answered -101: the UI should ask the user to log in again. */
  'relogin-required': [YunhuLoggedOutError]
}

type Method = 'GET' | 'POST'

/** Bodies that look like JSON are treated as JSON error envelopes even on protobuf endpoints. */
function looksLikeJson(bytes: Uint8Array): boolean {
  let i = 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++
  return bytes[i] === 0x7b // "{"
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function causeCode(e: unknown): string | undefined {
  const c = (e as { cause?: { code?: unknown } } | undefined)?.cause
  return typeof c?.code === 'string' ? c.code : undefined
}

const NET_WORDS: Record<string, string> = {
  ECONNREFUSED: coreText('connectionRefused'),
  ENOTFOUND: coreText('hostNotFound'),
  EAI_AGAIN: coreText('hostNotFound'),
  ECONNRESET: coreText('netConnectionReset'),
  ETIMEDOUT: coreText('timedOut'),
  CERT_HAS_EXPIRED: coreText('netCertExpired'),
  DEPTH_ZERO_SELF_SIGNED_CERT: coreText('netSelfSigned'),
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: coreText('netCertUnverified'),
  UND_ERR_SOCKET: coreText('closeNormal'),
  EPIPE: coreText('netWasClosed'),
  ECONNABORTED: coreText('netAborted')
}

/**
 * Codes of a connection that broke while the request was (or may have been) on its way or being
 * answered: the server may have acted on it. Any other failure of fetch itself is taken as "could
 * not connect"; a failure while reading the reply always counts as a drop.
 */
const DROPPED_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])

export class YunhuHttp extends EventEmitter<YunhuHttpEvents> {
  private _token: string
  private readonly base: URL
  readonly timeoutMs: number
  private readonly fetchFn: typeof fetch
  private readonly log: Logger

  constructor(options: YunhuHttpOptions = {}) {
    super()
    this.base = normalizeBase(options.baseUrl ?? YUNHU_DEFAULT_API)
    this._token = options.token ?? ''
    this.timeoutMs = options.timeoutMs ?? 15_000
    this.fetchFn = options.fetch ?? ((...a) => fetch(...a))
    this.log = options.logger ?? silentLogger
  }

  /** The base URL, without a trailing slash. */
  get baseUrl(): string {
    return this.base.toString().replace(/\/$/, '')
  }

  get token(): string {
    return this._token
  }

  set token(t: string) {
    this._token = t
  }

  get hasToken(): boolean {
    return this._token !== ''
  }

  /** POST (or GET) a JSON body; resolves with the whole reply when code = 1. */
  async json<T = unknown>(path: string, body?: unknown, opts: YunhuCallOptions & { method?: Method } = {}): Promise<YunhuJsonReply<T>> {
    const method = opts.method ?? 'POST'
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const bytes = await this.send(method, path, payload, payload === undefined ? undefined : 'application/json', opts)
    const reply = this.parseJsonReply(method, path, bytes)
    this.check(path, reply.code, reply.msg)
    return reply as YunhuJsonReply<T>
  }

  /**
   * Sends raw protobuf bytes (POST unless `method` says otherwise) and decodes the reply as `response`.
   * The decoded reply's `status.code` must be 1.
   */
  async proto<K extends YunhuBodyName>(
    path: string,
    body: Uint8Array | undefined,
    response: K,
    opts: YunhuCallOptions & { method?: Method } = {}
  ): Promise<YunhuBodyTypes[K]> {
    const method = opts.method ?? 'POST'
    const bytes = await this.send(method, path, body, undefined, opts)
    if (looksLikeJson(bytes)) {
      // Some endpoints answer errors (e.g. -101) as JSON whatever the request format.
      const reply = this.parseJsonReply(method, path, bytes)
      this.check(path, reply.code, reply.msg)
      throw new TransportError('protocol', coreText('yunhuJsonNotProto', { what: `${method} ${path}`, type: String(response) }))
    }
    let decoded: YunhuBodyTypes[K]
    try {
      decoded = decodeYunhuBody(response, bytes)
    } catch (e) {
      const why = isCodecError(e) ? e.message : String(e)
      throw new TransportError('protocol', coreText('yunhuBadProto', { what: `${method} ${path}`, type: String(response), why }))
    }
    const status = (decoded as { status?: YunhuStatus }).status
    if (!status) throw new YunhuApiError(path, 0, 'the reply carried no status', 'protocol')
    this.check(path, status.code ?? 0, status.msg ?? '')
    return decoded
  }

  private check(path: string, code: number, msg: string): void {
    if (code === 1) return
    if (code === YUNHU_NOT_LOGGED_IN) {
      const err = new YunhuLoggedOutError(path, msg)
      this.log.warn(`Yunhu ${path}: not logged in (-101)`)
      this.emit('relogin-required', err)
      throw err
    }
    throw new YunhuApiError(path, code, msg)
  }

  private parseJsonReply(method: string, path: string, bytes: Uint8Array): { code: number; msg: string; data?: unknown } {
    const text = new TextDecoder('utf-8').decode(bytes)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 80)
      throw new TransportError(
        'protocol',
        `Yunhu ${method} ${path} sent a reply that is not valid JSON${snippet ? `: "${snippet}"` : ' (empty body)'}`
      )
    }
    if (!isObject(body)) throw new TransportError('protocol', coreText('yunhuJsonNotObject', { what: `${method} ${path}` }))
    const code = typeof body.code === 'number' ? body.code : typeof body.code === 'string' && /^-?\d+$/.test(body.code) ? Number(body.code) : undefined
    if (code === undefined) throw new TransportError('protocol', coreText('yunhuJsonNoCode', { what: `${method} ${path}` }))
    const msg = typeof body.msg === 'string' ? body.msg : ''
    return { code, msg, data: body.data }
  }

  private url(path: string): URL {
    const u = new URL(this.base.toString())
    u.pathname = `${u.pathname.replace(/\/$/, '')}/${path.replace(/^\//, '')}`
    return u
  }

  private async send(
    method: Method,
    path: string,
    body: string | Uint8Array | undefined,
    contentType: string | undefined,
    opts: YunhuCallOptions
  ): Promise<Uint8Array> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout
    const headers: Record<string, string> = {}
    if (opts.auth !== false) headers.token = this._token
    if (contentType) headers['content-type'] = contentType
    this.log.debug(`Yunhu ${method} ${path}`, redact({ headers, bytes: body?.length ?? 0 }))
    const failure = (e: unknown, replying: boolean): TransportError => {
      if (timeout.aborted) return new TransportError('timeout', coreText('yunhuNoAnswerWithin', { what: `${method} ${path}`, s: String(Math.round(timeoutMs / 100) / 10) }))
      if (opts.signal?.aborted) return new TransportError('aborted', coreText('yunhuCancelled', { what: `${method} ${path}` }))
      const code = causeCode(e)
      const words = (code && NET_WORDS[code]) ?? (code ? code : e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e))
      if (replying || (code !== undefined && DROPPED_CODES.has(code))) {
        return new TransportError(
          'closed',
          coreText('yunhuLostBeforeAnswer', { host: this.base.host, what: `${method} ${path}`, why: words })
        )
      }
      return new TransportError('unreachable', coreText('yunhuUnreachableWhy', { host: this.base.host, why: words }))
    }
    let res: Response
    try {
      res = await this.fetchFn(this.url(path), { method, headers, body: method === 'GET' ? undefined : (body as RequestInit['body']), signal })
    } catch (e) {
      throw failure(e, false)
    }
    let bytes: Uint8Array
    try {
      bytes = new Uint8Array(await res.arrayBuffer())
    } catch (e) {
      throw failure(e, true)
    }
    if (res.status < 200 || res.status > 299) {
      throw new YunhuHttpStatusError(method, path, res.status, res.statusText, new TextDecoder().decode(bytes.subarray(0, 400)))
    }
    return bytes
  }
}

function normalizeBase(s: string): URL {
  let t = s.trim()
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) t = `https://${t}`
  let u: URL
  try {
    u = new URL(t)
  } catch {
    throw new TransportError('unreachable', coreText('yunhuApiAddressInvalid', { s }))
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TransportError('unreachable', coreText('yunhuApiSchemeUnsupported', { s: u.protocol }))
  u.search = ''
  u.hash = ''
  return u
}

/** Encodes a request body with the codec; a bad argument is the caller's error, told in words. */
export function encodeBody<K extends YunhuBodyName>(name: K, m: YunhuBodyTypes[K], path: string): Uint8Array {
  try {
    return encodeYunhuBody(name, m)
  } catch (e) {
    if (isCodecError(e)) throw new TransportError('protocol', `Cannot build the ${path} request: ${e.message}`)
    throw e
  }
}
