/**
 * Uploading media for a Yunhu message (facts: docs/protocol/yunhu-client-facts.md §3, summary in
 * docs/protocol/yunhu-media.md): an upload token per kind from the Yunhu API, then Qiniu's form upload —
 * a multipart POST with exactly the fields `token`, `key` and `file` and no Yunhu header — to the upload
 * host of the token's bucket, retried on the host Qiniu names when it answers "incorrect region".
 * The size limits of GET /v1/misc/setting are checked before anything is sent.
 *
 * Main process / core only (Node fetch): the renderer never sees a token or talks to the upload host.
 */
import { createHash } from 'node:crypto'
import { coreText } from '../../../shared/core-text'
import { silentLogger, type Logger } from '../../log'
import { TransportError } from '../../transport/errors'
import type { YunhuHttp } from './http'

export type YunhuUploadKind = 'image' | 'file' | 'video' | 'audio'

/** The upload-token endpoint of each kind (all GET, header `token`; misc.md, §3.1). */
export const YUNHU_UPLOAD_TOKEN_PATHS: Record<YunhuUploadKind, string> = {
  image: '/v1/misc/qiniu-token',
  file: '/v1/misc/qiniu-token2',
  video: '/v1/misc/qiniu-token-video',
  audio: '/v1/misc/qiniu-token-audio'
}

/** Qiniu's host lookup for a bucket (§3.2; a Qiniu SDK call). */
export const QINIU_QUERY_URL = 'https://api.qiniu.com/v4/query'

/** Where to upload when the lookup fails (MX's defaults: z2 for images and files, cn-east-2 for video). */
export const QINIU_FALLBACK_HOSTS: Record<YunhuUploadKind, string> = {
  image: 'https://upload-z2.qiniup.com',
  file: 'https://upload-z2.qiniup.com',
  audio: 'https://upload-z2.qiniup.com',
  video: 'https://upload-cn-east-2.qiniup.com'
}

/** Tries on one upload (the first plus region retries; VUE stops after 4). */
export const MAX_UPLOAD_TRIES = 4

/** The limits of GET /v1/misc/setting, in bytes (the "Normal" ones: MioDesk does not know whether the account is VIP). */
export interface YunhuUploadLimits {
  image?: number
  file?: number
  video?: number
}

export interface YunhuUploadInput {
  kind: YunhuUploadKind
  bytes: Uint8Array
  /** The file's name (its extension names the key's). */
  name: string
  mime?: string
}

export interface YunhuUploadProgress {
  sent: number
  total: number
}

export interface YunhuUploadCallOptions {
  signal?: AbortSignal
  onProgress?: (p: YunhuUploadProgress) => void
}

export interface YunhuUploaded {
  key: string
  /** Qiniu's etag of the file, when it answered one. */
  hash?: string
  size: number
}

export interface YunhuUploaderOptions {
  http: YunhuHttp
  /**
   * A fixed upload host (base URL) for every bucket, instead of asking Qiniu: the reference server's
   * stand-in in tests and for a local API base. Region retries still apply.
   */
  uploadBase?: string
  /** Qiniu's lookup URL (default QINIU_QUERY_URL). */
  queryUrl?: string
  fetch?: typeof fetch
  logger?: Logger
  /** How long the limits of /v1/misc/setting are kept, ms (default 10 minutes). */
  limitsTtlMs?: number
}

/** Why an upload did not happen: `limit` (refused before sending), `refused` (the upload host said no), `network`, `cancelled`. */
export type YunhuUploadFailure = 'limit' | 'refused' | 'network' | 'cancelled'

export class YunhuUploadError extends TransportError {
  readonly reason: YunhuUploadFailure
  constructor(reason: YunhuUploadFailure, message: string, detail?: string) {
    super(reason === 'cancelled' ? 'aborted' : reason === 'network' ? 'unreachable' : 'server', message, detail)
    this.name = 'YunhuUploadError'
    this.reason = reason
  }
}

const MB = 1024 * 1024
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A limit in MB from the settings reply (a number or a numeric string), as bytes. */
function mb(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN
  return Number.isFinite(n) && n > 0 ? Math.round(n * MB) : undefined
}

/** Reads the `data` of GET /v1/misc/setting (MB, "Normal" values; `fileeSizeLimitVip` is the docs' own spelling). */
export function parseUploadLimits(data: unknown): YunhuUploadLimits {
  if (!isObj(data)) return {}
  const out: YunhuUploadLimits = {}
  const image = mb(data.imageSizeLimitNormal)
  const file = mb(data.fileSizeLimitNormal)
  const video = mb(data.videoSizeLimitNormal)
  if (image) out.image = image
  if (file) out.file = file
  if (video) out.video = video
  return out
}

/** The limit that applies to a kind: voice counts as a file (the docs give no voice limit). */
export function limitOf(kind: YunhuUploadKind, limits: YunhuUploadLimits): number | undefined {
  return kind === 'image' ? limits.image : kind === 'video' ? limits.video : limits.file
}

const TOO_LARGE = { image: 'imageTooLarge', file: 'fileTooLarge', video: 'videoTooLarge', audio: 'audioTooLarge' } as const

const mbText = (bytes: number): string => String(Math.round((bytes / MB) * 10) / 10)

/** Refuses (in words) a file over its kind's limit. */
export function checkUploadSize(kind: YunhuUploadKind, size: number, limits: YunhuUploadLimits): void {
  const limit = limitOf(kind, limits)
  if (limit !== undefined && size > limit) throw new YunhuUploadError('limit', coreText(TOO_LARGE[kind], { size: mbText(size), limit: mbText(limit) }))
}

const EXT_OF_MIME: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'audio/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'video/mp4': 'mp4',
  'video/webm': 'webm'
}

/**
 * The object name (§3.2): a bare name in the bucket root, `<md5 hex of the bytes>.<ext>` as MX makes it —
 * so uploading the same bytes again (a retry) gives the same key. The extension is the name's (lower
 * case, letters and digits), else the MIME type's, else `mp4` for a video and `bin` for anything else.
 */
export function uploadKey(bytes: Uint8Array, name: string, kind: YunhuUploadKind, mime?: string): string {
  const md5 = createHash('md5').update(bytes).digest('hex')
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(name.trim())
  const ext = m ? m[1]!.toLowerCase() : ((mime && EXT_OF_MIME[mime.toLowerCase().split(';')[0]!.trim()]) ?? (kind === 'video' ? 'mp4' : 'bin'))
  return `${md5}.${ext}`
}

/** The bucket named in an upload token `AccessKey:signature:base64url(put-policy)` (its `scope`, before any `:key`). */
export function tokenBucket(token: string): { accessKey: string; bucket: string } | undefined {
  const parts = token.split(':')
  if (parts.length < 3) return undefined
  try {
    const policy = JSON.parse(Buffer.from(parts[parts.length - 1]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as unknown
    if (!isObj(policy) || typeof policy.scope !== 'string' || !policy.scope) return undefined
    return { accessKey: parts[0]!, bucket: policy.scope.split(':')[0]! }
  } catch {
    return undefined
  }
}

/** The upload host Qiniu names in "incorrect region, please use <host>", as a base URL (the current one's scheme when it gives none). */
export function regionHint(body: string, current: string): string | undefined {
  const m = /incorrect region,?\s*please use\s+([^\s"',]+)/i.exec(body)
  if (!m) return undefined
  const hint = m[1]!.replace(/[.)]+$/, '')
  if (/^https?:\/\//i.test(hint)) return hint
  const scheme = /^http:/i.test(current) ? 'http' : 'https'
  return `${scheme}://${hint}`
}

/** The first upload domain of a v4/query answer: MX's hosts[0].up.domains[0], or VUE's up.domains / up.acc / up.src. */
export function queryHost(body: unknown): string | undefined {
  const first = (v: unknown): string | undefined => (Array.isArray(v) && typeof v[0] === 'string' && v[0] ? v[0] : undefined)
  const fromUp = (up: unknown): string | undefined => {
    if (!isObj(up)) return undefined
    return first(up.domains) ?? (isObj(up.acc) ? first(up.acc.domains) : undefined) ?? (isObj(up.src) ? first(up.src.domains) : undefined)
  }
  if (!isObj(body)) return undefined
  const host = (Array.isArray(body.hosts) && isObj(body.hosts[0]) ? fromUp(body.hosts[0].up) : undefined) ?? fromUp(body.up)
  if (!host) return undefined
  return /^https?:\/\//i.test(host) ? host : `https://${host}`
}

/** The form upload's body: exactly `token`, `key` and `file` (with its filename), as multipart bytes. */
export async function uploadForm(token: string, key: string, input: YunhuUploadInput): Promise<{ contentType: string; body: Uint8Array }> {
  const form = new FormData()
  form.append('token', token)
  form.append('key', key)
  form.append('file', new Blob([new Uint8Array(input.bytes)], input.mime ? { type: input.mime } : {}), input.name || key)
  const r = new Response(form)
  return { contentType: r.headers.get('content-type') ?? 'multipart/form-data', body: new Uint8Array(await r.arrayBuffer()) }
}

const CHUNK = 64 * 1024

export class YunhuUploader {
  private readonly o: YunhuUploaderOptions
  private readonly fetchFn: typeof fetch
  private readonly log: Logger
  private cachedLimits?: { at: number; limits: YunhuUploadLimits }
  /** The upload host that worked last, per bucket (VUE caches it too). */
  private readonly hostOfBucket = new Map<string, string>()

  constructor(options: YunhuUploaderOptions) {
    this.o = options
    this.fetchFn = options.fetch ?? ((...a) => fetch(...a))
    this.log = options.logger ?? silentLogger
  }

  /** GET /v1/misc/setting, kept for a while; an answer that cannot be read means no known limit. */
  async limits(signal?: AbortSignal): Promise<YunhuUploadLimits> {
    const ttl = this.o.limitsTtlMs ?? 600_000
    if (this.cachedLimits && Date.now() - this.cachedLimits.at < ttl) return this.cachedLimits.limits
    const reply = await this.o.http.json('/v1/misc/setting', undefined, { method: 'GET', signal })
    const limits = parseUploadLimits(reply.data)
    this.cachedLimits = { at: Date.now(), limits }
    return limits
  }

  /** A fresh upload token for a kind (§3.1: the lifetime is undocumented, so one per upload). */
  async token(kind: YunhuUploadKind, signal?: AbortSignal): Promise<string> {
    const path = YUNHU_UPLOAD_TOKEN_PATHS[kind]
    const reply = await this.o.http.json<{ token?: unknown }>(path, undefined, { method: 'GET', signal })
    const token = isObj(reply.data) && typeof reply.data.token === 'string' ? reply.data.token : ''
    if (!token) throw new TransportError('protocol', `Yunhu GET ${path} sent no upload token`)
    return token
  }

  /** Checks the size, gets a token, uploads; resolves with the key to put into the message. */
  async upload(input: YunhuUploadInput, opts: YunhuUploadCallOptions = {}): Promise<YunhuUploaded> {
    const { signal } = opts
    const cancelled = (): YunhuUploadError => new YunhuUploadError('cancelled', coreText('uploadCancelled'))
    if (signal?.aborted) throw cancelled()
    if (input.bytes.length === 0) throw new YunhuUploadError('limit', coreText('uploadEmpty', { name: input.name }))
    let limits: YunhuUploadLimits = {}
    try {
      limits = await this.limits(signal)
    } catch (e) {
      if (signal?.aborted) throw cancelled()
      // No known limit: the upload host still enforces its own.
      this.log.warn(`Yunhu upload: the limits could not be read: ${e instanceof Error ? e.message : String(e)}`)
    }
    checkUploadSize(input.kind, input.bytes.length, limits)
    let token: string
    try {
      token = await this.token(input.kind, signal)
    } catch (e) {
      if (signal?.aborted) throw cancelled()
      throw e
    }
    const key = uploadKey(input.bytes, input.name, input.kind, input.mime)
    const bucket = tokenBucket(token)
    let host = await this.hostFor(input.kind, bucket, signal)
    const form = await uploadForm(token, key, input)
    const tried = new Set<string>()
    for (let attempt = 1; ; attempt++) {
      tried.add(host)
      const res = await this.post(host, form, opts, cancelled)
      if (res.ok) {
        if (bucket) this.hostOfBucket.set(bucket.bucket, host)
        let body: unknown
        try {
          body = JSON.parse(res.text)
        } catch {
          body = undefined
        }
        const gotKey = isObj(body) && typeof body.key === 'string' && body.key ? body.key : key
        const out: YunhuUploaded = { key: gotKey, size: input.bytes.length }
        if (isObj(body) && typeof body.hash === 'string') out.hash = body.hash
        return out
      }
      const why = qiniuError(res.text) ?? `HTTP ${res.status}`
      // Wrong region: Qiniu names the right host. MX: "no such domain" → its default host.
      const next = regionHint(res.text, host) ?? (/no such domain/i.test(res.text) ? QINIU_FALLBACK_HOSTS[input.kind] : undefined)
      if (next && !tried.has(next) && attempt < MAX_UPLOAD_TRIES) {
        this.log.info(`Yunhu upload: ${host} answered "${why}", trying ${next}`)
        host = next
        continue
      }
      throw new YunhuUploadError('refused', coreText('uploadFailed', { why }))
    }
  }

  private async hostFor(kind: YunhuUploadKind, bucket: { accessKey: string; bucket: string } | undefined, signal?: AbortSignal): Promise<string> {
    if (this.o.uploadBase) return (bucket && this.hostOfBucket.get(bucket.bucket)) ?? this.o.uploadBase
    if (bucket) {
      const known = this.hostOfBucket.get(bucket.bucket)
      if (known) return known
      try {
        const u = new URL(this.o.queryUrl ?? QINIU_QUERY_URL)
        u.searchParams.set('ak', bucket.accessKey)
        u.searchParams.set('bucket', bucket.bucket)
        const timeout = AbortSignal.timeout(10_000)
        const res = await this.fetchFn(u, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
        const host = res.ok ? queryHost(await res.json()) : undefined
        if (host) return host
      } catch (e) {
        if (signal?.aborted) throw new YunhuUploadError('cancelled', coreText('uploadCancelled'))
        this.log.warn(`Yunhu upload: the upload host lookup failed: ${e instanceof Error ? e.message : String(e)}`)
      }
    } else this.log.warn(`Yunhu upload: the ${kind} upload token names no bucket`)
    return QINIU_FALLBACK_HOSTS[kind]
  }

  /** One POST of the form, streamed in chunks so that progress can be told. */
  private async post(host: string, form: { contentType: string; body: Uint8Array }, opts: YunhuUploadCallOptions, cancelled: () => YunhuUploadError): Promise<{ ok: boolean; status: number; text: string }> {
    const total = form.body.length
    let sent = 0
    opts.onProgress?.({ sent: 0, total })
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= total) {
          c.close()
          return
        }
        const n = Math.min(CHUNK, total - sent)
        c.enqueue(form.body.subarray(sent, sent + n))
        sent += n
        opts.onProgress?.({ sent, total })
      }
    })
    // Generous: two minutes plus 20 KB/s.
    const timeout = AbortSignal.timeout(120_000 + Math.ceil(total / 20))
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout
    const url = host.replace(/\/+$/, '') + '/'
    try {
      const res = await this.fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': form.contentType, 'content-length': String(total) },
        body: stream,
        signal,
        duplex: 'half'
      } as RequestInit)
      const text = await res.text()
      return { ok: res.ok, status: res.status, text }
    } catch (e) {
      if (opts.signal?.aborted) throw cancelled()
      const why = timeout.aborted ? coreText('timedOut') : describe(e)
      throw new YunhuUploadError('network', coreText('uploadFailed', { why }), host)
    }
  }
}

function qiniuError(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as unknown
    if (isObj(j) && typeof j.error === 'string' && j.error) return j.error.slice(0, 200)
  } catch {
    // not JSON
  }
  return undefined
}

function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause
  if (cause && cause.code === 'ECONNREFUSED') return coreText('connectionRefused')
  if (cause && (cause.code === 'ENOTFOUND' || cause.code === 'EAI_AGAIN')) return coreText('hostNotFound')
  if (cause && typeof cause.message === 'string' && cause.message) return cause.message
  return e instanceof Error ? e.message : String(e)
}
