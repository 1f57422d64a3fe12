/**
 * The Yunhu upload module against a fake fetch that plays the Yunhu API and Qiniu: the token endpoint of
 * each kind, a form of exactly token/key/file, the region retry (and its limit), the lookup of the upload
 * host and its fallback, the size limits refused in words before any upload, progress, and cancel.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { YunhuHttp } from '../../../src/core/protocols/yunhu/http'
import {
  MAX_UPLOAD_TRIES,
  QINIU_FALLBACK_HOSTS,
  YunhuUploader,
  YunhuUploadError,
  parseUploadLimits,
  queryHost,
  regionHint,
  tokenBucket,
  uploadKey,
  type YunhuUploadKind
} from '../../../src/core/protocols/yunhu/upload'
import { localizeCoreText } from '../../../src/shared/core-text'

const policy = (scope: string): string => Buffer.from(JSON.stringify({ scope, deadline: 9_999_999_999 })).toString('base64url')
const TOKEN = (bucket: string): string => `AK1:sig:${policy(bucket)}`

interface Call {
  url: string
  method: string
  headers: Record<string, string>
  form?: FormData
}

/** A fake fetch: the Yunhu API at api.test, Qiniu's lookup and upload hosts; `upload` decides each POST's answer. */
function fake(opts: { limits?: Record<string, unknown>; upload?: (host: string, n: number) => { status: number; body: unknown }; query?: unknown; settingFails?: boolean } = {}) {
  const calls: Call[] = []
  let posts = 0
  const fetchFn = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input instanceof Request ? input.url : input)
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((v, k) => (headers[k] = v))
    const call: Call = { url, method: init.method ?? 'GET', headers }
    calls.push(call)
    if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError')
    const u = new URL(url)
    const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
    if (u.host === 'api.test') {
      if (u.pathname === '/v1/misc/setting') return opts.settingFails ? new Response('nope', { status: 502 }) : json(200, { code: 1, data: opts.limits ?? { imageSizeLimitNormal: 40, fileSizeLimitNormal: 40, videoSizeLimitNormal: 40 }, msg: 'success' })
      const bucket = { '/v1/misc/qiniu-token': 'chat-68', '/v1/misc/qiniu-token2': 'chat68-file', '/v1/misc/qiniu-token-video': 'chat68-video', '/v1/misc/qiniu-token-audio': 'chat68-audio' }[u.pathname]
      if (bucket) return json(200, { code: 1, data: { token: TOKEN(bucket) }, msg: 'success' })
      return new Response('404 page not found', { status: 404 })
    }
    if (u.host === 'api.qiniu.com') return json(200, opts.query ?? { hosts: [{ up: { domains: ['up-z2.qiniup.com'] } }] })
    // An upload host: read the whole stream, then parse the form.
    const body = init.body as ReadableStream<Uint8Array>
    const chunks: Uint8Array[] = []
    const reader = body.getReader()
    for (;;) {
      if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError')
      const r = await reader.read()
      if (r.done) break
      chunks.push(r.value)
      await new Promise((res) => setTimeout(res, 1))
    }
    call.form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': headers['content-type']! } }).formData()
    const a = opts.upload?.(u.origin, ++posts) ?? { status: 200, body: { key: call.form.get('key'), hash: 'Fh' } }
    return json(a.status, a.body)
  }) as typeof fetch
  const http = new YunhuHttp({ baseUrl: 'https://api.test', token: 'account-token', fetch: fetchFn })
  return { calls, fetchFn, http }
}

const bytes = (n: number, fill = 3): Uint8Array => new Uint8Array(n).fill(fill)

describe('Yunhu upload', () => {
  it('asks the token endpoint of each kind, with the account token', async () => {
    const want: Record<YunhuUploadKind, string> = { image: '/v1/misc/qiniu-token', file: '/v1/misc/qiniu-token2', video: '/v1/misc/qiniu-token-video', audio: '/v1/misc/qiniu-token-audio' }
    for (const kind of Object.keys(want) as YunhuUploadKind[]) {
      const f = fake()
      const up = new YunhuUploader({ http: f.http, uploadBase: 'https://up.test', fetch: f.fetchFn })
      await up.upload({ kind, bytes: bytes(10), name: 'x.bin' })
      const tokenCalls = f.calls.filter((c) => c.url.includes('qiniu-token'))
      expect(tokenCalls.map((c) => new URL(c.url).pathname)).toEqual([want[kind]])
      expect(tokenCalls[0]!.method).toBe('GET')
      expect(tokenCalls[0]!.headers.token).toBe('account-token')
    }
  })

  it('posts a form of exactly token, key and file (with its name), and no Yunhu header', async () => {
    const f = fake()
    const up = new YunhuUploader({ http: f.http, uploadBase: 'https://up.test', fetch: f.fetchFn })
    const data = bytes(1000, 9)
    const got = await up.upload({ kind: 'image', bytes: data, name: '假期.JPG', mime: 'image/jpeg' })
    const post = f.calls.find((c) => c.url.startsWith('https://up.test'))!
    expect(post.method).toBe('POST')
    expect(post.headers.token).toBeUndefined()
    expect(post.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    expect([...post.form!.keys()]).toEqual(['token', 'key', 'file'])
    expect(post.form!.get('token')).toBe(TOKEN('chat-68'))
    const key = `${createHash('md5').update(data).digest('hex')}.jpg`
    expect(post.form!.get('key')).toBe(key)
    const file = post.form!.get('file') as File
    expect(file.name).toBe('假期.JPG')
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(data)
    expect(got).toEqual({ key, hash: 'Fh', size: 1000 })
  })

  it('retries on the host Qiniu names for "incorrect region", and remembers it for the bucket', async () => {
    const f = fake({ upload: (host) => (host === 'https://up-z2.qiniup.com' ? { status: 200, body: { key: 'k' } } : { status: 400, body: { error: 'incorrect region, please use up-z2.qiniup.com' } }) })
    const up = new YunhuUploader({ http: f.http, uploadBase: 'https://up-z0.qiniup.com', fetch: f.fetchFn })
    await up.upload({ kind: 'file', bytes: bytes(10), name: 'a.txt' })
    expect(f.calls.filter((c) => c.method === 'POST').map((c) => new URL(c.url).host)).toEqual(['up-z0.qiniup.com', 'up-z2.qiniup.com'])
    await up.upload({ kind: 'file', bytes: bytes(11), name: 'b.txt' })
    expect(f.calls.filter((c) => c.method === 'POST').map((c) => new URL(c.url).host)).toEqual(['up-z0.qiniup.com', 'up-z2.qiniup.com', 'up-z2.qiniup.com'])
  })

  it('stops after a few region retries and says why', async () => {
    let n = 0
    const f = fake({ upload: () => ({ status: 400, body: { error: `incorrect region, please use up-${++n}.qiniup.com` } }) })
    const up = new YunhuUploader({ http: f.http, uploadBase: 'https://up-0.qiniup.com', fetch: f.fetchFn })
    const err = await up.upload({ kind: 'image', bytes: bytes(10), name: 'a.png' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(YunhuUploadError)
    expect((err as YunhuUploadError).reason).toBe('refused')
    expect((err as Error).message).toMatch(/^The upload failed: incorrect region/)
    expect(f.calls.filter((c) => c.method === 'POST')).toHaveLength(MAX_UPLOAD_TRIES)
  })

  it('finds the upload host with Qiniu\'s lookup (bucket and access key from the token), else the fallback', async () => {
    const f = fake()
    const up = new YunhuUploader({ http: f.http, fetch: f.fetchFn })
    await up.upload({ kind: 'video', bytes: bytes(10), name: 'v.mp4' })
    const q = new URL(f.calls.find((c) => c.url.startsWith('https://api.qiniu.com'))!.url)
    expect(q.pathname).toBe('/v4/query')
    expect(Object.fromEntries(q.searchParams)).toEqual({ ak: 'AK1', bucket: 'chat68-video' })
    expect(f.calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual(['https://up-z2.qiniup.com/'])
    const g = fake({ query: { nothing: true } })
    await new YunhuUploader({ http: g.http, fetch: g.fetchFn }).upload({ kind: 'video', bytes: bytes(10), name: 'v.mp4' })
    expect(g.calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual([`${QINIU_FALLBACK_HOSTS.video}/`])
  })

  it('refuses a file over its kind\'s limit in words (both languages) before asking for a token', async () => {
    const f = fake({ limits: { imageSizeLimitNormal: 1, fileSizeLimitNormal: '2', videoSizeLimitNormal: 3 } })
    const up = new YunhuUploader({ http: f.http, uploadBase: 'https://up.test', fetch: f.fetchFn })
    const err = await up.upload({ kind: 'image', bytes: bytes(1.5 * 1024 * 1024), name: 'big.png' }).catch((e: unknown) => e)
    expect((err as YunhuUploadError).reason).toBe('limit')
    expect((err as Error).message).toBe('The image is too large (1.5 MB): Yunhu takes images up to 1 MB')
    expect(localizeCoreText((err as Error).message, 'zh-CN')).toBe('图片太大（1.5 MB）：云湖只接受不超过 1 MB 的图片')
    expect(f.calls.some((c) => c.url.includes('qiniu-token') || c.method === 'POST')).toBe(false)
    // Voice counts against the file limit; under it, it goes.
    await expect(up.upload({ kind: 'audio', bytes: bytes(2.5 * 1024 * 1024), name: 'v.m4a' })).rejects.toThrow('The voice message is too large (2.5 MB): Yunhu takes up to 2 MB')
    await expect(up.upload({ kind: 'file', bytes: bytes(1.5 * 1024 * 1024), name: 'ok.bin' })).resolves.toMatchObject({ size: 1.5 * 1024 * 1024 })
  })

  it('uploads when the limits cannot be read (the upload host enforces its own)', async () => {
    const f = fake({ settingFails: true })
    const up = new YunhuUploader({ http: f.http, uploadBase: 'https://up.test', fetch: f.fetchFn })
    await expect(up.upload({ kind: 'image', bytes: bytes(100), name: 'a.png' })).resolves.toMatchObject({ size: 100 })
  })

  it('tells progress up to the whole form, and cancels with the signal', async () => {
    const f = fake()
    const up = new YunhuUploader({ http: f.http, uploadBase: 'https://up.test', fetch: f.fetchFn })
    const seen: number[] = []
    await up.upload({ kind: 'file', bytes: bytes(300_000), name: 'p.bin' }, { onProgress: (p) => seen.push(p.sent / p.total) })
    expect(seen[0]).toBe(0)
    expect(seen.at(-1)).toBe(1)
    expect(seen.length).toBeGreaterThan(3)
    const ac = new AbortController()
    const p = up.upload({ kind: 'file', bytes: bytes(2_000_000), name: 'q.bin' }, { signal: ac.signal, onProgress: (x) => x.sent > 200_000 && ac.abort() })
    const err = await p.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(YunhuUploadError)
    expect((err as YunhuUploadError).reason).toBe('cancelled')
    expect((err as Error).message).toBe('The upload was cancelled')
    // Cancelled before it started: nothing is asked at all.
    const before = f.calls.length
    const pre = new AbortController()
    pre.abort()
    await expect(up.upload({ kind: 'file', bytes: bytes(10), name: 'r.bin' }, { signal: pre.signal })).rejects.toThrow('The upload was cancelled')
    expect(f.calls.length).toBe(before)
  })

  it('reads tokens, hints, lookups, limits and keys as the facts give them', () => {
    expect(tokenBucket(TOKEN('chat-68:fixed-key'))).toEqual({ accessKey: 'AK1', bucket: 'chat-68' })
    expect(tokenBucket('garbage')).toBeUndefined()
    expect(regionHint('{"error":"incorrect region, please use up-z1.qiniup.com"}', 'https://up.qiniup.com')).toBe('https://up-z1.qiniup.com')
    expect(regionHint('{"error":"incorrect region, please use 127.0.0.1:9/qiniu-up/z2"}', 'http://127.0.0.1:9/qiniu-up/z0')).toBe('http://127.0.0.1:9/qiniu-up/z2')
    expect(regionHint('{"error":"bad token"}', 'https://x')).toBeUndefined()
    expect(queryHost({ up: { acc: { domains: ['upload.qiniup.com'] } } })).toBe('https://upload.qiniup.com')
    expect(queryHost({ hosts: [{ up: { domains: [] } }], up: { src: { domains: ['src.qiniup.com'] } } })).toBe('https://src.qiniup.com')
    expect(parseUploadLimits({ fileSizeLimitNormal: 40, fileeSizeLimitVip: 1024, imageSizeLimitNormal: 'x', videoSizeLimitNormal: -1 })).toEqual({ file: 40 * 1024 * 1024 })
    const b = new Uint8Array([1, 2, 3])
    const h = createHash('md5').update(b).digest('hex')
    expect(uploadKey(b, 'Song.M4A', 'audio')).toBe(`${h}.m4a`)
    expect(uploadKey(b, 'voice', 'audio', 'audio/webm;codecs=opus')).toBe(`${h}.webm`)
    expect(uploadKey(b, 'noext', 'video')).toBe(`${h}.mp4`)
    expect(uploadKey(b, 'noext', 'file')).toBe(`${h}.bin`)
  })
})
