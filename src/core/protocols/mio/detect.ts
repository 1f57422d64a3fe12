/**
 * Which generation of Mio-Chat server is at an address, without credentials (mio-v2.md "Telling the
 * three apart"): `GET /socket.io/?EIO=4&transport=polling` with a short timeout.
 * - `200 text/plain` whose body is an engine.io open packet (`0{"sid":…`) → `v2` (Socket.IO);
 * - any other HTTP answer (the v1 server's web page, a 404, …) → `v1`: a candidate only, the caller
 *   goes on with the raw-WebSocket client (MioClient), which tells spec and field apart at login;
 * - refused, unresolvable or no answer in time → `none` (unreachable).
 * The probe opens an engine.io session the server drops by itself 45 s later; nothing else is touched.
 */
import { v2HttpBase } from './v2/frames'

export type MioGeneration = 'v2' | 'v1' | 'none'

export interface DetectOptions {
  /** Default 3 s, for the whole probe (connect, headers, body). */
  timeoutMs?: number
}

/** The body of the probe is short (≈120 bytes); a page is never read beyond this. */
const MAX_PROBE_BODY = 4096

async function readHead(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < max) {
      const { done, value } = await reader.read()
      if (done || !value) break
      chunks.push(value)
      size += value.length
    }
  } finally {
    void reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8')
}

/** Is `body` an engine.io v4 open packet: `0{"sid":"…", …}`? */
export function isEngineIoOpen(body: string): boolean {
  if (!body.startsWith('0{')) return false
  // A polling payload may carry more packets after the first, separated by \x1e.
  const first = body.slice(1).split('\x1e')[0]!
  try {
    const o = JSON.parse(first) as unknown
    return typeof o === 'object' && o !== null && typeof (o as { sid?: unknown }).sid === 'string'
  } catch {
    return false
  }
}

export async function detectMioGeneration(server: string, doFetch: typeof fetch = fetch, opts: DetectOptions = {}): Promise<MioGeneration> {
  let url: URL
  try {
    url = new URL('/socket.io/?EIO=4&transport=polling', v2HttpBase(server))
  } catch {
    return 'none'
  }
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 3000)
  let res: Response
  try {
    res = await doFetch(url, { method: 'GET', signal, headers: { accept: 'text/plain, */*' }, redirect: 'manual' })
  } catch {
    return 'none'
  }
  const type = (res.headers.get('content-type') ?? '').toLowerCase()
  if (res.status !== 200 || !type.startsWith('text/plain')) {
    void res.body?.cancel().catch(() => {})
    return 'v1'
  }
  let body: string
  try {
    body = await readHead(res, MAX_PROBE_BODY)
  } catch {
    // Headers came, the body did not (in time): a server answered, but not as Socket.IO does.
    return 'v1'
  }
  return isEngineIoOpen(body) ? 'v2' : 'v1'
}
