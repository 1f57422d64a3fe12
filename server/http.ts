/**
 * Small HTTP helpers shared by every route of the reference server (Mio share API now, Yunhu `/v1/` later).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Default request body limit: 1 MB. */
export const MAX_BODY_BYTES = 1024 * 1024

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>
  ) {
    super(String(body.message ?? `HTTP ${status}`))
  }
}

/** Writes a JSON response (no-op when the response was already sent). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.writableEnded) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'access-control-allow-origin': '*'
  })
  res.end(text)
}

/** Reads the whole body as a Buffer, rejecting with HttpError 413 when it exceeds `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      req.resume()
      reject(new HttpError(413, { code: 1, message: 'body too large' }))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > limit) {
        failed = true
        chunks.length = 0
        // Keep draining so the client can read our 413 instead of a reset.
        reject(new HttpError(413, { code: 1, message: 'body too large' }))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks))
    })
    req.on('error', (err) => {
      if (!failed) {
        failed = true
        reject(err)
      }
    })
  })
}

/** Reads and parses a JSON body; HttpError 400 `{code:1, message:"invalid JSON"}` when it does not parse. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const buf = await readBody(req, limit)
  try {
    return JSON.parse(buf.toString('utf8'))
  } catch {
    throw new HttpError(400, { code: 1, message: 'invalid JSON' })
  }
}

/** Parses the request URL (path + query) relative to a dummy origin. */
export function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1')
  } catch {
    return new URL('http://127.0.0.1/')
  }
}

/** Replaces secret query values (tokens, codes, keys) in a URL or path before logging it. */
export function redactUrl(s: string): string {
  return s.replace(/([?&](?:mio-chat-token|token|password|code|key|api_key)=)[^&#\s"]*/gi, '$1***')
}
