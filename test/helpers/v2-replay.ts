/**
 * Replays the server side of a recorded session of the Socket.IO Mio-Chat server (v2) to a real
 * MioV2Client, with a real Socket.IO server (the `socket.io` package) on 127.0.0.1.
 *
 * Per recorded socket.io-client connection ("conn"; the raw-WebSocket probes are left out):
 * - the CONNECT is mapped to the next unused recorded conn with the same credentials; a recorded
 *   refusal (`44{"message":…}`) is replayed by the middleware;
 * - the recorded server frames (`message` events, as the server's own JSON text) are sent in order.
 *   Each waits for its cause: the nearest recorded client send before it that our client can make
 *   (a frame the server would take, an event the gate lets through). Our sends are matched to the
 *   recorded ones by protocol/type (events by name), in order; a recorded send our client never makes
 *   is skipped once it makes a later one, and what it caused is dropped. A recorded reply gets our
 *   request_id. Heartbeats are answered as the server does, whenever they come;
 * - a recorded server DISCONNECT is replayed; so is the recording client leaving, as a server
 *   DISCONNECT, when the recording reconnects afterwards (the same credentials again);
 * - `GET /api/base_info` and `POST /api/share/set` answer as recorded in v2-l.
 * Every event our client emits is checked by an oracle written apart from the client's gate: the
 * crash shapes of mio-v2.md land in `unsafe`.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server, type Socket as ServerSocket } from 'socket.io'
import { isObject, type Json } from '../../src/core/protocols/mio/frames'
import { MioV2Client, type MioV2ClientOptions } from '../../src/core/protocols/mio/v2/client'
import type { Entry, Transcript } from './transcripts'
import { loadV2Transcript } from './v2-transcripts'

/**
 * The five inputs that crash the v2 server (mio-v2.md "Crashes"), judged on what the server receives.
 * Deliberately independent of the client's `v2UnsafeReason`.
 */
export function v2CrashShape(event: string, args: unknown[]): string | undefined {
  const arg = args[0]
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
  if (event === 'interruptGeneration' && !obj(arg)) return 'crash 3: interruptGeneration without an argument'
  if (event === 'tool:interact') {
    if (!obj(arg)) return 'crash 4: tool:interact without an argument'
    if (!obj(arg.payload)) return 'crash 5: tool:interact without a payload'
  }
  if (event === 'message' && typeof arg === 'string') {
    let f: unknown
    try {
      f = JSON.parse(arg)
    } catch {
      return undefined
    }
    if (!obj(f) || f.protocol !== 'onebot') return undefined
    if (!Array.isArray(f.data)) return 'crash 1: onebot data that is not an array'
    for (const s of f.data) if (!obj(s) || !obj(s.data)) return 'crash 2: an onebot segment without data'
  }
  return undefined
}

export interface OurEvent {
  event: string
  args: unknown[]
  /** The app frame, for `message` events. */
  frame?: Json
}

interface RecSend {
  step: number
  key: string
  entry: Entry
  frame?: Json
  /** Our client could make this send (the server takes it; the gate lets it through). */
  replayable: boolean
  auto: boolean
  ours?: OurEvent
  skipped: boolean
}

type Step =
  | { kind: 'send'; send: RecSend }
  | { kind: 'recv'; entry: Entry; frame: Json; text: string; answers?: RecSend; cause?: RecSend }
  | { kind: 'disconnect'; by: 'client' | 'server'; cause?: RecSend }

function frameKey(f: Json): string {
  const type = typeof f.type === 'string' ? f.type : isObject(f.data) && typeof f.data.type === 'string' ? f.data.type : ''
  return `${String(f.protocol)}/${type}`
}

function ourKey(e: OurEvent): string {
  return e.event === 'message' ? (e.frame ? frameKey(e.frame) : 'message/?') : e.event
}

/** Would the real server take this recorded send, and could our client make it? */
function replayableSend(event: string, args: unknown[], frame: Json | undefined): boolean {
  if (event === 'message') {
    if (!frame || typeof args[0] !== 'string') return false
    if (frame.request_id === undefined || !frame.protocol || !frame.data) return false
    if (frame.protocol !== 'llm' && frame.protocol !== 'onebot' && frame.protocol !== 'system') return false
    return v2CrashShape(event, args) === undefined
  }
  if (event === 'interruptGeneration') return isObject(args[0]) && typeof args[0].messageId === 'string' && args[0].messageId !== ''
  if (event === 'tool:interact') return v2CrashShape(event, args) === undefined
  return false
}

function serverText(e: Entry): string {
  if (typeof e.raw === 'string' && e.raw.startsWith('42[')) {
    try {
      const v = JSON.parse(e.raw.slice(2)) as unknown[]
      if (v[0] === 'message' && typeof v[1] === 'string') return v[1]
    } catch {
      /* fall back to the parsed frame */
    }
  }
  return JSON.stringify(e.frame)
}

export class V2ConnScript {
  readonly auth: { id?: unknown; token?: unknown }
  readonly refusal?: string
  readonly steps: Step[] = []
  readonly sends: RecSend[] = []
  /** Every event our client emitted on this conn. */
  readonly ours: OurEvent[] = []
  /** Our events that matched no recorded send (heartbeats excepted). */
  readonly unexpected: OurEvent[] = []
  /** Frames the server sent here. */
  readonly sent: Json[] = []
  readonly droppedReplies: Json[] = []
  socket?: ServerSocket
  assigned = false
  /** The CONNECT payload our client sent for this conn. */
  ourAuth?: Json
  private cursor = 0

  constructor(
    readonly transcript: Transcript,
    readonly name: string,
    readonly reconnectsAfter: boolean
  ) {
    const entries = transcript.entries.filter((e) => e.conn === name)
    const connect = entries.find((e) => e.dir === 'send' && e.packet === 'sio-connect')
    this.auth = isObject(connect?.frame) ? connect.frame : {}
    const refused = entries.find((e) => e.dir === 'recv' && e.packet === 'sio-connect-error')
    if (refused && isObject(refused.frame)) this.refusal = String(refused.frame.message)
    const byId = new Map<unknown, RecSend>()
    let cause: RecSend | undefined
    for (const e of entries) {
      if (e.dir === 'send' && e.packet === 'sio-event') {
        const event = String(e.event)
        const frame = event === 'message' && isObject(e.frame) ? e.frame : undefined
        const args = Array.isArray(e.args) ? (e.args as unknown[]) : 'frame' in e ? [JSON.stringify(e.frame)] : []
        const auto = !!frame && frame.protocol === 'system' && frame.type === 'heartbeat'
        const s: RecSend = {
          step: this.steps.length,
          key: frame ? frameKey(frame) : event,
          entry: e,
          frame,
          replayable: !auto && replayableSend(event, args, frame),
          auto,
          skipped: false
        }
        if (!s.replayable && !auto) s.skipped = true
        this.sends.push(s)
        this.steps.push({ kind: 'send', send: s })
        // A send our client cannot make never claims a request id a real one of ours has (h1: an abort without data).
        if (frame?.request_id !== undefined && (s.replayable || s.auto || !byId.has(frame.request_id))) byId.set(frame.request_id, s)
        if (s.replayable) cause = s
      } else if (e.dir === 'send' && e.packet === 'sio-disconnect') {
        this.steps.push({ kind: 'disconnect', by: 'client', cause })
      } else if (e.dir === 'recv' && e.packet === 'sio-disconnect') {
        this.steps.push({ kind: 'disconnect', by: 'server', cause })
      } else if (e.dir === 'recv' && e.packet === 'sio-event' && e.event === 'message' && isObject(e.frame)) {
        const answers = e.frame.request_id !== undefined ? byId.get(e.frame.request_id) : undefined
        this.steps.push({ kind: 'recv', entry: e, frame: e.frame, text: serverText(e), answers, cause })
      }
    }
  }

  /** Every recorded step was replayed (or dropped). */
  get finished(): boolean {
    return this.cursor >= this.steps.length
  }

  /** The recorded server frames of this conn. */
  get recordedRecv(): Json[] {
    return this.steps.flatMap((s) => (s.kind === 'recv' ? [s.frame] : []))
  }

  /** Our app frames (message events), parsed. */
  get ourFrames(): Json[] {
    return this.ours.flatMap((e) => (e.frame ? [e.frame] : []))
  }

  attach(socket: ServerSocket): void {
    this.socket = socket
    this.pump()
  }

  onClientEvent(e: OurEvent): void {
    this.ours.push(e)
    const f = e.frame
    if (f && f.protocol === 'system' && f.type === 'heartbeat') {
      this.socket?.emit('message', JSON.stringify({ data: { delay: 0, revTime: Date.now() }, protocol: 'system', request_id: f.request_id, type: 'heartbeat' }))
      return
    }
    const key = ourKey(e)
    const idx = this.sends.findIndex((s) => s.replayable && !s.ours && !s.skipped && s.key === key)
    if (idx < 0) {
      this.unexpected.push(e)
      return
    }
    for (let i = 0; i < idx; i++) {
      const s = this.sends[i]!
      if (s.replayable && !s.ours) s.skipped = true
    }
    this.sends[idx]!.ours = e
    this.pump()
  }

  private pump(): void {
    const socket = this.socket
    if (!socket) return
    while (this.cursor < this.steps.length) {
      const step = this.steps[this.cursor]!
      if (step.kind === 'send') {
        this.cursor++
        continue
      }
      if (step.kind === 'disconnect') {
        // The recording client left (or the server dropped it) after its last send: so do we.
        if (step.cause && !step.cause.ours && !step.cause.skipped) return
        this.cursor++
        if (step.by === 'server' || this.reconnectsAfter) {
          socket.disconnect(true)
          return
        }
        continue
      }
      const cause = step.cause
      if (step.answers?.auto || step.answers?.skipped || cause?.skipped) {
        this.droppedReplies.push(step.frame)
        this.cursor++
        continue
      }
      if (cause && !cause.ours) return // wait for our client's corresponding send
      const ours = step.answers?.ours?.frame
      if (ours && ours.request_id !== step.frame.request_id) {
        const out = { ...step.frame, request_id: ours.request_id }
        this.sent.push(out)
        socket.emit('message', JSON.stringify(out))
      } else {
        this.sent.push(step.frame)
        socket.emit('message', step.text)
      }
      this.cursor++
    }
  }
}

/** The conns of a recording that socket.io-client made (not the raw WebSocket probes). */
export function v2SocketIoConns(t: Transcript): string[] {
  const out: string[] = []
  for (const e of t.entries) {
    if (!e.conn || out.includes(e.conn) || e.conn.startsWith('raw-')) continue
    if (e.dir === 'send' && e.packet === 'sio-connect' && !e.nsp) out.push(e.conn)
  }
  return out
}

export interface V2ReplayHttp {
  baseInfo?: unknown
  /** Recorded POST /api/share/set answers, in order. */
  shares?: { status: number; contentType: string; body: string }[]
}

/** The HTTP answers of v2-l, for /api/base_info and /api/share/set. */
export function recordedHttp(): V2ReplayHttp & { shareRequests: unknown[] } {
  const t = loadV2Transcript('v2-l_http')
  const res = (path: string, method = 'GET') => t.entries.filter((e) => e.dir === 'http-response' && e.path === path && e.method === method)
  const shares = res('/api/share/set', 'POST').map((e) => ({
    status: e.status as number,
    contentType: (e.status as number) === 200 ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    body: typeof e.body === 'string' ? e.body : JSON.stringify(e.body)
  }))
  const shareRequests = t.entries.filter((e) => e.dir === 'http-request' && e.path === '/api/share/set').map((e) => e.body)
  return { baseInfo: res('/api/base_info')[0]?.body, shares, shareRequests }
}

export class V2Replay {
  readonly scripts: V2ConnScript[]
  readonly clients: MioV2Client[] = []
  /** Every event any client emitted, with the crash shapes found. */
  readonly unsafe: { conn: string; reason: string; event: OurEvent }[] = []
  /** CONNECTs that matched no recorded conn. */
  readonly unmatched: unknown[] = []
  readonly httpRequests: { method: string; url: string; body: string }[] = []
  connects = 0
  port = 0
  private io!: Server
  private http!: http.Server
  private shareIndex = 0

  private constructor(
    readonly transcript: Transcript,
    private readonly httpAnswers: V2ReplayHttp
  ) {
    const conns = v2SocketIoConns(transcript)
    const auth = (name: string): string => JSON.stringify(new V2ConnScript(transcript, name, false).auth)
    const at = (name: string, pred: (e: Entry) => boolean): number => transcript.entries.find((e) => e.conn === name && pred(e))?.t_ms ?? Infinity
    this.scripts = conns.map((c, i) => {
      // The recording client left and came back with the same credentials (not a second device open at the same time).
      const left = at(c, (e) => e.dir === 'send' && e.packet === 'sio-disconnect')
      const later = conns.slice(i + 1).some((d) => auth(d) === auth(c) && at(d, (e) => e.dir === 'event' && e.event === 'connect') > left)
      return new V2ConnScript(transcript, c, later)
    })
  }

  static async start(t: Transcript | string, httpAnswers: V2ReplayHttp = recordedHttp()): Promise<V2Replay> {
    const r = new V2Replay(typeof t === 'string' ? loadV2Transcript(t) : t, httpAnswers)
    await r.listen()
    return r
  }

  private async listen(): Promise<void> {
    this.http = http.createServer((req, res) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (c: string) => (body += c))
      req.on('end', () => {
        this.httpRequests.push({ method: req.method ?? '', url: req.url ?? '', body })
        if (req.method === 'GET' && req.url === '/api/base_info' && this.httpAnswers.baseInfo !== undefined) {
          res.setHeader('content-type', 'application/json; charset=utf-8')
          return res.end(JSON.stringify(this.httpAnswers.baseInfo))
        }
        if (req.method === 'POST' && req.url === '/api/share/set' && this.httpAnswers.shares?.[this.shareIndex]) {
          const a = this.httpAnswers.shares[this.shareIndex++]!
          res.statusCode = a.status
          res.setHeader('content-type', a.contentType)
          return res.end(a.body.replace(/http:\/\/127\.0\.0\.1:\d+/g, `http://127.0.0.1:${this.port}`))
        }
        res.statusCode = 404
        res.setHeader('content-type', 'application/json')
        res.end('{"code":1,"message":"not found"}')
      })
    })
    this.io = new Server(this.http, { path: '/socket.io/', serveClient: false })
    this.io.use((socket, next) => {
      this.connects++
      const a = (isObject(socket.handshake.auth) ? socket.handshake.auth : {}) as Json
      const s = this.scripts.find((x) => !x.assigned && x.auth.token === a.token && x.auth.id !== undefined && String(x.auth.id) === String(a.id))
      if (!s) {
        this.unmatched.push(a)
        return next(new Error('replay: no recorded connection for these credentials'))
      }
      s.assigned = true
      s.ourAuth = a
      if (s.refusal !== undefined) return next(new Error(s.refusal))
      ;(socket.data as { script?: V2ConnScript }).script = s
      next()
    })
    this.io.on('connection', (socket) => {
      const s = (socket.data as { script?: V2ConnScript }).script!
      socket.onAny((event: string, ...args: unknown[]) => {
        let frame: Json | undefined
        if (event === 'message' && typeof args[0] === 'string') {
          try {
            const v = JSON.parse(args[0]) as unknown
            if (isObject(v)) frame = v
          } catch {
            /* not JSON: kept as an event */
          }
        }
        const e: OurEvent = { event, args, frame }
        const bad = v2CrashShape(event, args)
        if (bad) this.unsafe.push({ conn: s.name, reason: bad, event: e })
        s.onClientEvent(e)
      })
      s.attach(socket)
    })
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve))
    this.port = (this.http.address() as AddressInfo).port
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  script(name: string): V2ConnScript {
    const s = this.scripts.find((x) => x.name === name)
    if (!s) throw new Error(`${this.transcript.name}: no conn ${name}`)
    return s
  }

  /** A MioV2Client with the recorded credentials of `conn` and fast timings. */
  client(name: string, o: Partial<MioV2ClientOptions> = {}): MioV2Client {
    const a = this.script(name).auth
    const c = new MioV2Client({
      server: this.url,
      id: String(a.id),
      token: String(a.token ?? ''),
      heartbeatIntervalMs: 60_000,
      connectTimeoutMs: 2000,
      requestTimeoutMs: 2000,
      baseInfoTimeoutMs: 1000,
      backoff: { baseMs: 10, maxMs: 50, factor: 2, jitter: 0 },
      ...o
    })
    this.clients.push(c)
    return c
  }

  /** Kills the server: every connection drops and the port closes (connection refused). */
  async kill(): Promise<void> {
    this.io.disconnectSockets(true)
    await new Promise<void>((resolve) => this.io.close(() => resolve()))
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.stop()
    await new Promise<void>((resolve) => this.io.close(() => resolve()))
    this.http.closeAllConnections?.()
  }
}
