/**
 * The MediaService (src/core/media/): Yunhu's Referer, the host allowlist, the size cap, the disk cache
 * (hits, restart, LRU eviction by total size), one fetch for concurrent requests, and errors in words —
 * against a local HTTP server on 127.0.0.1 that answers 403 without the Referer, like Yunhu's CDN.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MediaError, MediaService, isMediaContentType } from '../../../src/core/media/service'
import { answerMedia, parseRange } from '../../../src/core/media/respond'
import { yunhuMediaPolicy, yunhuMediaUrl, YUNHU_MEDIA_REFERER } from '../../../src/core/accounts/yunhu/media'
import { appMediaUrl, parseMediaPath } from '../../../src/shared/media'

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077' + '53de0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex')

let server: Server
let base: string
/** Requests that reached the handler, by path. */
const hits = new Map<string, number>()
/** Per-path answers the test sets; default: the PNG with the Referer, 403 without. */
let routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {}
let dir: string

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? ''
    hits.set(path, (hits.get(path) ?? 0) + 1)
    const route = routes[path]
    if (route) return route(req, res)
    if (req.headers.referer !== YUNHU_MEDIA_REFERER) {
      res.writeHead(403, { 'content-type': 'text/plain' })
      return res.end('403 Forbidden')
    }
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length })
    res.end(PNG)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const addr = server.address()
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))
beforeEach(() => {
  hits.clear()
  routes = {}
  dir = mkdtempSync(join(tmpdir(), 'miodesk-media-test-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A service whose one Yunhu account ("yh") is on the local server (its CDN at /cdn/<host>/…). */
function service(opts: Partial<ConstructorParameters<typeof MediaService>[0]> = {}): MediaService {
  return new MediaService({ dir, policyOf: (id) => (id === 'yh' ? yunhuMediaPolicy(base) : undefined), ...opts })
}

function bytes(n: number, fill = 7): Buffer {
  return Buffer.alloc(n, fill)
}

function plainGet(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

describe('MediaService', () => {
  it('fetches a Yunhu image with the Referer its host requires (403 without it)', async () => {
    expect(await plainGet('/cdn/chat-img.jwznb.com/a/cat.png')).toBe(403)
    const got = await service().get('yh', 'https://chat-img.jwznb.com/a/cat.png')
    expect(got.contentType).toBe('image/png')
    expect(got.size).toBe(PNG.length)
    expect(readFileSync(got.path).equals(PNG)).toBe(true)
  })

  it('gives a key or relative path the CDN host the facts name, and repairs doubled URLs', async () => {
    expect(yunhuMediaUrl('expression/abc.jpg')).toBe('https://chat-img.jwznb.com/expression/abc.jpg')
    expect(yunhuMediaUrl('123.mp4', 'video')).toBe('https://chat-video1.jwznb.com/123.mp4')
    expect(yunhuMediaUrl('123.m4a', 'audio')).toBe('https://chat-audio1.jwznb.com/123.m4a')
    expect(yunhuMediaUrl('123.bin', 'file')).toBe('https://chat-file.jwznb.com/123.bin')
    expect(yunhuMediaUrl('https://chat-img.jwznb.com/https://chat-img.jwznb.com/x.png')).toBe('https://chat-img.jwznb.com/x.png')
    await service().get('yh', 'sticker/s1.jpg')
    expect(hits.get('/cdn/chat-img.jwznb.com/sticker/s1.jpg')).toBe(1)
  })

  it('fetches only http/https URLs of Yunhu media hosts, and says why not', async () => {
    const s = service()
    const refused = async (url: string): Promise<MediaError> => {
      const e = await s.get('yh', url).then(
        () => undefined,
        (x: unknown) => x
      )
      expect(e, url).toBeInstanceOf(MediaError)
      return e as MediaError
    }
    expect((await refused('https://evil.example/cat.png')).message).toBe('evil.example is not a Yunhu media host, so it is not loaded')
    expect((await refused('http://127.0.0.1:1/x.png')).code).toBe('not-allowed')
    expect((await refused('ftp://chat-img.jwznb.com/x.png')).message).toMatch(/^Only http and https media can be loaded, not ftp$/)
    expect((await refused('file:///etc/passwd')).code).toBe('not-allowed')
    expect((await refused('javascript:alert(1)')).code).toBe('not-allowed')
    expect((await refused('https://u:p@chat-img.jwznb.com/x.png')).message).toMatch(/credentials/)
    expect((await refused('https://chat-img.jwznb.com.evil.example/x.png')).code).toBe('not-allowed')
    expect(hits.size).toBe(0)
    // An account without media of its own (Mio-Chat) loads nothing through the service.
    await expect(s.get('mio-1', 'https://chat-img.jwznb.com/x.png')).rejects.toMatchObject({ code: 'no-media', message: 'This account has no media to load through MioDesk' })
  })

  it('follows a redirect only to another allowed host', async () => {
    routes['/cdn/chat-file.jwznb.com/big.bin'] = (_req, res) => {
      res.writeHead(302, { location: 'https://chat-file-oss.jwznb.com/big.bin' })
      res.end()
    }
    routes['/cdn/chat-file-oss.jwznb.com/big.bin'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.end(bytes(10))
    }
    routes['/cdn/chat-file.jwznb.com/away.bin'] = (_req, res) => {
      res.writeHead(302, { location: 'https://evil.example/x' })
      res.end()
    }
    const s = service()
    expect((await s.get('yh', 'https://chat-file.jwznb.com/big.bin')).size).toBe(10)
    await expect(s.get('yh', 'https://chat-file.jwznb.com/away.bin')).rejects.toThrow('evil.example is not a Yunhu media host, so it is not loaded')
  })

  it('refuses a file over the size cap, announced or not, in words', async () => {
    routes['/cdn/chat-img.jwznb.com/big.png'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': 5000 })
      res.end(bytes(5000))
    }
    routes['/cdn/chat-img.jwznb.com/chunked.png'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' })
      res.write(bytes(800))
      res.end(bytes(800))
    }
    const s = service({ maxFileBytes: 1000 })
    await expect(s.get('yh', 'https://chat-img.jwznb.com/big.png')).rejects.toMatchObject({ code: 'too-large', message: 'The file is larger than 1 KB, the most MioDesk loads' })
    await expect(s.get('yh', 'https://chat-img.jwznb.com/chunked.png')).rejects.toMatchObject({ code: 'too-large' })
    // Nothing half-written stays behind.
    expect(readdirSync(dir)).toEqual([])
  })

  it('answers a second request from the disk cache, also after a restart', async () => {
    const url = 'https://chat-img.jwznb.com/a/cached.png'
    const s = service()
    const first = await s.get('yh', url)
    const second = await s.get('yh', url)
    expect(second.path).toBe(first.path)
    expect(hits.get('/cdn/chat-img.jwznb.com/a/cached.png')).toBe(1)
    expect(s.fetches).toBe(1)
    // Keyed by a hash of the URL.
    expect(first.path).toMatch(/[0-9a-f]{64}\.bin$/)
    const again = service()
    expect((await again.get('yh', url)).contentType).toBe('image/png')
    expect(again.fetches).toBe(0)
    expect(hits.get('/cdn/chat-img.jwznb.com/a/cached.png')).toBe(1)
  })

  it('evicts the least recently used files when the total is over its cap', async () => {
    for (const k of ['a', 'b', 'c']) {
      routes[`/cdn/chat-img.jwznb.com/${k}.png`] = (_req, res) => {
        res.writeHead(200, { 'content-type': 'image/png' })
        res.end(bytes(1000))
      }
    }
    const s = service({ maxFileBytes: 1000, maxTotalBytes: 2500 })
    const u = (k: string): string => `https://chat-img.jwznb.com/${k}.png`
    await s.get('yh', u('a'))
    await s.get('yh', u('b'))
    await s.get('yh', u('a')) // a is now the most recently used
    await s.get('yh', u('c')) // 3000 > 2500: b goes
    expect(s.cache.totalBytes).toBe(2000)
    expect(readdirSync(dir).filter((f) => f.endsWith('.bin'))).toHaveLength(2)
    await s.get('yh', u('a'))
    await s.get('yh', u('c'))
    expect(s.fetches).toBe(3)
    await s.get('yh', u('b'))
    expect(s.fetches).toBe(4)
    expect(hits.get('/cdn/chat-img.jwznb.com/b.png')).toBe(2)
    expect(hits.get('/cdn/chat-img.jwznb.com/a.png')).toBe(1)
  })

  it('makes one fetch for concurrent requests of one URL', async () => {
    routes['/cdn/chat-img.jwznb.com/slow.png'] = (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'image/png' })
        res.end(PNG)
      }, 100)
    }
    const s = service()
    const all = await Promise.all(Array.from({ length: 8 }, () => s.get('yh', 'https://chat-img.jwznb.com/slow.png')))
    expect(new Set(all.map((a) => a.path)).size).toBe(1)
    expect(hits.get('/cdn/chat-img.jwznb.com/slow.png')).toBe(1)
  })

  it('turns server errors, refusals, wrong types and an unreachable host into errors in words', async () => {
    routes['/cdn/chat-img.jwznb.com/500.png'] = (_req, res) => {
      res.writeHead(500)
      res.end('boom')
    }
    routes['/cdn/chat-img.jwznb.com/page.png'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<script>alert(1)</script>')
    }
    routes['/cdn/chat-img.jwznb.com/svg.png'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/svg+xml' })
      res.end('<svg/>')
    }
    routes['/cdn/chat-img.jwznb.com/gone.png'] = (_req, res) => {
      res.writeHead(404)
      res.end()
    }
    routes['/cdn/chat-img.jwznb.com/cut.png'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': 1000 })
      res.write(bytes(10))
      setTimeout(() => res.destroy(), 20)
    }
    const s = service({ failureTtlMs: 50 })
    const img = (k: string): string => `https://chat-img.jwznb.com/${k}`
    await expect(s.get('yh', img('500.png'))).rejects.toMatchObject({ code: 'upstream', message: 'The Yunhu media host answered HTTP 500' })
    await expect(s.get('yh', img('page.png'))).rejects.toMatchObject({ code: 'bad-type', message: 'The Yunhu media host sent text/html, which is not an image, audio, video or file' })
    await expect(s.get('yh', img('svg.png'))).rejects.toMatchObject({ code: 'bad-type' })
    await expect(s.get('yh', img('gone.png'))).rejects.toMatchObject({ code: 'not-found', message: 'The Yunhu media host does not have it (HTTP 404)' })
    await expect(s.get('yh', img('cut.png'))).rejects.toMatchObject({ code: 'network', message: 'The Yunhu media host stopped sending the file' })
    // Without the Referer rule met (here: a route that always refuses), a refusal.
    routes['/cdn/chat-img.jwznb.com/no.png'] = (_req, res) => {
      res.writeHead(403)
      res.end()
    }
    await expect(s.get('yh', img('no.png'))).rejects.toMatchObject({ code: 'refused', message: 'The Yunhu media host refused it (HTTP 403)' })
    // A failure is answered from memory for a while, then the host is asked again.
    await expect(s.get('yh', img('500.png'))).rejects.toMatchObject({ code: 'upstream' })
    expect(hits.get('/cdn/chat-img.jwznb.com/500.png')).toBe(1)
    await new Promise((r) => setTimeout(r, 60))
    await expect(s.get('yh', img('500.png'))).rejects.toMatchObject({ code: 'upstream' })
    expect(hits.get('/cdn/chat-img.jwznb.com/500.png')).toBe(2)
    // A host nobody answers on.
    const dead = new MediaService({ dir, policyOf: () => yunhuMediaPolicy('http://127.0.0.1:1') })
    await expect(dead.get('yh', img('x.png'))).rejects.toMatchObject({ code: 'network', message: expect.stringMatching(/^The Yunhu media host could not be reached \(ECONNREFUSED\)$/) })
  })

  it('accepts images, audio, video and binary files only', () => {
    for (const t of ['image/png', 'image/jpeg; charset=binary', 'audio/mp4', 'video/mp4', 'application/octet-stream']) expect(isMediaContentType(t), t).toBe(true)
    for (const t of ['text/html', 'image/svg+xml', 'application/javascript', 'application/json', '']) expect(isMediaContentType(t), t).toBe(false)
  })
})

describe('media answers (shared by the Electron protocol and the bridge)', () => {
  it('serves the file, a byte range, and errors as JSON with a status', async () => {
    const s = service()
    const path = (url: string): string => new URL(appMediaUrl({ kind: 'electron' }, 'yh', url)).pathname
    expect(parseMediaPath(path('https://chat-img.jwznb.com/a b.png'))).toEqual({ accountId: 'yh', url: 'https://chat-img.jwznb.com/a b.png' })
    const ok = await answerMedia(s, path('https://chat-img.jwznb.com/x.png'), { method: 'GET' })
    expect(ok.status).toBe(200)
    expect(ok.headers).toMatchObject({ 'Content-Type': 'image/png', 'Content-Length': String(PNG.length), 'X-Content-Type-Options': 'nosniff' })
    expect(Buffer.from(ok.body!).equals(PNG)).toBe(true)
    const part = await answerMedia(s, path('https://chat-img.jwznb.com/x.png'), { method: 'GET', range: 'bytes=0-7' })
    expect(part.status).toBe(206)
    expect(part.headers['Content-Range']).toBe(`bytes 0-7/${PNG.length}`)
    expect(Buffer.from(part.body!).equals(PNG.subarray(0, 8))).toBe(true)
    expect(parseRange('bytes=-4', 10)).toEqual([6, 9])
    expect(parseRange('bytes=20-', 10)).toBe('bad')
    const foreign = await answerMedia(s, path('https://evil.example/x.png'), { method: 'GET' })
    expect(foreign.status).toBe(403)
    expect(JSON.parse(Buffer.from(foreign.body!).toString())).toEqual({ error: { code: 'not-allowed', message: 'evil.example is not a Yunhu media host, so it is not loaded' } })
    expect((await answerMedia(s, '/only-one-part', { method: 'GET' })).status).toBe(404)
    expect((await answerMedia(s, path('https://chat-img.jwznb.com/x.png'), { method: 'POST' })).status).toBe(405)
  })
})
