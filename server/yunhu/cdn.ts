/**
 * A stand-in for Yunhu's media CDN (chat-img.jwznb.com and friends) at `GET /cdn/<host>/<path>`, so the
 * app's media path can be tested offline: MioDesk sends a Yunhu account on a plain-http (local) API base
 * its CDN requests here (src/core/accounts/yunhu/media.ts).
 *
 * Like the real hosts (docs/protocol/yunhu-media.md): chat-img, chat-img2, chat-img3, chat-file,
 * chat-audio1 and chat-video1 answer 403 unless the request carries `Referer: http://myapp.jwznb.com`
 * (the https form is accepted too, as MX sends it); chat-storage1 and chat-file-oss do not check it.
 * Image hosts answer any path with a PNG drawn from the path (so each picture differs); chat-file answers
 * a small binary file; a path containing `missing` is 404, as are the audio and video hosts (no demo media).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createHash } from 'node:crypto'
import { deflateSync } from 'node:zlib'

const CHECKED = new Set(['chat-img.jwznb.com', 'chat-img2.jwznb.com', 'chat-img3.jwznb.com', 'chat-file.jwznb.com', 'chat-audio1.jwznb.com', 'chat-video1.jwznb.com'])
const UNCHECKED = new Set(['chat-storage1.jwznb.com', 'chat-file-oss.jwznb.com'])
const IMAGE_HOSTS = new Set(['chat-img.jwznb.com', 'chat-img2.jwznb.com', 'chat-img3.jwznb.com', 'chat-storage1.jwznb.com'])

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** A 240×160 RGB PNG: two colours from the path's hash in diagonal bands. */
export function demoPng(seed: string, width = 240, height = 160): Buffer {
  const h = createHash('sha256').update(seed).digest()
  const a = [h[0]!, h[1]!, h[2]!]
  const b = [255 - h[0]!, 255 - h[1]!, 255 - h[2]!]
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1)
    for (let x = 0; x < width; x++) {
      const c = Math.floor((x + y) / 24) % 2 ? a : b
      raw.set(c, row + 1 + x * 3)
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

/** Answers bytes, with one `Range: bytes=a-b` honoured (voice and video players ask for ranges). */
function serveBytes(req: IncomingMessage, res: ServerResponse, body: Buffer, type: string): true {
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''))
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, body.length - Number(range[2]))
    const end = range[1] && range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1
    if (start > end || start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` })
      res.end()
      return true
    }
    const part = body.subarray(start, end + 1)
    res.writeHead(206, { 'content-type': type, 'content-length': part.length, 'content-range': `bytes ${start}-${end}/${body.length}`, 'accept-ranges': 'bytes' })
    res.end(req.method === 'HEAD' ? undefined : part)
    return true
  }
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'accept-ranges': 'bytes', 'cache-control': 'public, max-age=31536000' })
  res.end(req.method === 'HEAD' ? undefined : body)
  return true
}

function refererOk(referer: string | undefined): boolean {
  if (!referer) return false
  try {
    const u = new URL(referer)
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === 'myapp.jwznb.com'
  } catch {
    return false
  }
}

export interface YunhuCdn {
  handle(req: IncomingMessage, res: ServerResponse): boolean
  /** Requests answered, by `<host>/<path>` (tests). */
  hits: Map<string, number>
}

/** A file uploaded to the reference server, served on its bucket's host (upload.ts). */
export type UploadedFile = (host: string, path: string) => { body: Buffer; type: string } | undefined

export function createYunhuCdn(uploaded?: UploadedFile): YunhuCdn {
  const hits = new Map<string, number>()
  const text = (res: ServerResponse, status: number, body: string): true => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) })
    res.end(body)
    return true
  }
  return {
    hits,
    handle(req, res) {
      const m = /^\/cdn\/([^/]+)\/(.+)$/.exec((req.url ?? '').split('?')[0]!)
      if (!m) return text(res, 404, '404 page not found')
      const host = m[1]!.toLowerCase()
      const path = m[2]!
      if (!CHECKED.has(host) && !UNCHECKED.has(host)) return text(res, 404, '404 page not found')
      if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed')
      if (CHECKED.has(host) && !refererOk(req.headers.referer)) return text(res, 403, '403 Forbidden')
      hits.set(`${host}/${path}`, (hits.get(`${host}/${path}`) ?? 0) + 1)
      if (path.includes('missing')) return text(res, 404, '404 Not Found')
      const up = uploaded?.(host, path)
      if (up) return serveBytes(req, res, up.body, up.type)
      let body: Buffer
      let type: string
      if (IMAGE_HOSTS.has(host)) {
        body = demoPng(path)
        type = 'image/png'
      } else if (host === 'chat-file.jwznb.com' || host === 'chat-file-oss.jwznb.com') {
        body = Buffer.from(`MioDesk demo file ${path}\n`.repeat(64))
        type = 'application/octet-stream'
      } else return text(res, 404, '404 Not Found')
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'public, max-age=31536000' })
      res.end(req.method === 'HEAD' ? undefined : body)
      return true
    }
  }
}
