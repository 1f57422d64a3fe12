/**
 * The MediaService: loads an account's platform media for the renderer. It checks the URL against the
 * account's MediaPolicy (http/https, the platform's media hosts only), fetches it with the headers the
 * platform requires, caps each file's size, accepts only images, audio, video and plain binary files,
 * and keeps what it fetched in a size-capped LRU disk cache keyed by the URL's hash. Requests for one
 * URL made while it is being fetched share that fetch; a failure is remembered for a short while (so a
 * page of broken images does not hammer the host) and is always a MediaError in words, never a crash.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { MediaCache, type CachedMedia } from './cache'
import { checkMediaUrl, MediaError, type MediaPolicy } from './policy'
import type { Logger } from '../log'
import { redactUrl } from '../log'

export { MediaError }
export type { CachedMedia, MediaPolicy }

export interface MediaServiceOptions {
  /** The cache folder (created when needed). */
  dir: string
  /** The media policy of an account; throws (or returns undefined) for accounts without one. */
  policyOf(accountId: string): MediaPolicy | undefined
  /** Largest file fetched, bytes (default 50 MiB). */
  maxFileBytes?: number
  /** Largest total size of the cache, bytes (default 500 MiB). */
  maxTotalBytes?: number
  /** A request that has not finished after this long fails (default 30 s). */
  timeoutMs?: number
  /** How long a failure is answered from memory before the host is asked again (default 15 s). */
  failureTtlMs?: number
  logger?: Logger
}

const MAX_REDIRECTS = 3
const MiB = 1024 * 1024

/** The content types served: images (not SVG, a document that can carry scripts), audio, video, binary. */
export function isMediaContentType(type: string): boolean {
  const t = type.split(';')[0]!.trim().toLowerCase()
  if (t === 'application/octet-stream') return true
  if (t === 'image/svg+xml') return false
  return /^(image|audio|video)\/[a-z0-9][a-z0-9.+-]*$/.test(t)
}

function sizeText(n: number): string {
  return n >= MiB ? `${Math.round((n / MiB) * 10) / 10} MB` : `${Math.ceil(n / 1024)} KB`
}

export class MediaService {
  readonly cache: MediaCache
  private readonly inflight = new Map<string, Promise<CachedMedia>>()
  private readonly failures = new Map<string, { error: MediaError; until: number }>()
  private readonly maxFileBytes: number
  private readonly timeoutMs: number
  private readonly failureTtlMs: number
  /** Fetches made from the network (tests). */
  fetches = 0

  constructor(private readonly o: MediaServiceOptions) {
    this.maxFileBytes = o.maxFileBytes ?? 50 * MiB
    this.timeoutMs = o.timeoutMs ?? 30_000
    this.failureTtlMs = o.failureTtlMs ?? 15_000
    this.cache = new MediaCache(o.dir, Math.max(o.maxTotalBytes ?? 500 * MiB, this.maxFileBytes), o.logger)
  }

  /** The cached file of an account's media URL (fetched first when needed), or a MediaError in words. */
  async get(accountId: string, value: string): Promise<CachedMedia> {
    let policy: MediaPolicy | undefined
    try {
      policy = this.o.policyOf(String(accountId ?? ''))
    } catch {
      policy = undefined
    }
    if (!policy) throw new MediaError('no-media', 'This account has no media to load through MioDesk')
    const url = checkMediaUrl(policy, value)
    const key = createHash('sha256').update(url.href).digest('hex')
    const hit = await this.cache.get(key)
    if (hit) return hit
    const failed = this.failures.get(key)
    if (failed && failed.until > Date.now()) throw failed.error
    this.failures.delete(key)
    let p = this.inflight.get(key)
    if (!p) {
      p = this.download(policy, url, key).then(
        (r) => {
          this.inflight.delete(key)
          return r
        },
        (e: unknown) => {
          this.inflight.delete(key)
          const error = e instanceof MediaError ? e : new MediaError('network', `The ${policy!.platform} media host could not be reached`)
          this.failures.set(key, { error, until: Date.now() + this.failureTtlMs })
          this.o.logger?.debug('media: fetch failed', { url: redactUrl(url.href), error: error.message })
          throw error
        }
      )
      this.inflight.set(key, p)
    }
    return p
  }

  private async download(policy: MediaPolicy, url: URL, key: string): Promise<CachedMedia> {
    let current = url
    for (let hop = 0; ; hop++) {
      const target = policy.upstream ? policy.upstream(current) : current
      const res = await this.request(target, policy)
      const status = res.statusCode ?? 0
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume()
        if (hop >= MAX_REDIRECTS) throw new MediaError('upstream', `The ${policy.platform} media host redirected too many times`)
        let next: URL
        try {
          // A redirect is resolved against the platform URL and checked like the first one.
          next = new URL(res.headers.location, current)
        } catch {
          throw new MediaError('upstream', `The ${policy.platform} media host redirected to an invalid address`)
        }
        current = checkMediaUrl(policy, next.href)
        continue
      }
      return this.store(res, policy, key)
    }
  }

  private request(target: URL, policy: MediaPolicy): Promise<IncomingMessage> {
    this.fetches++
    return new Promise((resolve, reject) => {
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest
      const req = send(target, { method: 'GET', headers: { ...policy.headers, Accept: 'image/*, audio/*, video/*, */*;q=0.5', 'User-Agent': 'MioDesk' }, timeout: this.timeoutMs }, resolve)
      req.on('timeout', () => req.destroy(new MediaError('network', `The ${policy.platform} media host did not answer in time`)))
      req.on('error', (e) => reject(e instanceof MediaError ? e : new MediaError('network', `The ${policy.platform} media host could not be reached (${(e as NodeJS.ErrnoException).code ?? e.message})`)))
      req.end()
    })
  }

  private async store(res: IncomingMessage, policy: MediaPolicy, key: string): Promise<CachedMedia> {
    const status = res.statusCode ?? 0
    const who = `The ${policy.platform} media host`
    if (status !== 200) {
      res.resume()
      if (status === 401 || status === 403) throw new MediaError('refused', `${who} refused it (HTTP ${status})`)
      if (status === 404 || status === 410) throw new MediaError('not-found', `${who} does not have it (HTTP ${status})`)
      throw new MediaError('upstream', `${who} answered HTTP ${status}`)
    }
    const contentType = String(res.headers['content-type'] ?? '').trim() || 'application/octet-stream'
    if (!isMediaContentType(contentType)) {
      res.resume()
      throw new MediaError('bad-type', `${who} sent ${contentType.split(';')[0]}, which is not an image, audio, video or file`)
    }
    const tooLarge = (): MediaError => new MediaError('too-large', `The file is larger than ${sizeText(this.maxFileBytes)}, the most MioDesk loads`)
    const declared = Number(res.headers['content-length'])
    if (Number.isFinite(declared) && declared > this.maxFileBytes) {
      res.destroy()
      throw tooLarge()
    }
    const tmp = await this.cache.tempPath()
    let size = 0
    try {
      await new Promise<void>((resolve, reject) => {
        const out = createWriteStream(tmp)
        let settled = false
        const fail = (e: unknown): void => {
          if (settled) return
          settled = true
          reject(e)
          res.destroy()
          out.destroy()
        }
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > this.maxFileBytes) fail(tooLarge())
        })
        res.on('aborted', () => fail(new MediaError('network', `${who} stopped sending the file`)))
        res.on('error', () => fail(new MediaError('network', `${who} stopped sending the file`)))
        out.on('error', (e) => fail(new MediaError('network', `The media cache could not be written (${(e as NodeJS.ErrnoException).code ?? e.message})`)))
        out.on('finish', () => {
          if (settled) return
          settled = true
          resolve()
        })
        res.pipe(out)
      })
      return await this.cache.commit(key, tmp, size, contentType)
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => {})
      if (e instanceof MediaError) throw e
      throw new MediaError('network', `The media cache could not be written (${e instanceof Error ? e.message : String(e)})`)
    }
  }
}
