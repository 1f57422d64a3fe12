/**
 * A small scripted WebSocket server on 127.0.0.1 (port 0) for transport and protocol tests.
 *
 * - Per upgrade it can accept, hang (TCP accepted, no 101 ever — like the real Mio-Chat server on a
 *   wrong code) or answer an HTTP status.
 * - It records every frame a client sent, and checks each one against the field server's crash gate
 *   (`fieldUnsafeReason`): violations are collected in `unsafe` so tests can assert there are none.
 * - `dropAll()` cuts every link (the server stays up); `kill()` also stops listening (connection refused).
 */
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import { fieldUnsafeReason, isObject, type Json } from '../../src/core/protocols/mio/frames'

export type UpgradeDecision = 'accept' | 'hang' | { status: number }

export interface FakeConn {
  readonly index: number
  readonly url: URL
  readonly ws: WebSocket
  /** Frames received that parsed as JSON objects, in order. */
  readonly frames: Json[]
  /** Every text frame received, as sent. */
  readonly raw: string[]
  send(frame: unknown): void
  terminate(): void
  readonly closed: boolean
}

export interface FakeServerOptions {
  onUpgrade?: (url: URL, n: number) => UpgradeDecision
  onConnection?: (conn: FakeConn) => void
  onFrame?: (conn: FakeConn, frame: Json | undefined, raw: string, isBinary: boolean) => void
  /** Serve plain HTTP requests (everything but upgrades). */
  onHttp?: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void
}

export interface UnsafeFrame {
  conn: number
  reason: string
  frame: Json
}

export class FakeServer {
  readonly conns: FakeConn[] = []
  readonly upgrades: URL[] = []
  readonly unsafe: UnsafeFrame[] = []
  /** TCP connections accepted (including hung upgrades). */
  tcpConnections = 0
  private readonly sockets = new Set<net.Socket>()
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 })
  private readonly http: http.Server
  port = 0

  constructor(private readonly o: FakeServerOptions) {
    this.http = http.createServer((req, res) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (c: string) => (body += c))
      req.on('end', () => {
        if (this.o.onHttp) this.o.onHttp(req, res, body)
        else {
          res.statusCode = 404
          res.end()
        }
      })
    })
    this.http.on('connection', (s: net.Socket) => {
      this.tcpConnections++
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    this.http.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const n = this.upgrades.length
      this.upgrades.push(url)
      const decision = this.o.onUpgrade ? this.o.onUpgrade(url, n) : 'accept'
      socket.on('error', () => {})
      if (decision === 'hang') return // accept TCP, never answer: no 101, no bytes, no close
      if (decision !== 'accept') {
        socket.end(`HTTP/1.1 ${decision.status} Nope\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
        return
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.adopt(ws, url))
    })
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`
  }

  listen(port = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject)
      this.http.listen(port, '127.0.0.1', () => {
        this.port = (this.http.address() as AddressInfo).port
        resolve()
      })
    })
  }

  private adopt(ws: WebSocket, url: URL): void {
    const frames: Json[] = []
    const raw: string[] = []
    let closed = false
    const conn: FakeConn = {
      index: this.conns.length,
      url,
      ws,
      frames,
      raw,
      send: (frame: unknown) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame))
      },
      terminate: () => ws.terminate(),
      get closed() {
        return closed
      }
    }
    this.conns.push(conn)
    ws.on('error', () => {})
    ws.on('close', () => (closed = true))
    ws.on('message', (data, isBinary) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8')
      raw.push(text)
      let frame: Json | undefined
      try {
        const parsed: unknown = JSON.parse(text)
        if (isObject(parsed)) frame = parsed
      } catch {
        frame = undefined
      }
      if (frame) {
        frames.push(frame)
        const reason = fieldUnsafeReason(frame)
        if (reason) this.unsafe.push({ conn: conn.index, reason, frame })
      }
      this.o.onFrame?.(conn, frame, text, isBinary)
    })
    this.o.onConnection?.(conn)
  }

  /** Cuts every WebSocket link at once (TCP reset); the server keeps listening. */
  dropAll(): void {
    for (const c of this.wss.clients) c.terminate()
  }

  /** Like the real server crashing: every link dies and the port refuses connections. */
  async kill(): Promise<void> {
    this.dropAll()
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((r) => this.http.close(() => r()))
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate()
    for (const s of this.sockets) s.destroy()
    if (this.http.listening) await new Promise<void>((r) => this.http.close(() => r()))
    this.wss.close()
  }
}

export async function startFakeServer(o: FakeServerOptions = {}): Promise<FakeServer> {
  const s = new FakeServer(o)
  await s.listen()
  return s
}

/** A port nothing listens on (bound then released). */
export async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
  const port = (srv.address() as AddressInfo).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

/** Polls `cond` until it holds; rejects after `timeoutMs` with `what`. */
export async function waitFor(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

// ---------------------------------------------------------------------------------------------
// Canned behaviours of both dialects
// ---------------------------------------------------------------------------------------------

export interface FieldLogin {
  is_admin?: boolean
  admin_qq?: string
  bot_qq?: string
  default_model?: string
  models?: { owner: string; models: string[] }[]
}

let pushId = 5_300_000_000
export function fieldLoginPush(l: FieldLogin = {}): Json {
  return {
    request_id: ++pushId,
    protocol: 'system',
    type: 'login',
    data: {
      is_admin: l.is_admin ?? false,
      admin_qq: l.admin_qq ?? '10000001',
      bot_qq: l.bot_qq ?? '20000001',
      default_model: l.default_model ?? 'gpt-4o-mini',
      models: l.models ?? [{ owner: 'OpenAI', models: ['gpt-4o-mini'] }]
    }
  }
}

export function fieldHeartbeatReply(req: Json): Json {
  const d = isObject(req.data) ? req.data : {}
  const now = Date.now()
  return { request_id: req.request_id, protocol: 'system', type: 'heartbeat', data: { revTime: now, delay: typeof d.timestamp === 'number' ? now - d.timestamp : null } }
}

export interface FieldServerBehaviour {
  login?: FieldLogin | false
  /** Answer heartbeats (default true). */
  heartbeats?: boolean | (() => boolean)
  /** Ack onebot sends with this message id source. */
  ackMessages?: boolean
  onFrame?: (conn: FakeConn, frame: Json) => void
}

/** Options for startFakeServer that behave like the real (field) Mio-Chat server. */
export function fieldServer(b: FieldServerBehaviour = {}): FakeServerOptions {
  let mid = 5_304_399_000
  return {
    onConnection: (conn) => {
      if (b.login !== false) conn.send(fieldLoginPush(b.login || {}))
    },
    onFrame: (conn, frame) => {
      if (!frame) return
      const hb = typeof b.heartbeats === 'function' ? b.heartbeats() : b.heartbeats !== false
      if (frame.protocol === 'system' && frame.type === 'heartbeat' && hb) conn.send(fieldHeartbeatReply(frame))
      if (frame.protocol === 'onebot' && b.ackMessages !== false && Array.isArray(frame.data)) {
        conn.send({ request_id: frame.request_id, code: 0, message: 'ok', data: { message_id: ++mid } })
      }
      b.onFrame?.(conn, frame)
    }
  }
}

export interface SpecServerBehaviour {
  /** `code` of the login reply (0 = success). */
  loginCode?: number
  onFrame?: (conn: FakeConn, frame: Json) => void
}

/** Options for startFakeServer that behave like the seed document ("spec" dialect). */
export function specServer(b: SpecServerBehaviour = {}): FakeServerOptions {
  return {
    onFrame: (conn, frame) => {
      if (!frame) return
      if (frame.protocol === 'system' && frame.type === 'login') {
        const ok = (b.loginCode ?? 0) === 0
        conn.send(
          ok
            ? { request_id: frame.request_id, code: 0, message: 'success', data: { is_admin: true, admin_qq: '123456789', bot_qq: '987654321' } }
            : { request_id: frame.request_id, code: b.loginCode, message: 'failed', data: { reason: 'invalid code' } }
        )
      } else if (frame.protocol === 'system' && frame.type === 'heartbeat') {
        conn.send({ request_id: frame.request_id, code: 0, message: 'success', data: { delay: '1' } })
      }
      b.onFrame?.(conn, frame)
    }
  }
}
