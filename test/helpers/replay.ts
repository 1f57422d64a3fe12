/**
 * Replays the server side of a recorded Mio-Chat session to a real client.
 *
 * Per recorded connection ("conn") the server:
 * - answers the upgrade as recorded: a 101 when the recording got one, otherwise it accepts TCP and
 *   never answers (the real server's reaction to a wrong code). Upgrades are mapped to recorded conns
 *   by their credentials (a missing query parameter counts as empty), in order; unknown ones hang;
 * - sends the recorded `recv` frames of that conn in order. A frame that answered a recorded client
 *   `send` waits until our client sent the corresponding frame, and gets our client's `request_id`.
 *   Our frames are matched to the recorded sends by protocol+type, in order. Our client's spec login
 *   request is never matched (the real server ignores it); its heartbeats only when the recording of
 *   that conn has heartbeats. A recorded send our client never makes is skipped (its reply dropped) as
 *   soon as our client makes a later one;
 * - collects every frame our client sent, and flags any frame in a shape that crashes the real server.
 */
import { isObject, type Json } from '../../src/core/protocols/mio/frames'
import { MioClient, type MioClientOptions } from '../../src/core/protocols/mio/client'
import { FakeServer, startFakeServer, type FakeConn } from './fake-server'
import { connEntries, connUrl, credentials, upgradeOutcome, wsConns, type Entry, type Transcript } from './transcripts'

interface RecordedSend {
  step: number
  frame: Json
  protocol: string
  type: string
  replayable: boolean
  /** Our client's frame matched to this recorded send. */
  ours?: Json
  skipped: boolean
}

interface Step {
  kind: 'send' | 'recv'
  entry: Entry
  /** For a recv that answered a recorded send: that send. */
  answers?: RecordedSend
  /** For a recv answering a send that can never be replayed. */
  orphan?: boolean
}

/** A recorded send kept only as raw text (e.g. a binary frame): its JSON, when it has one. */
function parseRaw(raw: unknown): Json | undefined {
  if (typeof raw !== 'string') return undefined
  try {
    const v: unknown = JSON.parse(raw)
    return isObject(v) ? v : undefined
  } catch {
    return undefined
  }
}

export class ConnScript {
  readonly url: URL
  readonly outcome: 'accepted' | 'hung' | 'refused'
  readonly steps: Step[] = []
  readonly sends: RecordedSend[] = []
  readonly hasHeartbeats: boolean
  /** Frames our client sent on this conn, all of them. */
  readonly ours: Json[] = []
  /** Our frames that matched no recorded send (and were not ignored). */
  readonly unexpected: Json[] = []
  /** Frames the server sent on this conn. */
  readonly sent: Json[] = []
  /** Recv frames dropped because the send they answered was never made by our client. */
  readonly droppedReplies: Json[] = []
  upgradeSeen = false
  conn?: FakeConn
  private cursor = 0

  constructor(
    readonly transcript: Transcript,
    readonly name: string
  ) {
    this.url = connUrl(transcript, name)
    this.outcome = upgradeOutcome(transcript, name)
    const entries = connEntries(transcript, name).filter((e) => e.dir === 'send' || e.dir === 'recv')
    const byId = new Map<unknown, RecordedSend>()
    const all = entries.map((entry, i) => ({ entry, i }))
    for (const { entry, i } of all) {
      if (entry.dir === 'send') {
        const f = isObject(entry.frame) ? entry.frame : parseRaw(entry.raw)
        const s: RecordedSend = {
          step: i,
          frame: f ?? {},
          protocol: typeof f?.protocol === 'string' ? f.protocol : '',
          // the seed's onebot shapes carry their type inside data (k2)
          type: typeof f?.type === 'string' ? f.type : isObject(f?.data) && typeof f.data.type === 'string' ? f.data.type : '',
          replayable: false,
          skipped: false
        }
        this.sends.push(s)
        const answered = f && f.request_id !== undefined && entries.some((x, j) => j > i && x.dir === 'recv' && isObject(x.frame) && x.frame.request_id === f.request_id)
        s.replayable = !!f && !entry.binary && !!s.protocol && !!s.type && !!answered && !(s.protocol === 'system' && s.type === 'login')
        if (f && f.request_id !== undefined) byId.set(f.request_id, s)
        this.steps.push({ kind: 'send', entry })
      } else {
        const f = isObject(entry.frame) ? entry.frame : undefined
        const s = f ? byId.get(f.request_id) : undefined
        this.steps.push({ kind: 'recv', entry, answers: s?.replayable ? s : undefined, orphan: !!s && !s.replayable })
      }
    }
    this.hasHeartbeats = this.sends.some((s) => s.replayable && s.protocol === 'system' && s.type === 'heartbeat')
  }

  get credentials(): { id: string; token: string } {
    return credentials(this.url)
  }

  /** All recorded recv frames were sent (or dropped). */
  get finished(): boolean {
    return this.cursor >= this.steps.length
  }

  /** Recorded frames the client received, in order. */
  get recordedRecv(): Json[] {
    return this.steps.filter((s) => s.kind === 'recv' && isObject(s.entry.frame)).map((s) => s.entry.frame as Json)
  }

  /** Recorded frames the client sent (objects only). */
  get recordedSends(): Json[] {
    return this.sends.map((s) => s.frame)
  }

  attach(conn: FakeConn): void {
    this.conn = conn
    this.pump()
  }

  onClientFrame(frame: Json): void {
    this.ours.push(frame)
    const p = frame.protocol
    const t = frame.type
    if (p === 'system' && t === 'login') return
    if (p === 'system' && t === 'heartbeat' && !this.hasHeartbeats) return
    const idx = this.sends.findIndex((s) => s.replayable && !s.ours && !s.skipped && s.protocol === p && s.type === t)
    if (idx < 0) {
      this.unexpected.push(frame)
      return
    }
    for (let i = 0; i < idx; i++) {
      const s = this.sends[i]!
      if (s.replayable && !s.ours) s.skipped = true
    }
    this.sends[idx]!.ours = frame
    this.pump()
  }

  private pump(): void {
    const conn = this.conn
    if (!conn) return
    while (this.cursor < this.steps.length) {
      const step = this.steps[this.cursor]!
      if (step.kind === 'send') {
        this.cursor++
        continue
      }
      const f = isObject(step.entry.frame) ? step.entry.frame : undefined
      if (!f) {
        this.cursor++
        continue
      }
      if (step.orphan || step.answers?.skipped) {
        this.droppedReplies.push(f)
        this.cursor++
        continue
      }
      if (step.answers) {
        const ours = step.answers.ours
        if (!ours) return // wait for our client's corresponding request
        const out = { ...f, request_id: ours.request_id }
        this.sent.push(out)
        conn.send(JSON.stringify(out))
      } else {
        this.sent.push(f)
        conn.send(typeof step.entry.raw === 'string' ? step.entry.raw : JSON.stringify(f))
      }
      this.cursor++
    }
  }
}

export class Replay {
  readonly scripts: ConnScript[]
  private readonly byConn = new Map<number, ConnScript>()
  private readonly assignQueue: ConnScript[] = []
  readonly clients: MioClient[] = []
  server!: FakeServer

  private constructor(readonly transcript: Transcript) {
    this.scripts = wsConns(transcript).map((c) => new ConnScript(transcript, c))
  }

  static async start(t: Transcript): Promise<Replay> {
    const r = new Replay(t)
    r.server = await startFakeServer({
      onUpgrade: (url) => {
        const c = credentials(url)
        const s = r.scripts.find((x) => !x.upgradeSeen && x.outcome !== 'refused' && x.credentials.id === c.id && x.credentials.token === c.token)
        if (!s) return 'hang'
        s.upgradeSeen = true
        if (s.outcome !== 'accepted') return 'hang'
        r.assignQueue.push(s)
        return 'accept'
      },
      onConnection: (conn) => {
        const s = r.assignQueue.shift()
        if (!s) return
        r.byConn.set(conn.index, s)
        s.attach(conn)
      },
      onFrame: (conn, frame) => {
        if (frame) r.byConn.get(conn.index)?.onClientFrame(frame)
      }
    })
    return r
  }

  script(name: string): ConnScript {
    const s = this.scripts.find((x) => x.name === name)
    if (!s) throw new Error(`${this.transcript.name}: no conn ${name}`)
    return s
  }

  /** The gateway address our client should dial for `conn` (the recorded path, our port). */
  gateway(name: string): string {
    return `ws://127.0.0.1:${this.server.port}${this.script(name).url.pathname}`
  }

  /** A MioClient with the recorded credentials of `conn` and fast timings. */
  client(name: string, o: Partial<MioClientOptions> = {}): MioClient {
    const s = this.script(name)
    const c = new MioClient({
      server: this.gateway(name),
      ...s.credentials,
      heartbeatIntervalMs: s.hasHeartbeats ? 40 : 60_000,
      connectTimeoutMs: 400,
      handshakeTimeoutMs: 1000,
      requestTimeoutMs: 2000,
      backoff: { baseMs: 10, maxMs: 50, factor: 2, jitter: 0 },
      ...o
    })
    this.clients.push(c)
    return c
  }

  /** Every frame any of our clients sent, with the conn. */
  get allOurFrames(): Json[] {
    return this.scripts.flatMap((s) => s.ours)
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.stop()
    await this.server.close()
  }
}
