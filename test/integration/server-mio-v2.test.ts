/**
 * Integration tests of the reference server's Mio-Chat v2 generation (Socket.IO at `/socket.io/`), driven
 * with socket.io-client (what the real web client uses) and, where it cannot send the shape, a raw `ws`
 * client speaking engine.io/Socket.IO by hand. Shapes (keys and value types, not timing) are compared with
 * the recordings of the real server in test/fixtures/mio-v2-transcripts/.
 */
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { io, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startServer, type RunningServer } from '../../server/app'
import { whitelisted } from '../../server/mio-v2/catalog'
import { toV2Segments } from '../../server/mio-v2/onebot'
import { demoShell, findCommand } from '../../server/mio/tools'

type Frame = Record<string, any>

const ADMIN = 'v2-admin-code'
const USER = 'v2-user-code'
const ADMIN_QQ = '10000001'
const TRANSCRIPTS = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/mio-v2-transcripts')

// ------------------------------------------------------------------------------------- recordings

interface Entry {
  dir: string
  conn?: string
  event?: string
  frame?: unknown
  args?: unknown[]
  [k: string]: unknown
}

function entries(name: string): Entry[] {
  return readFileSync(join(TRANSCRIPTS, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .slice(1)
    .map((l) => JSON.parse(l) as Entry)
}

/** The first frame the real server sent (a parsed `message` event) that matches. */
function recorded(name: string, pred: (f: Frame) => boolean): Frame {
  const e = entries(name).find((x) => x.dir === 'recv' && x.event === 'message' && typeof x.frame === 'object' && x.frame !== null && pred(x.frame as Frame))
  if (!e) throw new Error(`${name}: no recorded frame matches`)
  return e.frame as Frame
}

function recordedHttp(name: string, path: string): Frame {
  const e = entries(name).find((x) => x.dir === 'http-response' && x.path === path)
  if (!e) throw new Error(`${name}: no response for ${path}`)
  return e as Frame
}

/** Keys and value types, recursively; arrays by their first element. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : []
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Frame)[k])])
    )
  }
  return v === null ? 'null' : typeof v
}

const keys = (v: unknown): string[] => Object.keys(v as object).sort()

// ----------------------------------------------------------------------------------------- client

interface Auth {
  id?: unknown
  token?: unknown
  firstLogin?: unknown
}

class V2Client {
  readonly frames: Frame[] = []
  /** Non-JSON `message` arguments, other events. */
  readonly events: Array<{ event: string; args: unknown[] }> = []
  private readonly taken = new Set<Frame>()
  private readonly listeners = new Set<() => void>()
  private n = 1

  constructor(readonly socket: Socket) {
    socket.on('message', (arg: unknown) => {
      this.frames.push(typeof arg === 'string' ? (JSON.parse(arg) as Frame) : { __notString: arg })
      for (const l of [...this.listeners]) l()
    })
    socket.onAny((event: string, ...args: unknown[]) => {
      if (event !== 'message') this.events.push({ event, args })
    })
  }

  static open(server: RunningServer, auth: Auth | undefined): Socket {
    return io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: auth as Record<string, unknown> | undefined, timeout: 5000 })
  }

  static connect(server: RunningServer, auth: Auth | undefined): Promise<V2Client> {
    const socket = V2Client.open(server, auth)
    const client = new V2Client(socket)
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(client))
      socket.once('connect_error', (err) => {
        socket.close()
        reject(err)
      })
    })
  }

  static async login(server: RunningServer, code: string, id: unknown = '15432', firstLogin = false): Promise<{ client: V2Client; login: Frame }> {
    const client = await V2Client.connect(server, { id, token: code, firstLogin })
    opened.push(client)
    const login = await client.waitFor((f) => f.protocol === 'system' && f.type === 'login', 3000, 'login push')
    return { client, login }
  }

  rid(prefix = 'r'): string {
    return `${prefix}${Date.now().toString(36)}${this.n++}`
  }

  send(frame: unknown): void {
    this.socket.emit('message', typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  waitFor(pred: (f: Frame) => boolean, timeoutMs = 4000, what = 'frame'): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const f = this.frames.find((x) => !this.taken.has(x) && pred(x))
        if (!f) return false
        this.taken.add(f)
        this.listeners.delete(listener)
        clearTimeout(timer)
        resolve(f)
        return true
      }
      const listener = (): void => void check()
      const timer = setTimeout(() => {
        this.listeners.delete(listener)
        reject(new Error(`timeout waiting for ${what}; last frames ${JSON.stringify(this.frames.slice(-4)).slice(0, 900)}`))
      }, timeoutMs)
      this.listeners.add(listener)
      check()
    })
  }

  /** Frames that arrived (and were not taken) within `ms`. */
  async quiet(ms: number, pred: (f: Frame) => boolean = () => true): Promise<Frame[]> {
    await new Promise((r) => setTimeout(r, ms))
    return this.frames.filter((f) => !this.taken.has(f) && pred(f))
  }

  /** Sends a completion as the web client does (request_id = metaData.messageId) and returns its request_id. */
  startCompletion(content: string, opt: { model?: unknown; provider?: string; stream?: boolean; tools?: string[]; contactorId?: string; yolo?: boolean; shWhitelist?: string; extra?: Frame } = {}): string {
    const rid = this.rid('m')
    const settings: Frame = {
      provider: opt.provider ?? 'MioDesk',
      base: { model: 'model' in opt ? opt.model : 'mio-demo', stream: opt.stream ?? true },
      chatParams: { temperature: 1, top_p: 1, frequency_penalty: 0, presence_penalty: 0 },
      toolCallSettings: { mode: 'AUTO', tools: opt.tools ?? [] },
      presetSettings: { history: [] },
      extraSettings: {},
      ...opt.extra
    }
    if (opt.yolo !== undefined) settings.yolo = opt.yolo
    if (opt.shWhitelist !== undefined) settings.shWhitelist = opt.shWhitelist
    this.send({
      request_id: rid,
      protocol: 'llm',
      type: 'completions',
      data: { settings, messages: [{ role: 'user', content }] },
      metaData: { contactorId: opt.contactorId ?? 'c-test', messageId: rid }
    })
    return rid
  }

  /** Every frame of a reply up to its `complete` / `failed`. */
  async collect(rid: string, timeoutMs = 8000): Promise<Frame[]> {
    const out: Frame[] = []
    for (;;) {
      const f = await this.waitFor((x) => x.request_id === rid && x.protocol === 'llm', timeoutMs, `reply frame of ${rid}`)
      out.push(f)
      if (f.message === 'complete' || f.message === 'failed') return out
    }
  }

  async completion(content: string, opt: Parameters<V2Client['startCompletion']>[1] = {}): Promise<Frame[]> {
    return this.collect(this.startCompletion(content, opt))
  }

  async heartbeat(): Promise<Frame> {
    const rid = this.rid('hb')
    this.send({ request_id: rid, protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } })
    return this.waitFor((f) => f.request_id === rid && f.type === 'heartbeat', 3000, 'heartbeat')
  }

  close(): void {
    this.socket.close()
  }
}

/** A bare WebSocket speaking engine.io / Socket.IO by hand. */
class RawClient {
  readonly texts: string[] = []
  readonly closed: Promise<number>
  private readonly listeners = new Set<() => void>()

  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const t = d.toString()
      if (t === '2') ws.send('3')
      this.texts.push(t)
      for (const l of [...this.listeners]) l()
    })
    this.closed = new Promise((r) => ws.on('close', (code) => r(code)))
  }

  static open(server: RunningServer, path = '/socket.io/?EIO=4&transport=websocket'): Promise<RawClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`)
    const c = new RawClient(ws)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c))
      ws.once('error', reject)
    })
  }

  waitFor(pred: (t: string) => boolean, timeoutMs = 3000): Promise<string> {
    return new Promise((resolve, reject) => {
      let seen = 0
      const check = (): boolean => {
        for (; seen < this.texts.length; seen++) {
          const t = this.texts[seen]
          if (pred(t)) {
            seen++
            this.listeners.delete(listener)
            clearTimeout(timer)
            resolve(t)
            return true
          }
        }
        return false
      }
      const listener = (): void => void check()
      const timer = setTimeout(() => {
        this.listeners.delete(listener)
        reject(new Error(`raw: timeout; got ${JSON.stringify(this.texts).slice(0, 600)}`))
      }, timeoutMs)
      this.listeners.add(listener)
      check()
    })
  }

  send(text: string): void {
    this.ws.send(text)
  }

  close(): void {
    this.ws.close()
  }
}

/** The app frame of a `42["message","…"]` text. */
function appFrame(text: string): Frame | undefined {
  if (!text.startsWith('42')) return undefined
  const [event, arg] = JSON.parse(text.slice(2)) as [string, unknown]
  return event === 'message' && typeof arg === 'string' ? (JSON.parse(arg) as Frame) : undefined
}

const opened: V2Client[] = []
const updates = (frames: Frame[]): Frame[] => frames.filter((f) => f.message === 'update')
const contentOf = (frames: Frame[]): string =>
  updates(frames)
    .filter((f) => f.data.type === 'content')
    .map((f) => f.data.content as string)
    .join('')
const toolCalls = (frames: Frame[]): Frame[] => updates(frames).filter((f) => f.data.type === 'toolCall').map((f) => f.data.content as Frame)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function getJson(server: RunningServer, path: string, init?: RequestInit): Promise<{ status: number; type: string; body: any }> {
  const res = await fetch(`${server.url}${path}`, init)
  const type = res.headers.get('content-type') ?? ''
  const text = await res.text()
  return { status: res.status, type, body: type.includes('json') ? JSON.parse(text) : text }
}

let server: RunningServer
let toolNames: Record<string, string>
const logs: string[] = []

beforeAll(async () => {
  server = await startServer({ port: 0, adminCode: ADMIN, userCode: USER, chunkDelayMs: 15, recallDelayMs: 60, mioV2: true, log: (l) => logs.push(l) })
  const { body } = await getJson(server, '/api/openai/tools')
  toolNames = {}
  for (const plugin of Object.values(body.data.tools as Record<string, Record<string, Frame>>)) {
    for (const full of Object.keys(plugin)) toolNames[full.replace(/_mid_[0-9a-f]{6}$/, '')] = full
  }
})
afterAll(async () => {
  for (const c of opened) c.close()
  await server?.close()
})

// ------------------------------------------------------------------------------------------- auth

describe('handshake', () => {
  it('admin code → is_admin true, user code → false, numeric and missing ids accepted', async () => {
    const admin = await V2Client.login(server, ADMIN, '17777')
    expect(admin.login.data.is_admin).toBe(true)
    const user = await V2Client.login(server, USER, '15432')
    expect(user.login.data.is_admin).toBe(false)
    const numeric = await V2Client.login(server, USER, 15432)
    expect(numeric.login.data.is_admin).toBe(false)
    const noId = await V2Client.connect(server, { token: ADMIN })
    opened.push(noId)
    const push = await noId.waitFor((f) => f.type === 'login')
    expect(push.data.is_admin).toBe(true)
  })

  it('refuses wrong, empty and missing codes with 无效token and id "undefined" with 缺少ID', async () => {
    const refused = async (auth: Auth | undefined): Promise<string> => {
      try {
        const c = await V2Client.connect(server, auth)
        c.close()
        return 'accepted'
      } catch (err) {
        return (err as Error).message
      }
    }
    expect(await refused({ id: '15432', token: 'wrong', firstLogin: false })).toBe('无效token')
    expect(await refused({ id: '15432', token: '', firstLogin: false })).toBe('无效token')
    expect(await refused(undefined)).toBe('无效token')
    expect(await refused({})).toBe('无效token')
    expect(await refused({ id: 'undefined', token: USER, firstLogin: false })).toBe('缺少ID')
  })

  it('keeps a refused engine.io session open: a second CONNECT with good credentials succeeds (raw)', async () => {
    const raw = await RawClient.open(server)
    const open = await raw.waitFor((t) => t.startsWith('0{'))
    expect(JSON.parse(open.slice(1))).toMatchObject({ upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 5242880 })
    raw.send(`40${JSON.stringify({ id: '15432', token: 'wrong', firstLogin: false })}`)
    expect(await raw.waitFor((t) => t.startsWith('44'))).toBe('44{"message":"无效token"}')
    raw.send(`40${JSON.stringify({ id: '15432', token: USER, firstLogin: false })}`)
    expect(await raw.waitFor((t) => t.startsWith('40'))).toMatch(/^40\{"sid":"[^"]+"\}$/)
    const login = appFrame(await raw.waitFor((t) => appFrame(t)?.type === 'login'))!
    expect(login.data.is_admin).toBe(false)
    raw.close()
  })
})

// ------------------------------------------------------------------------------------ login push

describe('login push', () => {
  it('has the recorded shape, a bootId and the built-in provider', async () => {
    const { login } = await V2Client.login(server, USER, '15432')
    const rec = recorded('v2-a_connect_user', (f) => f.type === 'login')
    expect(keys(login)).toEqual(keys(rec))
    expect(keys(login.data)).toEqual(keys(rec.data))
    expect(typeof login.request_id).toBe('number')
    expect(login.data.bootId).toBe(server.mioV2!.bootId)
    expect(login.data.onebot_enabled).toBe(true)
    expect(Array.isArray(login.data.pendingTasks)).toBe(true)
    expect(login.data.models).toEqual({ MioDesk: [{ owner: 'MioDesk', models: ['mio-demo'] }] })
    const recMeta = Object.values(Object.values(rec.data.models_meta as Frame)[0] as Frame)[0]
    expect(shape(login.data.models_meta.MioDesk['mio-demo'])).toEqual(shape(recMeta))
    expect(login.data.models_meta.MioDesk['mio-demo'].reasoning).toBe(true)
  })

  it('pushes recommended_presets on the first login of an id with firstLogin:true, not later', async () => {
    const first = await V2Client.login(server, USER, '91225', true)
    const presets = await first.client.waitFor((f) => f.type === 'recommended_presets')
    const rec = recorded('v2-a_connect_user', (f) => f.type === 'recommended_presets')
    expect(shape(presets)).toEqual(shape(rec))
    const again = await V2Client.login(server, USER, '91225', true)
    expect(await again.client.quiet(150, (f) => f.type === 'recommended_presets')).toEqual([])
  })

  it('on shutdown a waiting tool is reported failed, the reply failed SERVER_SHUTDOWN, and every client gets "io server disconnect"', async () => {
    const other = await startServer({ port: 0, adminCode: ADMIN, userCode: USER, chunkDelayMs: 0, mioV2: true })
    const { body } = await getJson(other, '/api/openai/tools')
    const bash = Object.keys(body.data.tools['terminal-demo'])[0]
    const { client } = await V2Client.login(other, ADMIN, '17777')
    const rid = client.startCompletion('please use the tool', { tools: [bash] })
    await client.waitFor((f) => f.request_id === rid && f.data?.type === 'action')
    const gone = new Promise<string>((r) => client.socket.once('disconnect', (reason) => r(reason)))
    await other.close()
    expect(await gone).toBe('io server disconnect')
    const failedTool = await client.waitFor((f) => f.request_id === rid && f.data?.content?.action === 'failed')
    expect(failedTool.data.content).toMatchObject({ result: { error: '服务器重启，工具执行被打断' }, status: 'failed' })
    expect(keys(failedTool.data.content)).toEqual(keys(recorded('v2-k6_crash_approval_without_payload', (f) => f.data?.content?.action === 'failed').data.content))
    const failed = await client.waitFor((f) => f.request_id === rid && f.message === 'failed')
    expect(failed.data.code).toBe('SERVER_SHUTDOWN')
  })

  it('a new bootId on every start', async () => {
    const other = await startServer({ port: 0, adminCode: ADMIN, userCode: USER, mioV2: true })
    try {
      expect(other.mioV2!.bootId).not.toBe(server.mioV2!.bootId)
    } finally {
      await other.close()
    }
  })
})

// ------------------------------------------------------------------------------------------ system

describe('system frames', () => {
  it('answers heartbeats (string and numeric request_id, no timestamp → delay null) and get_presets', async () => {
    const { client } = await V2Client.login(server, USER)
    const hb = await client.heartbeat()
    expect(shape(hb)).toEqual(shape(recorded('v2-d_heartbeat', (f) => f.type === 'heartbeat')))
    expect(hb.data.delay).toBeGreaterThanOrEqual(0)
    client.send({ request_id: 424242, protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } })
    expect((await client.waitFor((f) => f.request_id === 424242)).type).toBe('heartbeat')
    client.send({ request_id: 'hb-none', protocol: 'system', type: 'heartbeat', data: {} })
    const none = await client.waitFor((f) => f.request_id === 'hb-none')
    expect(none.data.delay).toBeNull()
    expect(typeof none.data.revTime).toBe('number')
    client.send({ request_id: 'p1', protocol: 'system', type: 'get_presets', data: {} })
    const presets = await client.waitFor((f) => f.request_id === 'p1')
    expect(presets.type).toBe('recommended_presets')
    expect(presets.data.presets.length).toBeGreaterThan(0)
  })

  it('drops frames without request_id, protocol or a truthy data, and unknown protocols and types', async () => {
    const { client } = await V2Client.login(server, USER)
    client.send('this is not json')
    client.send('[1,2,3]')
    client.socket.emit('message', { request_id: 'x1', protocol: 'system', type: 'heartbeat', data: { timestamp: 1 } })
    client.socket.emit('message', 42)
    client.socket.emit('message')
    client.send({ protocol: 'system', type: 'heartbeat', data: { timestamp: 1 } })
    client.send({ request_id: 'k2', protocol: 'system', type: 'heartbeat' })
    client.send({ request_id: 'k3', protocol: 'system', type: 'heartbeat', data: 0 })
    client.send({ request_id: 'k4', protocol: 'nope', type: 'x', data: {} })
    client.send({ request_id: 'k5', protocol: 'openai', type: 'completions', data: { model: 'mio-demo', messages: [] } })
    client.send({ request_id: 'k6', protocol: 'system', type: 'login', data: { 'mio-chat-id': '1', 'mio-chat-token': USER } })
    client.socket.emit('whatever', { a: 1 })
    expect((await client.heartbeat()).type).toBe('heartbeat')
    expect(await client.quiet(100)).toEqual([])
  })

  it('logs: UNKNOWN_TYPE for an unknown type, PERMISSION_DENIED for a plain user', async () => {
    const { client } = await V2Client.login(server, USER)
    client.send({ request_id: 'l1', protocol: 'logs', type: 'subscribe', data: {} })
    const denied = await client.waitFor((f) => f.request_id === 'l1')
    expect(denied).toEqual({ ...recorded('v2-k_malformed', (f) => f.request_id === 'k18'), request_id: 'l1' })
    client.send({ request_id: 'k19', protocol: 'logs', type: 'nope', data: {} })
    expect(await client.waitFor((f) => f.request_id === 'k19')).toEqual(recorded('v2-k_malformed', (f) => f.request_id === 'k19'))
  })
})

// -------------------------------------------------------------------------------------- streams

describe('completions', () => {
  it('streams pending → reason/content updates → complete, every frame with metaData (+ triggerType)', async () => {
    const { client } = await V2Client.login(server, USER)
    const rid = client.startCompletion('Hello there', { contactorId: 'c-e1' })
    const frames = await client.collect(rid)
    expect(frames[0].message).toBe('pending')
    expect(frames.at(-1)!.message).toBe('complete')
    const meta = { contactorId: 'c-e1', messageId: rid, triggerType: 'chat' }
    for (const f of frames) expect(f.data.metaData).toEqual(meta)
    const recPending = recorded('v2-e1_stream_text', (f) => f.message === 'pending')
    const recContent = recorded('v2-e1_stream_text', (f) => f.message === 'update')
    const recReason = recorded('v2-e2_stream_reasoning', (f) => f.message === 'update' && f.data.type === 'reason')
    const recComplete = recorded('v2-e1_stream_text', (f) => f.message === 'complete')
    expect(shape(frames[0])).toEqual(shape(recPending))
    expect(shape(frames.at(-1))).toEqual(shape(recComplete))
    const reasons = updates(frames).filter((f) => f.data.type === 'reason')
    const contents = updates(frames).filter((f) => f.data.type === 'content')
    expect(reasons.length).toBeGreaterThan(1)
    expect(contents.length).toBeGreaterThan(1)
    expect(shape(reasons[0])).toEqual(shape(recReason))
    expect(shape(contents[0])).toEqual(shape(recContent))
    expect(new Set(reasons.map((f) => f.data.data.startTime)).size).toBe(1)
    expect(reasons.every((f) => f.data.data.duration === 0)).toBe(true)
    expect(contentOf(frames)).toContain('mio-demo')
  })

  it('stream:false: no pending, the text in one update', async () => {
    const { client } = await V2Client.login(server, USER)
    const frames = await client.completion('Hello there', { stream: false })
    expect(frames.some((f) => f.message === 'pending')).toBe(false)
    expect(updates(frames).filter((f) => f.data.type === 'content')).toHaveLength(1)
    expect(frames.at(-1)!.message).toBe('complete')
  })

  it('unknown model → failed model_not_found/404, unknown provider → failed in words + models_updated to everyone', async () => {
    const { client } = await V2Client.login(server, USER)
    const { client: other } = await V2Client.login(server, ADMIN, '17777')
    const bad = await client.completion('Hello there', { model: 'no-such-model' })
    expect(bad).toHaveLength(1)
    expect(shape(bad[0])).toEqual(shape(recorded('v2-g1_invalid_model', (f) => f.data?.code === 'model_not_found')))
    expect(bad[0].data).toMatchObject({ code: 'model_not_found', status: 404, message: '404 The model `no-such-model` does not exist or you do not have access to it.' })

    const prov = await client.completion('Hello there', { provider: 'NoSuchProvider' })
    expect(prov).toHaveLength(1)
    expect(prov[0].data.message).toBe('您选择的模型或渠道 "NoSuchProvider" 已失效，请重新选择模型。')
    expect(keys(prov[0].data)).toEqual(['message', 'metaData'])
    const rec = recorded('v2-g1_invalid_model', (f) => f.type === 'models_updated')
    for (const c of [client, other]) {
      const pushed = await c.waitFor((f) => f.type === 'models_updated')
      expect(keys(pushed)).toEqual(keys(rec))
      expect(keys(pushed.data)).toEqual(keys(rec.data))
      expect(keys(pushed.data.providers[0])).toEqual(keys(rec.data.providers[0]))
    }
  })

  it('any other llm type is a completion request: {} → failed model_not_found for `undefined`', async () => {
    const { client } = await V2Client.login(server, USER)
    client.send({ request_id: 'k13', protocol: 'llm', type: 'nope', data: {} })
    const f = await client.waitFor((x) => x.request_id === 'k13')
    expect(f).toEqual(recorded('v2-k_malformed', (x) => x.request_id === 'k13'))
  })
})

// ------------------------------------------------------------------------------------------ tools

describe('tools', () => {
  it('GET /api/openai/tools lists <base>_mid_<6 hex> names by plugin', async () => {
    const { body } = await getJson(server, '/api/openai/tools')
    expect(body.code).toBe(0)
    expect(Object.keys(toolNames).sort()).toEqual(['bash', 'calculator', 'clock'])
    for (const full of Object.values(toolNames)) expect(full).toMatch(/^[a-z]+_mid_[0-9a-f]{6}$/)
    const rec = recordedHttp('v2-l_http', '/api/openai/tools').body as Frame
    const recTool = Object.values(Object.values(rec.data.tools as Frame)[0] as Frame)[0]
    const ours = Object.values(Object.values(body.data.tools as Frame)[0] as Frame)[0]
    expect(keys(ours)).toEqual(keys(recTool))
  })

  it('calls an offered tool: started → pending… → running → finished (result = the tool\'s value)', async () => {
    const { client } = await V2Client.login(server, USER)
    const frames = await client.completion('what time is it?', { tools: [toolNames.clock] })
    const calls = toolCalls(frames)
    expect(calls.map((c) => c.action)).toEqual(['started', 'pending', 'pending', 'pending', 'running', 'finished'])
    expect(calls.every((c) => c.name === toolNames.clock && c.id === calls[0].id)).toBe(true)
    expect(shape(calls[0])).toEqual(shape(recorded('v2-f1_tool_admin', (f) => f.data?.content?.action === 'started').data.content))
    expect(calls.slice(1, 4).map((c) => c.parameters).join('')).toBe(calls[4].parameters)
    expect(JSON.parse(calls[5].parameters)).toEqual({ timezone: 'UTC' })
    expect(calls[5].result).toMatchObject({ timezone: 'UTC' })
    expect(calls[5].extraRender).toEqual([])
    // A second pending opens the follow-up round after the tool.
    expect(frames.filter((f) => f.message === 'pending')).toHaveLength(2)
    expect(contentOf(frames)).toMatch(/current time/)
  })

  it('does not call tools that were not offered', async () => {
    const { client } = await V2Client.login(server, USER)
    const frames = await client.completion('what time is it?')
    expect(toolCalls(frames)).toEqual([])
  })

  it('a plain user calling the admin-only bash tool gets finished {error}', async () => {
    const { client } = await V2Client.login(server, USER)
    const frames = await client.completion('please use the tool', { tools: [toolNames.bash], yolo: true })
    const calls = toolCalls(frames)
    const rec = entries('v2-f2_tool_user')
      .filter((e) => e.dir === 'recv' && (e.frame as Frame)?.data?.type === 'toolCall')
      .map((e) => (e.frame as Frame).data.content as Frame)
    expect(calls.map((c) => c.action)).toEqual(rec.map((c) => c.action).slice(0, 1).concat(calls.slice(1).map((c) => c.action)))
    expect(calls.filter((c) => c.action === 'running')).toHaveLength(2)
    const finished = calls.at(-1)!
    expect(finished).toMatchObject({ action: 'finished', displayName: 'echo mio-tool-ok', result: { error: 'Only administrators can execute this function.' } })
    expect(shape(finished)).toEqual(shape(rec.at(-1)))
    expect(frames.at(-1)!.message).toBe('complete')
  })
})

// --------------------------------------------------------------------------------------- approval

describe('tool approval (bash, admin)', () => {
  const approvalOf = (c: V2Client, rid: string): Promise<Frame> => c.waitFor((f) => f.request_id === rid && f.data?.type === 'action', 6000, 'approval question')

  it('asks, then runs once approved', async () => {
    const { client } = await V2Client.login(server, ADMIN, '17777')
    const rid = client.startCompletion('please use the tool', { tools: [toolNames.bash] })
    const question = await approvalOf(client, rid)
    const rec = recorded('v2-f4_tool_approval', (f) => f.data?.type === 'action')
    expect(shape(question)).toEqual(shape({ ...rec, request_id: rid }))
    expect(question.data.content).toMatchObject({ actionType: 'REQUEST_APPROVAL', prompt: '是否授权 LLM 执行命令：', meta: { command: 'echo mio-tool-ok' } })
    expect(question.data.content.interactionId).toMatch(/^interact_\d+_[a-z0-9]+$/)
    client.socket.emit('tool:interact', { interactionId: question.data.content.interactionId, requestId: rid, payload: { approved: true } })
    const frames = await client.collect(rid)
    const finished = toolCalls(frames).find((c) => c.action === 'finished')!
    expect(finished.result).toMatchObject({ exitCode: 0, status: 'finished' })
    expect(finished.result.stdout).toContain('mio-tool-ok')
    expect(shape(finished)).toEqual(shape(recorded('v2-f4_tool_approval', (f) => f.data?.content?.action === 'finished').data.content))
    expect(frames.at(-1)!.message).toBe('complete')
    // A second answer once the request is over.
    client.socket.emit('tool:interact', { interactionId: question.data.content.interactionId, requestId: rid, payload: { approved: true } })
    const err = await client.waitFor((f) => f.type === 'tool:interact:error')
    expect(err.data).toEqual({ error: '请求会话已过期或失效', interactionId: question.data.content.interactionId })
    expect(shape(err)).toEqual(shape(recorded('v2-f4_tool_approval', (f) => f.type === 'tool:interact:error')))
    client.socket.emit('tool:interact', { interactionId: 'interact_0_nope', requestId: 'no-such-request', payload: { approved: true } })
    expect((await client.waitFor((f) => f.type === 'tool:interact:error')).data).toEqual({ error: '请求会话已过期或失效', interactionId: 'interact_0_nope' })
  })

  it('denied → finished {error:"[执行终止] …原因: <reason>"} and the model goes on; an unknown interaction of a live request', async () => {
    const { client } = await V2Client.login(server, ADMIN, '17777')
    const rid = client.startCompletion('please use the tool', { tools: [toolNames.bash] })
    const question = await approvalOf(client, rid)
    client.socket.emit('tool:interact', { interactionId: 'interact_1_other', requestId: rid, payload: { approved: true } })
    expect((await client.waitFor((f) => f.type === 'tool:interact:error')).data).toEqual({ error: '交互失败：已超时或已被处理', interactionId: 'interact_1_other' })
    client.socket.emit('tool:interact', { interactionId: question.data.content.interactionId, requestId: rid, payload: { approved: false, reason: 'not now' } })
    const frames = await client.collect(rid)
    const finished = toolCalls(frames).find((c) => c.action === 'finished')!
    expect(finished.result).toEqual({ error: '[执行终止] 用户拒绝授权此 Shell 命令 "echo mio-tool-ok" 的执行。 原因: not now' })
    expect(contentOf(frames)).toContain('用户拒绝授权')
    expect(frames.at(-1)!.message).toBe('complete')
  })

  it('does not ask with yolo:true or when shWhitelist matches', async () => {
    const { client } = await V2Client.login(server, ADMIN, '17777')
    for (const opt of [{ yolo: true }, { shWhitelist: 'ls, echo' }, { shWhitelist: '/^echo\\s/' }]) {
      const frames = await client.completion('please use the tool', { tools: [toolNames.bash], ...opt })
      expect(updates(frames).some((f) => f.data.type === 'action')).toBe(false)
      expect(toolCalls(frames).at(-1)!.result.exitCode).toBe(0)
    }
  })

  it('a run `…` prompt asks for that command', async () => {
    const { client } = await V2Client.login(server, ADMIN, '17777')
    const rid = client.startCompletion('run `echo hello world`', { tools: [toolNames.bash] })
    const q = await approvalOf(client, rid)
    expect(q.data.content.meta.command).toBe('echo hello world')
    client.socket.emit('tool:interact', { interactionId: q.data.content.interactionId, requestId: rid, payload: { approved: true } })
    const frames = await client.collect(rid)
    expect(toolCalls(frames).at(-1)!.result.stdout).toBe('$ echo hello world\nhello world')
  })
})

// ------------------------------------------------------------------------------------------ abort

describe('abort', () => {
  it('by frame (data:{} required) → complete, nothing after', async () => {
    const { client } = await V2Client.login(server, USER)
    const rid = client.startCompletion('a long answer please')
    await client.waitFor((f) => f.request_id === rid && f.data?.type === 'content')
    client.send({ request_id: rid, protocol: 'llm', type: 'abort' })
    await client.waitFor((f) => f.request_id === rid && f.data?.type === 'content')
    client.send({ request_id: rid, protocol: 'llm', type: 'abort', data: {} })
    await client.waitFor((f) => f.request_id === rid && f.message === 'complete')
    const seen = client.frames.length
    await sleep(200)
    expect(client.frames.slice(seen).filter((f) => f.request_id === rid)).toEqual([])
  })

  it('by the interruptGeneration event; before any update the reply first gets 模型无响应…', async () => {
    const { client } = await V2Client.login(server, USER)
    const rid = client.startCompletion('a long answer please', { contactorId: 'c-h2' })
    await client.waitFor((f) => f.request_id === rid && f.data?.type === 'content')
    client.socket.emit('interruptGeneration', { messageId: rid, contactorId: 'c-h2' })
    await client.waitFor((f) => f.request_id === rid && f.message === 'complete')

    client.socket.emit('interruptGeneration', { messageId: 'no-such-message', contactorId: 'c-h2' })
    expect((await client.heartbeat()).type).toBe('heartbeat')

    const rid2 = client.startCompletion('Hello there', { contactorId: 'c-h2' })
    await client.waitFor((f) => f.request_id === rid2 && f.message === 'pending')
    client.socket.emit('interruptGeneration', { messageId: rid2, contactorId: 'c-h2' })
    const upd = await client.waitFor((f) => f.request_id === rid2 && f.message === 'update')
    expect(upd.data).toMatchObject({ type: 'content', content: '模型无响应，请检查输入是否合法！' })
    await client.waitFor((f) => f.request_id === rid2 && f.message === 'complete')
  })

  it('a tool waiting for approval reports finished {error:"USER_ABORT"} after the complete', async () => {
    const { client } = await V2Client.login(server, ADMIN, '17777')
    const rid = client.startCompletion('please use the tool', { tools: [toolNames.bash] })
    await client.waitFor((f) => f.request_id === rid && f.data?.type === 'action', 6000)
    client.socket.emit('interruptGeneration', { messageId: rid, contactorId: 'c-test' })
    const frames = await client.collect(rid)
    expect(frames.at(-1)!.message).toBe('complete')
    const late = await client.waitFor((f) => f.request_id === rid && f.data?.type === 'toolCall')
    expect(late.data.content).toMatchObject({ action: 'finished', result: { error: 'USER_ABORT' }, displayName: 'echo mio-tool-ok', extraRender: [] })
  })
})

// ----------------------------------------------------------------------------------------- resume

describe('resume', () => {
  it('generation goes on after a disconnect; enter_chat → sync, then the rest live; ack_message forgets it', async () => {
    const id = '30001'
    const prompt = 'a long answer please'
    // The whole text, for comparison (another contactor).
    const ref = await V2Client.login(server, USER, id)
    const full = contentOf(await ref.client.completion(prompt, { contactorId: 'c-ref' }))
    ref.client.send({ request_id: 'a0', protocol: 'llm', type: 'ack_message', data: { contactorId: 'c-ref', messageId: 'x' } })
    ref.client.close()

    const first = await V2Client.login(server, USER, id)
    const rid = first.client.startCompletion(prompt, { contactorId: 'c-g5' })
    await first.client.waitFor((f) => f.request_id === rid && f.data?.type === 'content')
    first.client.close()
    await sleep(60)

    const back = await V2Client.login(server, USER, id)
    expect(back.login.data.pendingTasks).toContain('c-g5')
    back.client.send({ request_id: 'ec1', protocol: 'llm', type: 'enter_chat', data: { contactorId: 'c-g5' } })
    const sync = await back.client.waitFor((f) => f.message === 'sync')
    const rec = recorded('v2-g5_disconnect_resume', (f) => f.message === 'sync')
    expect(keys(sync)).toEqual(keys(rec))
    expect(keys(sync.data)).toEqual(keys(rec.data))
    expect(sync).toMatchObject({ request_id: rid, protocol: 'llm', data: { messageId: rid, status: 'streaming', metaData: { contactorId: 'c-g5', messageId: rid, triggerType: 'chat' } } })
    const chunks = sync.data.chunks as Frame[]
    expect(chunks.map((c) => c.type)).toEqual(['reason', 'content'])
    expect(shape(chunks[1])).toEqual(shape(rec.data.chunks[0]))
    expect(chunks[0].data.duration).toBeGreaterThan(0)
    const rest = await back.client.collect(rid)
    expect(rest.at(-1)!.message).toBe('complete')
    expect(chunks[1].content + contentOf(rest)).toBe(full)

    back.client.send({ request_id: 'ec2', protocol: 'llm', type: 'enter_chat', data: { contactorId: 'c-g5' } })
    const again = await back.client.waitFor((f) => f.message === 'sync')
    expect(again.data.status).toBe('completed')
    expect(again.data.chunks.find((c: Frame) => c.type === 'content').content).toBe(full)
    back.client.send({ request_id: 'ack1', protocol: 'llm', type: 'ack_message', data: { contactorId: 'c-g5', messageId: rid } })
    back.client.send({ request_id: 'ack2', protocol: 'llm', type: 'ack_message', data: { contactorId: 'c-nope', messageId: 'nope' } })
    back.client.send({ request_id: 'ec3', protocol: 'llm', type: 'enter_chat', data: { contactorId: 'c-g5' } })
    expect(await back.client.quiet(200, (f) => f.message === 'sync')).toEqual([])
    const later = await V2Client.login(server, USER, id)
    expect(later.login.data.pendingTasks).not.toContain('c-g5')
  })

  it('an open approval survives a reconnect: it is in the snapshot and can be answered from the new connection', async () => {
    const first = await V2Client.login(server, ADMIN, '17778')
    const rid = first.client.startCompletion('please use the tool', { tools: [toolNames.bash], contactorId: 'c-f5' })
    const q = await first.client.waitFor((f) => f.request_id === rid && f.data?.type === 'action', 6000)
    first.client.close()
    await sleep(50)
    const back = await V2Client.login(server, ADMIN, '17778')
    expect(back.login.data.pendingTasks).toContain('c-f5')
    back.client.send({ request_id: 'ec', protocol: 'llm', type: 'enter_chat', data: { contactorId: 'c-f5' } })
    const sync = await back.client.waitFor((f) => f.message === 'sync')
    const types = (sync.data.chunks as Frame[]).map((c) => c.type)
    expect(types.slice(-2)).toEqual(['toolCall', 'action'])
    const tool = (sync.data.chunks as Frame[]).find((c) => c.type === 'toolCall')!
    expect(tool.content).toMatchObject({ action: 'running', displayName: 'echo mio-tool-ok', parameters: '{"command":"echo mio-tool-ok"}' })
    const rec = recorded('v2-f5_approval_resume', (f) => f.message === 'sync')
    expect(shape(tool)).toEqual(shape(rec.data.chunks[0]))
    expect(shape(sync.data.chunks.at(-1))).toEqual(shape(rec.data.chunks[1]))
    back.client.socket.emit('tool:interact', { interactionId: q.data.content.interactionId, requestId: rid, payload: { approved: true } })
    const rest = await back.client.collect(rid)
    expect(toolCalls(rest).at(-1)!.action).toBe('finished')
    expect(rest.at(-1)!.message).toBe('complete')
    back.client.send({ request_id: 'ec2', protocol: 'llm', type: 'enter_chat', data: { contactorId: 'c-f5' } })
    const done = await back.client.waitFor((f) => f.message === 'sync')
    expect(done.data.status).toBe('completed')
    expect((done.data.chunks as Frame[]).some((c) => c.type === 'action')).toBe(false)
  })

  it('a reply is not mirrored to the other connections of the same id', async () => {
    const a = await V2Client.login(server, ADMIN, '17779')
    const b = await V2Client.login(server, ADMIN, '17779')
    const rid = a.client.startCompletion('Hello there', { contactorId: 'c-b' })
    await a.client.collect(rid)
    expect(await b.client.quiet(50, (f) => f.request_id === rid)).toEqual([])
  })
})

// ----------------------------------------------------------------------------------------- onebot

describe('onebot', () => {
  const text = (t: string): Frame => ({ type: 'text', data: { text: t } })
  const sendTo = (c: V2Client, segments: unknown, rid = c.rid('ob')): string => {
    c.send({ request_id: rid, protocol: 'onebot', type: 'message', id: '10000', data: segments, metaData: { contactorId: 'me' } })
    return rid
  }

  it('acks at once (no protocol key) and the bot echoes to exactly that id', async () => {
    const { client } = await V2Client.login(server, USER, '15432')
    const { client: other } = await V2Client.login(server, USER, '99999')
    const rid = sendTo(client, [text('hello onebot from user')])
    const ack = await client.waitFor((f) => f.request_id === rid)
    expect(shape(ack)).toEqual(shape(recorded('v2-i_onebot', (f) => f.message === 'ok')))
    expect(typeof ack.data.message_id).toBe('number')
    const push = await client.waitFor((f) => f.protocol === 'onebot' && f.data?.type === 'message')
    expect(shape(push)).toEqual(shape(recorded('v2-i_onebot', (f) => f.protocol === 'onebot' && f.data?.id === 15432)))
    expect(push.data).toMatchObject({ id: 15432, type: 'message', content: { message: [text('hello onebot from user')] } })
    expect(await other.quiet(100, (f) => f.protocol === 'onebot')).toEqual([])
  })

  it('an admin\'s message is answered as the admin QQ, to every admin connection', async () => {
    const a = await V2Client.login(server, ADMIN, '17777')
    const b = await V2Client.login(server, ADMIN, '17780')
    sendTo(a.client, [text('hi from admin')])
    for (const c of [a.client, b.client]) {
      const push = await c.waitFor((f) => f.protocol === 'onebot' && f.data?.content?.message?.[0]?.data?.text === 'hi from admin')
      expect(push.data.id).toBe(Number(ADMIN_QQ))
    }
  })

  it('/recall → the message, then del_msg to everyone; /forward → node objects, no id', async () => {
    const { client } = await V2Client.login(server, USER, '15433')
    const { client: other } = await V2Client.login(server, USER, '99998')
    sendTo(client, [text('/recall')])
    const msg = await client.waitFor((f) => f.protocol === 'onebot' && f.data?.type === 'message')
    for (const c of [client, other]) {
      const del = await c.waitFor((f) => f.data?.type === 'del_msg')
      expect(del.data.content.message_id).toBe(msg.data.content.message_id)
      expect(shape(del)).toEqual(shape(recorded('v2-i_onebot', (f) => f.data?.type === 'del_msg')))
    }
    sendTo(client, [text('/forward')])
    const fwd = await client.waitFor((f) => f.protocol === 'onebot' && f.data?.content?.message?.[0]?.type === 'nodes')
    const rec = recorded('v2-i_onebot', (f) => f.data?.content?.message?.[0]?.type === 'nodes')
    expect('id' in fwd.data).toBe(false)
    expect(keys(fwd.data)).toEqual(keys(rec.data))
    const node = fwd.data.content.message[0].data.messages[0]
    expect(shape(node)).toEqual(shape(rec.data.content.message[0].data.messages[0]))
    expect(fwd.data.content.message[0].data.messages[2].data.content[0].type).toBe('nodes')
  })

  it('acks every onebot frame; only type "message" reaches the bot', async () => {
    const { client } = await V2Client.login(server, USER, '15434')
    const rid = client.rid('ob')
    client.send({ request_id: rid, protocol: 'onebot', type: 'del_message', id: '10000', data: [] })
    expect((await client.waitFor((f) => f.request_id === rid)).message).toBe('ok')
    const empty = sendTo(client, [])
    expect((await client.waitFor((f) => f.request_id === empty)).code).toBe(0)
    expect(await client.quiet(100, (f) => f.protocol === 'onebot')).toEqual([])
  })
})

// ------------------------------------------------------------------------------------------- http

describe('http', () => {
  it('health, gateway info, base_info', async () => {
    const health = await getJson(server, '/api/health')
    expect(shape(health.body)).toEqual(shape(recordedHttp('v2-l_http', '/api/health').body))
    expect(health.body).toMatchObject({ service: 'mio-chat-backend', status: 'ok' })
    const gw = await getJson(server, '/api/gateway')
    expect(shape(gw.body)).toEqual(shape(recordedHttp('v2-l_http', '/api/gateway').body))
    const info = await getJson(server, '/api/base_info')
    const rec = recordedHttp('v2-l_http', '/api/base_info').body as Frame
    expect(keys(info.body)).toEqual(keys(rec))
    expect(keys(info.body.data)).toEqual(keys(rec.data))
    expect(keys(info.body.data.llm_providers[0])).toEqual(keys(rec.data.llm_providers[0]))
    expect(info.body.data).toMatchObject({ admin_qq: '10000001', bot_qq: '20000001' })
    expect(info.body.data.llm_providers[0]).toMatchObject({ displayName: 'MioDesk', default_model: 'mio-demo' })
  })

  it('POST /api/share/set → absolute /s/<id> URL; GET /api/share?id= returns the contactor with its id', async () => {
    const contactor = { name: 'Shared bot', avatar: '/p/ava/x.png', options: { base: { model: 'mio-demo' } } }
    const set = await getJson(server, '/api/share/set', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contactor }) })
    expect(shape(set.body)).toEqual(shape(recordedHttp('v2-l_http', '/api/share/set').body))
    const m = new RegExp(`^${server.url}/s/([\\w-]+)$`).exec(set.body.data.shareUrl)
    expect(m).not.toBeNull()
    const got = await getJson(server, `/api/share?id=${m![1]}`)
    expect(got.body.data.contactor).toEqual({ ...contactor, id: m![1] })
    const bad = await getJson(server, '/api/share/set', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(bad.status).toBe(400)
  })

  it('answers the engine.io polling handshake (the detection probe); EIO=3 and no transport → 400', async () => {
    const res = await getJson(server, '/socket.io/?EIO=4&transport=polling')
    expect(res.status).toBe(200)
    expect(res.type).toMatch(/^text\/plain/)
    expect(res.body).toMatch(/^0\{/)
    const open = JSON.parse((res.body as string).slice(1))
    expect(open).toMatchObject({ upgrades: ['websocket'], pingInterval: 25000, pingTimeout: 20000, maxPayload: 5242880 })
    expect(typeof open.sid).toBe('string')
    const eio3 = await getJson(server, '/socket.io/?EIO=3&transport=polling')
    expect(eio3.status).toBe(400)
    expect(eio3.body).toEqual({ code: 5, message: 'Unsupported protocol version' })
    const none = await getJson(server, '/socket.io/')
    expect(none.body).toEqual({ code: 0, message: 'Transport unknown' })
  })

  it('long-polling works end to end (socket.io-client, polling only)', async () => {
    const socket = io(server.url, { transports: ['polling'], reconnection: false, forceNew: true, auth: { id: '15440', token: USER, firstLogin: false } })
    const c = new V2Client(socket)
    opened.push(c)
    await c.waitFor((f) => f.type === 'login')
    expect((await c.heartbeat()).type).toBe('heartbeat')
  })

  it('the spec gateway, Yunhu-style routes and unknown upgrades keep working beside it', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/gateway`)
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)))
    const reply = await new Promise<Frame>((resolve) => {
      ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Frame))
      ws.send(JSON.stringify({ request_id: 1, protocol: 'system', type: 'login', data: { 'mio-chat-id': '1', 'mio-chat-token': USER } }))
    })
    expect(reply).toMatchObject({ request_id: 1, code: 0, message: 'success' })
    ws.close()
    const unknown = new WebSocket(`ws://127.0.0.1:${server.port}/nope`)
    const err = await new Promise<string>((resolve) => unknown.once('error', (e) => resolve(e.message)))
    expect(err).toMatch(/404/)
  })

  it('is off by default', async () => {
    const plain = await startServer({ port: 0, adminCode: ADMIN, userCode: USER })
    try {
      expect(plain.mioV2).toBeUndefined()
      expect((await getJson(plain, '/socket.io/?EIO=4&transport=polling')).status).toBe(404)
      expect((await getJson(plain, '/api/health')).status).toBe(404)
    } finally {
      await plain.close()
    }
  })
})

// ---------------------------------------------------------------------------------------- crashes

describe('the five inputs that crash the real server', () => {
  it('are answered or dropped; the sender and a bystander keep being served', async () => {
    const { client } = await V2Client.login(server, ADMIN, '17790')
    const { client: bystander } = await V2Client.login(server, USER, '99990')
    const alive = async (): Promise<void> => {
      expect((await client.heartbeat()).type).toBe('heartbeat')
      expect((await bystander.heartbeat()).type).toBe('heartbeat')
    }

    // 1. onebot data not an array (the spec message shape): acked, dropped.
    client.send({ request_id: 'crash-1', protocol: 'onebot', data: { id: '10000', type: 'message', data: { message: [{ type: 'text', data: { text: 'hi' } }], message_id: 1 } } })
    expect(await client.waitFor((f) => f.request_id === 'crash-1')).toMatchObject({ code: 0, message: 'ok' })
    client.send({ request_id: 'crash-1b', protocol: 'onebot', type: 'message', id: '10000', data: 'x' })
    await client.waitFor((f) => f.request_id === 'crash-1b')
    await alive()

    // 2. a segment without data, or null: acked, dropped (no echo).
    client.send({ request_id: 'crash-2', protocol: 'onebot', type: 'message', id: '10000', data: [{ type: 'text' }] })
    client.send({ request_id: 'crash-2b', protocol: 'onebot', type: 'message', id: '10000', data: [null] })
    await client.waitFor((f) => f.request_id === 'crash-2')
    await client.waitFor((f) => f.request_id === 'crash-2b')
    await alive()
    expect(await client.quiet(80, (f) => f.protocol === 'onebot')).toEqual([])

    // 3. interruptGeneration without an argument, or null: dropped.
    client.socket.emit('interruptGeneration')
    client.socket.emit('interruptGeneration', null)
    await alive()

    // 4. tool:interact without an argument, or null: answered like {}.
    client.socket.emit('tool:interact')
    expect((await client.waitFor((f) => f.type === 'tool:interact:error')).data).toEqual({ error: '请求会话已过期或失效' })
    client.socket.emit('tool:interact', null)
    await client.waitFor((f) => f.type === 'tool:interact:error')
    await alive()

    // 5. tool:interact without payload while the question is open: answered, the question stays open.
    const rid = client.startCompletion('please use the tool', { tools: [toolNames.bash] })
    const q = await client.waitFor((f) => f.request_id === rid && f.data?.type === 'action', 6000)
    client.socket.emit('tool:interact', { interactionId: q.data.content.interactionId, requestId: rid })
    const err = await client.waitFor((f) => f.type === 'tool:interact:error')
    expect(err.data.interactionId).toBe(q.data.content.interactionId)
    await alive()
    client.socket.emit('tool:interact', { interactionId: q.data.content.interactionId, requestId: rid, payload: { approved: true } })
    const frames = await client.collect(rid)
    expect(frames.at(-1)!.message).toBe('complete')
    expect(toolCalls(frames).at(-1)!.result.exitCode).toBe(0)

    expect(logs.some((l) => l.includes('crashes the real server'))).toBe(true)
    const fresh = await V2Client.login(server, USER, '99991')
    expect((await fresh.client.heartbeat()).type).toBe('heartbeat')
  })

  it('packet-level garbage closes only that connection (raw)', async () => {
    const { client: bystander } = await V2Client.login(server, USER, '99992')
    for (const garbage of ['42this is not json', '42{"a":1}', '9hello']) {
      const raw = await RawClient.open(server)
      await raw.waitFor((t) => t.startsWith('0{'))
      raw.send(`40${JSON.stringify({ id: '15432', token: USER })}`)
      await raw.waitFor((t) => appFrame(t)?.type === 'login')
      raw.send(garbage)
      await raw.closed
    }
    const raw = await RawClient.open(server)
    await raw.waitFor((t) => t.startsWith('0{'))
    raw.send('40/admin,{"token":"x"}')
    expect(await raw.waitFor((t) => t.startsWith('44/admin'))).toBe('44/admin,{"message":"Invalid namespace"}')
    raw.close()
    expect((await bystander.heartbeat()).type).toBe('heartbeat')
  })
})

// ------------------------------------------------------------------------------------------ upstream

interface FakeOpenAi {
  url: string
  bodies: Frame[]
  close(): Promise<void>
}

async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const bodies: Frame[] = []
  const sse = (res: ServerResponse, deltas: Frame[]): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    for (const d of deltas) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: d, finish_reason: null }] })}\n\n`)
    res.end('data: [DONE]\n\n')
  }
  const srv: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify({ data: [{ id: 'gpt-4o-mini' }, { id: 'deepseek-chat' }] }))
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Frame
      bodies.push(body)
      if (!['gpt-4o-mini', 'deepseek-chat'].includes(body.model)) {
        res.writeHead(404, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify({ error: { message: `The model \`${body.model}\` does not exist or you do not have access to it.`, code: 'model_not_found' } }))
      }
      const last = body.messages.at(-1)
      if (last.role === 'tool') return sse(res, [{ content: 'The tool returned: ' }, { content: last.content }])
      if (String(last.content).includes('tool') && body.tools?.length) {
        const name = body.tools[0].function.name
        return sse(res, [
          { tool_calls: [{ index: 0, id: 'call_stub_1', type: 'function', function: { name, arguments: '' } }] },
          { tool_calls: [{ index: 0, function: { arguments: '{"command": "echo mio-tool-ok"}' } }] }
        ])
      }
      if (String(last.content).includes('upstream500')) {
        res.writeHead(500, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify({ error: { message: 'stub internal error' } }))
      }
      sse(res, [{ reasoning_content: 'Let me ' }, { reasoning_content: 'think...' }, { content: 'Hello' }, { content: ' from the stub.' }])
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1`,
    bodies,
    close: () => new Promise<void>((r) => (srv.close(() => r()), srv.closeAllConnections()))
  }
}

describe('upstream provider', () => {
  let fake: FakeOpenAi
  let up: RunningServer
  beforeAll(async () => {
    fake = await startFakeOpenAi()
    up = await startServer({ port: 0, adminCode: ADMIN, userCode: USER, chunkDelayMs: 0, openaiBaseUrl: fake.url, mioV2: true })
  })
  afterAll(async () => {
    await up?.close()
    await fake?.close()
  })

  it('lists the upstream models by owner and streams through them (chatParams and stream_options passed on)', async () => {
    const { client, login } = await V2Client.login(up, USER)
    expect(login.data.models.Upstream).toEqual([
      { owner: 'OpenAI', models: ['gpt-4o-mini'] },
      { owner: 'DeepSeek', models: ['deepseek-chat'] }
    ])
    expect(Object.keys(login.data.models_meta.Upstream)).toEqual(['gpt-4o-mini', 'deepseek-chat'])
    const frames = await client.completion('Hello there', { provider: 'Upstream', model: 'deepseek-chat' })
    expect(frames[0].message).toBe('pending')
    expect(contentOf(frames)).toBe('Hello from the stub.')
    expect(updates(frames)[0].data).toMatchObject({ type: 'reason', data: { text: 'Let me ', duration: 0 } })
    expect(fake.bodies.at(-1)).toMatchObject({ model: 'deepseek-chat', stream: true, temperature: 1, top_p: 1, stream_options: { include_usage: true } })
    expect(fake.bodies.at(-1)!.tools).toBeUndefined()
    client.close()
  })

  it('maps upstream errors: 404 → {code, message:"404 …", status}, 500 → {message:"500 …", status}', async () => {
    const { client } = await V2Client.login(up, ADMIN, '17777')
    const nf = await client.completion('Hello there', { provider: 'Upstream', model: 'no-such-model' })
    expect(nf).toHaveLength(1)
    expect(nf[0].data).toMatchObject({ code: 'model_not_found', status: 404, message: '404 The model `no-such-model` does not exist or you do not have access to it.' })
    const e500 = await client.completion('upstream500 please', { provider: 'Upstream', model: 'gpt-4o-mini' })
    expect(e500.at(-1)!.data).toMatchObject({ message: '500 stub internal error', status: 500 })
    expect(keys(e500.at(-1)!.data)).toEqual(keys(recorded('v2-g2_upstream_500', (f) => f.message === 'failed').data))
  })

  it('offers tools under their full names and runs the call with approval, like the recorded bash round', async () => {
    const { client } = await V2Client.login(up, ADMIN, '17777')
    const rid = client.startCompletion('please use the tool', { provider: 'Upstream', model: 'gpt-4o-mini', tools: [toolNames.bash] })
    const q = await client.waitFor((f) => f.request_id === rid && f.data?.type === 'action')
    const first = fake.bodies.at(-1)!
    expect(first.tools.map((t: Frame) => t.function.name)).toEqual([toolNames.bash])
    client.socket.emit('tool:interact', { interactionId: q.data.content.interactionId, requestId: rid, payload: { approved: true } })
    const frames = await client.collect(rid)
    const calls = toolCalls(frames)
    expect(calls.map((c) => c.action)).toEqual(['started', 'pending', 'running', 'running', 'finished'])
    expect(calls[3].displayName).toBe('echo mio-tool-ok')
    const follow = fake.bodies.at(-1)!
    expect(follow.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_stub_1' })
    expect(JSON.parse(follow.messages.at(-1).content)).toMatchObject({ exitCode: 0, status: 'finished' })
    expect(contentOf(frames)).toContain('The tool returned: {"exitCode":0')
    expect(frames.filter((f) => f.message === 'pending')).toHaveLength(2)
  })
})

// ---------------------------------------------------------------------------------------- helpers

describe('v2 helpers', () => {
  it('shWhitelist: equal, prefix or /regex/, separated by commas or newlines', () => {
    expect(whitelisted('echo hi', 'echo')).toBe(true)
    expect(whitelisted('ls -l', 'pwd,\nls')).toBe(true)
    expect(whitelisted('rm -rf /', 'echo, ls')).toBe(false)
    expect(whitelisted('git status', '/^git (status|log)$/')).toBe(true)
    expect(whitelisted('echo', undefined)).toBe(false)
    expect(whitelisted('x', '/[/')).toBe(false)
  })

  it('demo shell echoes, finds commands in prompts', () => {
    expect(demoShell('echo "hello"').stdout).toBe('$ echo "hello"\nhello')
    expect(demoShell('ls').stdout).toContain('was not run')
    expect(findCommand('please run `ls -la` for me')).toBe('ls -la')
    expect(findCommand('$ uname -a')).toBe('uname -a')
    expect(findCommand('please use the tool')).toBe('echo mio-tool-ok')
    expect(findCommand('what time is it')).toBeUndefined()
  })

  it('the bot\'s spec-shaped forward becomes node objects', () => {
    const out = toV2Segments([{ type: 'nodes', data: { messages: [[{ type: 'text', data: { text: 'a' } }]] } }, { type: 'image', data: { image: 'data:x' } }])
    expect(out[0].data.messages).toEqual([{ type: 'node', data: { name: 'MioDesk bot', uin: '20000001', content: [{ type: 'text', data: { text: 'a' } }] } }])
    expect(out[1]).toEqual({ type: 'image', data: { file: 'data:x' } })
  })
})
