/**
 * One answer to a request for an app media URL, for every host (Electron's miodesk-media:// protocol
 * and the browser bridge's /media/ path): the cached file with its type (a single byte range when
 * asked, for audio and video), or a JSON MediaErrorBody with a fitting status. Never throws.
 */
import { open } from 'node:fs/promises'
import { parseMediaPath, type MediaErrorBody, type MediaErrorCode } from '../../shared/media'
import { MediaError, type MediaService } from './service'

export interface MediaAnswer {
  status: number
  headers: Record<string, string>
  body: Uint8Array | null
}

const STATUS: Record<MediaErrorCode, number> = {
  'no-media': 403,
  'not-allowed': 403,
  'too-large': 413,
  'bad-type': 415,
  refused: 502,
  'not-found': 404,
  upstream: 502,
  network: 504
}

const BASE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  // Served bytes are never a document that runs anything.
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Referrer-Policy': 'no-referrer'
}

export function mediaErrorAnswer(code: MediaErrorCode, message: string): MediaAnswer {
  const body: MediaErrorBody = { error: { code, message } }
  return {
    status: STATUS[code],
    headers: { ...BASE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: new TextEncoder().encode(JSON.stringify(body))
  }
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → [start, end] inclusive; null: no (or an unsupported) range; 'bad': unsatisfiable. */
export function parseRange(header: string | null | undefined, size: number): [number, number] | null | 'bad' {
  if (!header) return null
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return null
  let start: number
  let end: number
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]))
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  if (start > end || start >= size) return 'bad'
  return [start, end]
}

/** Answers a request whose path (after the host's prefix) is `/<account>/<url>`. */
export async function answerMedia(service: MediaService, pathname: string, req: { method: string; range?: string | null }): Promise<MediaAnswer> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return { ...mediaErrorAnswer('not-allowed', 'Only GET and HEAD'), status: 405 }
  const target = parseMediaPath(pathname)
  if (!target) return { ...mediaErrorAnswer('not-allowed', 'That is not a media address of this app'), status: 404 }
  try {
    const file = await service.get(target.accountId, target.url)
    const range = parseRange(req.range, file.size)
    const headers: Record<string, string> = { ...BASE_HEADERS, 'Content-Type': file.contentType, 'Accept-Ranges': 'bytes', 'Cache-Control': 'private, max-age=86400' }
    if (range === 'bad') return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${file.size}` }, body: null }
    const [start, end] = range ?? [0, file.size - 1]
    const length = Math.max(0, end - start + 1)
    headers['Content-Length'] = String(length)
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`
    let body: Uint8Array | null = null
    if (req.method === 'GET' && length > 0) {
      const fh = await open(file.path, 'r')
      try {
        const buf = Buffer.alloc(length)
        const { bytesRead } = await fh.read(buf, 0, length, start)
        body = new Uint8Array(buf.buffer, buf.byteOffset, bytesRead)
      } finally {
        await fh.close()
      }
    }
    return { status: range ? 206 : 200, headers, body }
  } catch (e) {
    if (e instanceof MediaError) return mediaErrorAnswer(e.code, e.message)
    // The file went away between the lookup and the read (evicted): the next request fetches it again.
    return mediaErrorAnswer('network', 'The media file could not be read from the cache')
  }
}
