// Shared helpers for the Yunhu client unit tests (not a test file itself).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, WebSocket } from 'ws'
import { encodeYunhuBody } from '../../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuBodyName, YunhuBodyTypes } from '../../../src/shared/yunhu'

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/yunhu-fixtures/', import.meta.url))

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURE_DIR}${name}.bin`))
}

export interface RecordedCall {
  url: URL
  method: string
  headers: Record<string, string>
  body: Uint8Array
  json?: any
}

export type Responder = (call: RecordedCall) => Response | Promise<Response>

/** A fetch that records every call and answers with `respond` (default: JSON success). */
export function fakeFetch(respond: Responder = () => jsonResponse({ code: 1, msg: 'success' })) {
  const calls: RecordedCall[] = []
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input))
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries((init?.headers as Record<string, string>) ?? {})) headers[k.toLowerCase()] = v
    let body: Uint8Array = new Uint8Array(0)
    const b: unknown = init?.body
    if (typeof b === 'string') body = new TextEncoder().encode(b)
    else if (b instanceof Uint8Array) body = b
    const call: RecordedCall = { url, method: init?.method ?? 'GET', headers, body }
    if (headers['content-type'] === 'application/json') call.json = JSON.parse(typeof b === 'string' ? b : '')
    calls.push(call)
    const signal = init?.signal
    if (signal?.aborted) throw signal.reason
    return respond(call)
  }
  return { fetch: fn as unknown as typeof fetch, calls }
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

export function bytesResponse(bytes: Uint8Array, status = 200): Response {
  return new Response(bytes as unknown as ArrayBuffer, { status, headers: { 'content-type': 'application/x-protobuf' } })
}

/** A reply whose body is the bytes of a fixture. */
export function fixtureResponse(name: string): Response {
  return bytesResponse(fixture(name))
}

export function protoResponse<K extends YunhuBodyName>(name: K, body: YunhuBodyTypes[K], status = 200): Response {
  return bytesResponse(encodeYunhuBody(name, body), status)
}

export const OK_STATUS = { request_id: '114514', code: 1, msg: 'success' }

/** A fetch that never answers until aborted (for timeouts). */
export function hangingFetch(): typeof fetch {
  return ((_input: unknown, init?: RequestInit) =>
    new Promise((_resolve, reject) => {
      const s = init?.signal
      s?.addEventListener('abort', () => reject(s.reason), { once: true })
    })) as unknown as typeof fetch
}

// ------------------------------------------------------------------------------ ws server

export interface WsConn {
  ws: WebSocket
  /** Text frames received, parsed. */
  frames: any[]
}

/** A scripted WebSocket server on 127.0.0.1:0. */
export class YunhuWsServer {
  readonly wss: WebSocketServer
  readonly conns: WsConn[] = []
  onFrame?: (conn: WsConn, frame: any) => void
  onConnection?: (conn: WsConn) => void
  private waiters: Array<() => void> = []

  private constructor(wss: WebSocketServer) {
    this.wss = wss
    wss.on('connection', (ws) => {
      const conn: WsConn = { ws, frames: [] }
      this.conns.push(conn)
      ws.on('message', (data, isBinary) => {
        const text = isBinary ? '' : data.toString()
        let f: any
        try {
          f = JSON.parse(text)
        } catch {
          f = { raw: text }
        }
        conn.frames.push(f)
        this.onFrame?.(conn, f)
        this.kick()
      })
      this.onConnection?.(conn)
      this.kick()
    })
  }

  static async start(): Promise<YunhuWsServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((r) => wss.once('listening', () => r()))
    return new YunhuWsServer(wss)
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws`
  }

  get last(): WsConn {
    return this.conns[this.conns.length - 1]!
  }

  private kick(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  /** Resolves when `pred` holds (checked on every connection/frame), or rejects after `ms`. */
  async until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
    const t0 = Date.now()
    while (!pred()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>((r) => {
        this.waiters.push(r)
        setTimeout(r, 20)
      })
    }
  }

  sendAll(bytes: Uint8Array | string): void {
    for (const c of this.conns) if (c.ws.readyState === WebSocket.OPEN) c.ws.send(bytes, { binary: typeof bytes !== 'string' })
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate()
    await new Promise<void>((r) => this.wss.close(() => r()))
  }
}

export async function waitFor(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now()
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
