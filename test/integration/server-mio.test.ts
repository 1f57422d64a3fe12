/**
 * Integration tests of the reference server (Mio-Chat spec dialect): real sockets on 127.0.0.1,
 * talking to the server with the `ws` package directly.
 */
import { spawn } from 'node:child_process'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { startServer, type RunningServer } from '../../server/app'
import { calculate, findExpression } from '../../server/mio/tools'
import { wordChunks } from '../../server/mio/sink'

type Frame = Record<string, any>

const ADMIN = 'admin-secret'
const USER = 'user-secret'
const BOT = '20000001'

class TestClient {
  readonly frames: Frame[] = []
  private readonly taken = new Set<Frame>()
  private readonly listeners = new Set<() => void>()
  readonly closed: Promise<{ code: number; reason: string }>
  private nextId = 1

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let f: Frame
      try {
        f = JSON.parse(data.toString())
      } catch {
        f = { __raw: data.toString() }
      }
      this.frames.push(f)
      for (const l of [...this.listeners]) l()
    })
    this.closed = new Promise((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })))
  }

  static open(server: RunningServer, id = '15432', code = 'whatever'): Promise<TestClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/gateway?mio-chat-id=${id}&mio-chat-token=${code}`)
    const client = new TestClient(ws)
    return new Promise((res, rej) => {
      ws.once('open', () => res(client))
      ws.once('error', rej)
    })
  }

  static async login(server: RunningServer, code: string, id = '15432'): Promise<TestClient> {
    const c = await TestClient.open(server, id, code)
    const reply = await c.request({ protocol: 'system', type: 'login', data: { 'mio-chat-id': id, 'mio-chat-token': code } })
    expect(reply.code).toBe(0)
    return c
  }

  rid(): string {
    return `r${this.nextId++}`
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Resolves with the first not-yet-taken frame matching `pred` (earlier frames included). */
  waitFor(pred: (f: Frame) => boolean, timeoutMs = 3000, what = 'frame'): Promise<Frame> {
    return new Promise((res, rej) => {
      const check = (): boolean => {
        const f = this.frames.find((x) => !this.taken.has(x) && pred(x))
        if (!f) return false
        this.taken.add(f)
        this.listeners.delete(listener)
        clearTimeout(timer)
        res(f)
        return true
      }
      const listener = (): void => void check()
      const timer = setTimeout(() => {
        this.listeners.delete(listener)
        rej(new Error(`timeout waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5)).slice(0, 800)}`))
      }, timeoutMs)
      this.listeners.add(listener)
      check()
    })
  }

  /** Sends a request (adding a request_id unless present) and waits for its coded reply. */
  request(frame: Frame, timeoutMs = 3000): Promise<Frame> {
    const f = 'request_id' in frame ? frame : { request_id: this.rid(), ...frame }
    this.send(f)
    const rid = f.request_id
    return this.waitFor((x) => x.request_id === rid && typeof x.code === 'number', timeoutMs, `reply to ${String(rid)}`)
  }

  /** All frames of one completion request up to its terminal frame. */
  async completion(data: Frame, timeoutMs = 5000): Promise<Frame[]> {
    const rid = this.rid()
    this.send({ protocol: 'openai', type: 'completions', request_id: rid, data })
    const out: Frame[] = []
    for (;;) {
      const f = await this.waitFor((x) => x.request_id === rid, timeoutMs, `completion frame of ${rid}`)
      out.push(f)
      if (f.code === 1 || f.message === 'completed' || f.message === 'failed') return out
    }
  }

  /** Waits a little and returns the frames that arrived and were not taken. */
  async quiet(ms: number): Promise<Frame[]> {
    await new Promise((r) => setTimeout(r, ms))
    return this.frames.filter((f) => !this.taken.has(f))
  }

  close(): void {
    this.ws.close()
  }
}

function sendFrame(contact: string, message: unknown[], messageId?: unknown): Frame {
  const inner: Frame = { message }
  if (messageId !== undefined) inner.message_id = messageId
  return { protocol: 'onebot', type: 'message', data: { id: contact, type: 'message', data: inner } }
}

const text = (t: string): Frame => ({ type: 'text', data: { text: t } })
const isBotPush = (f: Frame): boolean => f.protocol === 'onebot' && f.type === 'message' && f.data?.id === BOT
const updates = (frames: Frame[]): Frame[] => frames.filter((f) => f.message === 'update')
const textOf = (frames: Frame[]): string =>
  updates(frames)
    .map((f) => f.data.chunk)
    .join('')
const toolFrames = (frames: Frame[]): Frame[] => updates(frames).filter((f) => f.data.tool_call)

let server: RunningServer
const clients: TestClient[] = []
async function login(code = USER, id = '15432'): Promise<TestClient> {
  const c = await TestClient.login(server, code, id)
  clients.push(c)
  return c
}

beforeAll(async () => {
  server = await startServer({ port: 0, adminCode: ADMIN, userCode: USER, chunkDelayMs: 0 })
})
afterAll(async () => {
  for (const c of clients) c.close()
  await server?.close()
})

describe('login', () => {
  it('pushes nothing before login and logs a user in', async () => {
    const c = await TestClient.open(server, '111', USER)
    clients.push(c)
    expect(await c.quiet(80)).toEqual([])
    const reply = await c.request({ request_id: 7, protocol: 'system', type: 'login', data: { 'mio-chat-id': '111', 'mio-chat-token': USER } })
    expect(reply).toEqual({ request_id: 7, code: 0, message: 'success', data: { is_admin: false, admin_qq: '10000001', bot_qq: BOT } })
  })

  it('flags the admin code', async () => {
    const c = await TestClient.open(server, '222')
    clients.push(c)
    const reply = await c.request({ protocol: 'system', type: 'login', data: { 'mio-chat-id': '222', 'mio-chat-token': ADMIN } })
    expect(reply.code).toBe(0)
    expect(reply.data.is_admin).toBe(true)
    expect(typeof reply.data.admin_qq).toBe('string')
    expect(typeof reply.data.bot_qq).toBe('string')
  })

  it('rejects a wrong code and closes with 4001 about 100 ms later', async () => {
    const c = await TestClient.open(server, '333', USER) // a valid code in the URL does not count
    const t0 = Date.now()
    const reply = await c.request({ protocol: 'system', type: 'login', data: { 'mio-chat-id': '333', 'mio-chat-token': 'nope' } })
    expect(reply).toMatchObject({ code: 1, message: 'failed', data: { reason: 'invalid code' } })
    const closed = await c.closed
    expect(closed.code).toBe(4001)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(80)
  })

  it('refuses requests before login, even with a valid code in the URL', async () => {
    const c = await TestClient.open(server, '444', USER)
    clients.push(c)
    for (const frame of [
      { protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } },
      { protocol: 'openai', type: 'models', data: {} },
      sendFrame(BOT, [text('hi')])
    ]) {
      const reply = await c.request(frame)
      expect(reply).toMatchObject({ code: 1, message: 'failed', data: { reason: 'not logged in' } })
    }
    expect(c.ws.readyState).toBe(WebSocket.OPEN)
  })
})

describe('system', () => {
  it('echoes request_id with its JSON type', async () => {
    const c = await login()
    const a = await c.request({ request_id: '42', protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } })
    const b = await c.request({ request_id: 42, protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } })
    expect(a.request_id).toBe('42')
    expect(b.request_id).toBe(42)
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), async (rid) => {
        const expected = JSON.parse(JSON.stringify(rid))
        const reply = await c.request({ request_id: expected, protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } })
        expect(Object.is(reply.request_id, expected) || reply.request_id === expected).toBe(true)
        expect(typeof reply.request_id).toBe(typeof expected)
      }),
      { numRuns: 60 }
    )
  })

  it('answers heartbeats with the delay', async () => {
    const c = await login()
    const ts = Date.now() - 1000
    const a = await c.request({ protocol: 'system', type: 'heartbeat', data: { timestamp: ts } })
    expect(a).toMatchObject({ code: 0, message: 'success' })
    expect(typeof a.data.delay).toBe('number')
    expect(a.data.delay).toBeGreaterThanOrEqual(1000)
    expect(a.data.delay).toBeLessThan(1500)
    const b = await c.request({ protocol: 'system', type: 'heartbeat', data: { timestamp: String(Date.now() - 200) } })
    expect(b.data.delay).toBeGreaterThanOrEqual(200)
    expect(b.data.delay).toBeLessThan(700)
    const bad = await c.request({ protocol: 'system', type: 'heartbeat', data: { timestamp: 'soon' } })
    expect(bad.code).toBe(1)
  })

  it('lists the models', async () => {
    const c = await login()
    const reply = await c.request({ protocol: 'openai', type: 'models', data: {} })
    expect(reply).toEqual({ request_id: reply.request_id, code: 0, message: 'success', data: { models: [{ owner: 'MioDesk', models: ['mio-demo'] }] } })
  })
})

describe('onebot', () => {
  it('acks a message with its message_id and the bot echoes it, unknown segments intact', async () => {
    const c = await login(USER, 'u-send')
    const segs = [text('hello'), { type: 'image', data: { image: 'https://example.com/a.png' } }, { type: 'x-sticker', data: { pack: 7, tags: ['a', { b: null }] } }]
    const reply = await c.request(sendFrame(BOT, segs, 'client-msg-1'))
    expect(reply).toMatchObject({ code: 0, message: 'success', data: { message_id: 'client-msg-1' } })
    const push = await c.waitFor(isBotPush)
    expect(push.code).toBeUndefined()
    expect(typeof push.request_id).toBe('number')
    expect(push.data.type).toBe('message')
    expect(push.data.content.message).toEqual(segs)
    expect(push.data.content.message_id).not.toBe('client-msg-1')

    // A duplicate client id and a missing one both get a fresh numeric id.
    const dup = await c.request(sendFrame('someone', [text('x')], 'client-msg-1'))
    expect(typeof dup.data.message_id).toBe('number')
    const none = await c.request(sendFrame('someone', [text('y')]))
    expect(typeof none.data.message_id).toBe('number')
    expect(none.data.message_id).not.toBe(dup.data.message_id)
    // Not to the bot: no echo.
    expect((await c.quiet(50)).filter(isBotPush)).toEqual([])
  })

  it('accepts the seed shapes without a top-level type', async () => {
    const c = await login(USER, 'u-seed')
    const sent = await c.request({ protocol: 'onebot', data: { id: BOT, type: 'message', data: { message: [text('seed')], message_id: 987654 } } })
    expect(sent).toEqual({ request_id: sent.request_id, code: 0, message: 'success', data: { message_id: 987654 } })
    await c.waitFor(isBotPush)
    const del = await c.request({ protocol: 'onebot', data: { id: BOT, type: 'message', content: { message_id: '987654' } } })
    expect(del.code).toBe(0)
    const fwd = await c.request({ protocol: 'onebot', data: { id: 'someone', type: 'forward_msg', content: [{ message_id: 1, message: [text('n')] }] } })
    expect(fwd.code).toBe(0)
  })

  it("the seed's forward example ({message_id, message: []}) forwards the stored message; an unknown id is refused in words", async () => {
    const c = await login(USER, 'u-seed-fwd')
    // The seed's own message example, then its forward example pointing at it (to the bot, which echoes).
    const sent = await c.request({ protocol: 'onebot', data: { id: 'someone', type: 'message', data: { message: [text('Hello, world!')], message_id: 1234567890 } } })
    expect(sent.data.message_id).toBe(1234567890)
    const fwd = await c.request({ request_id: 1234567890, protocol: 'onebot', data: { id: BOT, type: 'forward_msg', content: [{ message_id: 1234567890, message: [] }] } })
    expect(fwd).toMatchObject({ request_id: 1234567890, code: 0, message: 'success' })
    const push = await c.waitFor(isBotPush)
    expect(push.data.content.message).toEqual([{ type: 'nodes', data: { messages: [[text('Hello, world!')]] } }])
    // The id as a string, and a bot message by its pushed id, work the same.
    const byString = await c.request({ protocol: 'onebot', data: { id: 'someone', type: 'forward_msg', content: [{ message_id: '1234567890', message: [] }, { message_id: push.data.content.message_id, message: [] }] } })
    expect(byString.code).toBe(0)

    const unknown = await c.request({ protocol: 'onebot', data: { id: BOT, type: 'forward_msg', content: [{ message_id: 424242, message: [] }] } })
    expect(unknown).toMatchObject({ code: 1, message: 'failed' })
    expect(unknown.data.reason).toMatch(/no stored message with message_id 424242/)
    expect(unknown.data.reason).not.toMatch(/must not be empty/)
    const noId = await c.request({ protocol: 'onebot', data: { id: BOT, type: 'forward_msg', content: [{ message: [] }] } })
    expect(noId).toMatchObject({ code: 1, message: 'failed' })
    expect(noId.data.reason).toMatch(/message_id/)

    // Another user cannot pull this user's message out by its id.
    const other = await login(USER, 'u-seed-fwd-other')
    const stolen = await other.request({ protocol: 'onebot', data: { id: BOT, type: 'forward_msg', content: [{ message_id: 1234567890, message: [] }] } })
    expect(stolen).toMatchObject({ code: 1, data: { reason: expect.stringMatching(/no stored message with message_id 1234567890/) } })
  })

  it('rejects malformed messages', async () => {
    const c = await login()
    for (const data of [
      { id: BOT, type: 'message', data: { message: [] } },
      { id: BOT, type: 'message', data: { message: 'hi' } },
      { id: BOT, type: 'message', data: { message: [{ type: 'text' }] } },
      { type: 'message', data: { message: [text('no id')] } },
      [text('field shape')]
    ]) {
      const reply = await c.request({ protocol: 'onebot', type: 'message', data })
      expect(reply.code).toBe(1)
      expect(typeof reply.data.reason).toBe('string')
    }
  })

  it('/forward pushes three nodes, the third a nested forward', async () => {
    const c = await login(USER, 'u-fwd')
    await c.request(sendFrame(BOT, [text('/forward')]))
    const push = await c.waitFor(isBotPush)
    const segs = push.data.content.message
    expect(segs).toHaveLength(1)
    expect(segs[0].type).toBe('nodes')
    const nodes = segs[0].data.messages
    expect(nodes).toHaveLength(3)
    for (const n of nodes) expect(Array.isArray(n)).toBe(true)
    expect(nodes[1].some((s: Frame) => s.type === 'image' && typeof s.data.image === 'string')).toBe(true)
    expect(nodes[2]).toHaveLength(1)
    expect(nodes[2][0].type).toBe('nodes')
    expect(nodes[2][0].data.messages.length).toBeGreaterThanOrEqual(1)
    expect(Array.isArray(nodes[2][0].data.messages[0])).toBe(true)
  })

  it('/recall pushes a message then its deletion about 500 ms later, to every client', async () => {
    const c = await login(USER, 'u-recall')
    const other = await login(USER, 'u-other')
    await c.request(sendFrame(BOT, [text('/recall')]))
    const push = await c.waitFor(isBotPush)
    const t0 = Date.now()
    expect(push.data.content.message).toEqual([text('this will be recalled')])
    const id = push.data.content.message_id
    const isDel = (f: Frame): boolean => f.type === 'del_message' && f.data?.content?.message_id === id
    const del = await c.waitFor(isDel, 3000)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350)
    expect(del).toEqual({ protocol: 'onebot', type: 'del_message', data: { id: BOT, type: 'del_message', content: { message_id: id } } })
    await other.waitFor(isDel)
    // The other client never saw the message itself (it went to u-recall only).
    expect(other.frames.filter(isBotPush)).toEqual([])
  })

  it('/help lists the commands', async () => {
    const c = await login(USER, 'u-help')
    await c.request(sendFrame(BOT, [text('/help')]))
    const push = await c.waitFor(isBotPush)
    const t = push.data.content.message[0].data.text as string
    for (const cmd of ['/forward', '/recall', '/help']) expect(t).toContain(cmd)
  })

  it('deletes a message and pushes the deletion to every logged-in client', async () => {
    const a = await login(USER, 'u-del-a')
    const b = await login(ADMIN, 'u-del-b')
    const sent = await a.request(sendFrame('contact-9', [text('to delete')]))
    const id = sent.data.message_id
    const reply = await a.request({ protocol: 'onebot', type: 'del_message', data: { id: 'contact-9', type: 'message', content: { message_id: String(id) } } })
    expect(reply).toEqual({ request_id: reply.request_id, code: 0, message: 'success' })
    const expected = { protocol: 'onebot', type: 'del_message', data: { id: 'contact-9', type: 'del_message', content: { message_id: id } } }
    expect(await a.waitFor((f) => f.type === 'del_message')).toEqual(expected)
    expect(await b.waitFor((f) => f.type === 'del_message' && f.data.content.message_id === id)).toEqual(expected)
    const again = await a.request({ protocol: 'onebot', type: 'del_message', data: { id: 'contact-9', type: 'message', content: { message_id: id } } })
    expect(again).toMatchObject({ code: 1, message: 'failed', data: { reason: 'message not found' } })
  })

  it('forwards messages as one nodes message', async () => {
    const c = await login(USER, 'u-forward')
    const first = await c.request(sendFrame('contact-1', [text('one')]))
    const content = [
      { message_id: first.data.message_id, message: [text('one')] },
      { message_id: 'ext-2', message: [text('two'), { type: 'custom', data: { k: 1 } }] }
    ]
    const reply = await c.request({ protocol: 'onebot', type: 'forward_msg', data: { id: BOT, type: 'forward_msg', content } })
    expect(reply.code).toBe(0)
    expect(reply.data.message_id).toBeDefined()
    // The bot echoes what it received: one nodes segment with the two nodes.
    const push = await c.waitFor(isBotPush)
    expect(push.data.content.message).toEqual([{ type: 'nodes', data: { messages: [content[0].message, content[1].message] } }])
    // It is stored: deleting it works.
    const del = await c.request({ protocol: 'onebot', type: 'del_message', data: { id: BOT, type: 'message', content: { message_id: reply.data.message_id } } })
    expect(del.code).toBe(0)

    for (const bad of [[], 'nope', [{ message_id: 1, message: 'x' }], [42]]) {
      const r = await c.request({ protocol: 'onebot', type: 'forward_msg', data: { id: BOT, type: 'forward_msg', content: bad } })
      expect(r.code).toBe(1)
      expect(typeof r.data.reason).toBe('string')
    }
  })
})

describe('message ids across restarts', () => {
  /** One user session: a message to the bot, its ack id and the bot's echo id. */
  async function idsOfOneRun(port: number): Promise<{ port: number; ids: unknown[] }> {
    const s = await startServer({ port, adminCode: ADMIN, userCode: USER, chunkDelayMs: 0 })
    try {
      const c = await TestClient.login(s, USER, 'u-restart')
      const ack = await c.request(sendFrame(BOT, [text('hello')]))
      const push = await c.waitFor(isBotPush)
      c.close()
      return { port: s.port, ids: [ack.data.message_id, push.data.content.message_id] }
    } finally {
      await s.close()
    }
  }

  it('a restarted server never reuses a message id of the previous run (numeric, JSON-safe)', async () => {
    const first = await idsOfOneRun(0)
    const second = await idsOfOneRun(first.port)
    for (const id of [...first.ids, ...second.ids]) {
      expect(typeof id).toBe('number')
      expect(Number.isSafeInteger(id)).toBe(true)
    }
    expect(new Set([...first.ids, ...second.ids]).size).toBe(4)
    // Later runs number above earlier ones.
    expect(Math.min(...(second.ids as number[]))).toBeGreaterThan(Math.max(...(first.ids as number[])))
  })

  it('end to end: MioClient keeps getting the bot\'s answers after the server restarts on the same port', async () => {
    const { MioClient } = await import('../../src/core/protocols/mio/client')
    let s = await startServer({ port: 0, adminCode: ADMIN, userCode: USER, chunkDelayMs: 0 })
    const port = s.port
    const c = new MioClient({ server: `127.0.0.1:${port}`, id: 'u-e2e-restart', token: USER, heartbeatIntervalMs: 60_000, backoff: { baseMs: 20, maxMs: 100, factor: 2, jitter: 0 } })
    const answers: string[] = []
    c.on('message', (m) => answers.push((m.segments[0]?.data as { text?: string }).text ?? ''))
    const until = async (cond: () => boolean, what: string): Promise<void> => {
      const t0 = Date.now()
      while (!cond()) {
        if (Date.now() - t0 > 5000) throw new Error(`timed out waiting for ${what}`)
        await new Promise((r) => setTimeout(r, 10))
      }
    }
    try {
      await c.connect()
      await c.sendMessage(c.onebotTarget(), [{ type: 'text', data: { text: 'before the restart' } }])
      await until(() => answers.length === 1, 'the first answer')
      await s.close()
      s = await startServer({ port, adminCode: ADMIN, userCode: USER, chunkDelayMs: 0 })
      await until(() => c.status.state === 'online', 'the reconnect')
      await c.sendMessage(c.onebotTarget(), [{ type: 'text', data: { text: 'after the restart' } }])
      await until(() => answers.length === 2, 'the answer after the restart')
      expect(answers).toEqual(['before the restart', 'after the restart'])
    } finally {
      c.stop()
      await s.close()
    }
  })
})

describe('share over HTTP', () => {
  it('creates and reads a share', async () => {
    const contactor = { name: 'Mio <Bot> & co', model: 'mio-demo', id: 'c1', nested: { a: [1, 2] } }
    const res = await fetch(`${server.url}/api/share`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contactor }) })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Frame
    expect(body.code).toBe(0)
    expect(body.message).toBe('success')
    const m = /^http:\/\/127\.0\.0\.1:(\d+)\/chat\/0\?shareId=([\w-]+)$/.exec(body.data.shareUrl)
    expect(m).not.toBeNull()
    expect(Number(m![1])).toBe(server.port)
    expect(body.data.previewImg.startsWith('data:image/svg+xml;base64,')).toBe(true)
    const svg = Buffer.from(body.data.previewImg.split(',')[1], 'base64').toString('utf8')
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/)
    expect(svg).toContain('Mio &lt;Bot&gt; &amp; co')

    const got = await fetch(`${server.url}/api/share?id=${m![2]}`)
    expect(got.status).toBe(200)
    expect(await got.json()).toEqual({ code: 0, message: 'success', data: { contactor } })
  })

  it('persists shares in dataDir across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'miodesk-share-'))
    try {
      const a = await startServer({ port: 0, dataDir: dir })
      const res = await fetch(`${a.url}/api/share`, { method: 'POST', body: JSON.stringify({ contactor: { name: 'Kept' } }) })
      const id = new URL(((await res.json()) as Frame).data.shareUrl).searchParams.get('shareId')
      await a.close() // flushes pending writes
      const b = await startServer({ port: 0, dataDir: dir })
      const got = (await (await fetch(`${b.url}/api/share?id=${id}`)).json()) as Frame
      await b.close()
      expect(got.data.contactor).toEqual({ name: 'Kept' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('answers 400 for unknown ids, bad JSON and a missing contactor; 413 over 1 MB', async () => {
    const missing = await fetch(`${server.url}/api/share?id=nope`)
    expect(missing.status).toBe(400)
    expect(await missing.json()).toEqual({ code: 1, message: 'not found' })
    const bad = await fetch(`${server.url}/api/share`, { method: 'POST', body: '{nope' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ code: 1, message: 'invalid JSON' })
    const noContactor = await fetch(`${server.url}/api/share`, { method: 'POST', body: '{"x":1}' })
    expect(noContactor.status).toBe(400)
    const big = await fetch(`${server.url}/api/share`, { method: 'POST', body: JSON.stringify({ contactor: { name: 'x'.repeat(1024 * 1024 + 10) } }) })
    expect(big.status).toBe(413)
    const other = await fetch(`${server.url}/nothing-here`)
    expect(other.status).toBe(404)
  })
})

describe('completions (mio-demo)', () => {
  it('streams pending, reasoning, text updates with consecutive indices, then completed', async () => {
    const c = await login()
    const frames = await c.completion({ model: 'mio-demo', messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: 'hello there' }], temperature: 0.5, top_p: 1 })
    expect(frames[0]).toEqual({ request_id: frames[0].request_id, code: 0, message: 'pending' })
    expect(frames.at(-1)).toEqual({ request_id: frames[0].request_id, code: 0, message: 'completed' })
    const ups = updates(frames)
    expect(ups.length).toBe(frames.length - 2)
    ups.forEach((u, i) => {
      expect(u.code).toBe(0)
      expect(u.data.index).toBe(i)
      expect(u.data.tool_call).toBeNull()
      expect(typeof u.data.chunk).toBe('string')
    })
    const firstText = ups.findIndex((u) => u.data.chunk !== '')
    const reasoning = ups.filter((u) => typeof u.data.reasoning_content === 'string')
    expect(reasoning.length).toBeGreaterThanOrEqual(2)
    expect(ups.slice(0, reasoning.length)).toEqual(reasoning) // reasoning comes first
    expect(firstText).toBe(reasoning.length)
    expect(ups.filter((u) => u.data.chunk !== '').length).toBeGreaterThan(5)
    expect(textOf(frames)).toContain('> hello there')
  })

  it('delivers a non-streamed request as one text update', async () => {
    const c = await login()
    const frames = await c.completion({ model: 'mio-demo', stream: false, messages: [{ role: 'user', content: 'hi' }] })
    const textUpdates = updates(frames).filter((u) => u.data.chunk !== '')
    expect(textUpdates).toHaveLength(1)
    expect(frames.at(-1)!.message).toBe('completed')
  })

  async function checkToolCall(frames: Frame[], name: string): Promise<any[]> {
    const calls = toolFrames(frames).map((f) => f.data.tool_call).filter((t) => t.name === name)
    const actions = calls.map((t) => t.action)
    expect(actions[0]).toBe('started')
    expect(actions.at(-2)).toBe('running')
    expect(actions.at(-1)).toBe('finished')
    const pendings = calls.filter((t) => t.action === 'pending')
    expect(pendings.length).toBeGreaterThanOrEqual(2)
    expect(actions).toEqual(['started', ...pendings.map(() => 'pending'), 'running', 'finished'])
    const full = calls.at(-2).params
    for (const p of pendings) expect(p.params.length).toBeLessThan(full.length) // fragments only
    expect(pendings.map((p) => p.params).join('')).toBe(full)
    expect(() => JSON.parse(full)).not.toThrow()
    expect(calls.at(-1).params).toBe(full)
    expect(new Set(calls.map((t) => t.id)).size).toBe(1)
    expect(typeof calls[0].id).toBe('string')
    for (const f of toolFrames(frames)) expect(f.data.chunk).toBe('')
    return calls
  }

  it('runs the clock tool for a time question', async () => {
    const c = await login()
    const frames = await c.completion({ model: 'mio-demo', messages: [{ role: 'user', content: '现在几点?' }] })
    const calls = await checkToolCall(frames, 'clock')
    const result = calls.at(-1).result
    expect(result.error).toBeNull()
    expect(Math.abs(result.result.unix_ms - Date.now())).toBeLessThan(5000)
    // Tool frames come before the answer text, and the answer contains the result.
    const ups = updates(frames)
    const lastTool = ups.findLastIndex((u) => u.data.tool_call)
    const firstText = ups.findIndex((u) => u.data.chunk !== '')
    expect(lastTool).toBeLessThan(firstText)
    expect(textOf(frames)).toContain(result.result.iso)
  })

  it('runs the calculator for an expression and for "sum"', async () => {
    const c = await login()
    const frames = await c.completion({ model: 'mio-demo', messages: [{ role: 'user', content: 'what is 12*(3+4)?' }] })
    const calls = await checkToolCall(frames, 'calculator')
    expect(JSON.parse(calls.at(-1).params)).toEqual({ expression: '12*(3+4)' })
    expect(calls.at(-1).result).toEqual({ error: null, result: 84 })
    expect(textOf(frames)).toContain('**84**')
    const sum = await c.completion({ model: 'mio-demo', messages: [{ role: 'user', content: 'sum 5 and 7 please' }] })
    expect((await checkToolCall(sum, 'calculator')).at(-1).result.result).toBe(12)
  })

  it('only runs the tools the request allows', async () => {
    const c = await login()
    const frames = await c.completion({ model: 'mio-demo', tools: ['clock'], messages: [{ role: 'user', content: 'calculate 2+2' }] })
    expect(toolFrames(frames)).toEqual([])
    expect(textOf(frames)).toContain('not enabled')
    const none = await c.completion({ model: 'mio-demo', tools: [], messages: [{ role: 'user', content: 'what time is it' }] })
    expect(toolFrames(none)).toEqual([])
    const clockOnly = await c.completion({ model: 'mio-demo', tools: ['clock'], messages: [{ role: 'user', content: 'what time is it' }] })
    expect(toolFrames(clockOnly).length).toBeGreaterThan(0)
  })

  it('writes a long Markdown answer with code, a table and math', async () => {
    const c = await login()
    const frames = await c.completion({ model: 'mio-demo', messages: [{ role: 'user', content: 'give me a long answer' }] })
    const t = textOf(frames)
    expect(Buffer.byteLength(t)).toBeGreaterThanOrEqual(2048)
    expect(t).toMatch(/```\w+\n[\s\S]+?\n```/)
    expect(t).toMatch(/^\|.+\|\n\|[-:| ]+\|$/m)
    expect(t).toContain('$e^{i\\pi}+1=0$')
    // Small chunks: a few words each.
    for (const u of updates(frames).filter((x) => x.data.chunk)) expect(u.data.chunk.trim().split(/\s+/).length).toBeLessThanOrEqual(3)
  })

  it('fails an unknown model and rejects invalid requests without crashing', async () => {
    const c = await login()
    const frames = await c.completion({ model: 'nope-1', messages: [{ role: 'user', content: 'hi' }] })
    expect(frames.at(-1)).toEqual({ request_id: frames[0].request_id, code: 0, message: 'failed', data: { reason: 'unknown model: nope-1' } })
    for (const data of [
      { model: 'mio-demo' },
      { model: 'mio-demo', messages: [] },
      { model: 'mio-demo', messages: 'hi' },
      { model: 'mio-demo', messages: [{ role: 'user' }] },
      { model: 'mio-demo', messages: [{ role: 'user', content: 'x' }], tools: 'clock' },
      { model: 'mio-demo', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' },
      { messages: [{ role: 'user', content: 'x' }] },
      null
    ]) {
      const r = await c.completion(data as Frame)
      expect(r).toHaveLength(1)
      expect(r[0]).toMatchObject({ code: 1, message: 'failed' })
      expect(typeof r[0].data.reason).toBe('string')
    }
    const ok = await c.request({ protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } })
    expect(ok.code).toBe(0)
  })

  it('stops streaming when the client disconnects', async () => {
    const slow = await startServer({ port: 0, adminCode: ADMIN, userCode: USER, chunkDelayMs: 20 })
    try {
      const c = await TestClient.login(slow, USER)
      c.send({ protocol: 'openai', type: 'completions', request_id: 'k1', data: { model: 'mio-demo', messages: [{ role: 'user', content: 'long' }] } })
      await c.waitFor((f) => f.message === 'update')
      c.ws.terminate()
      await new Promise((r) => setTimeout(r, 100))
      // Another client on the same server is served normally.
      const d = await TestClient.login(slow, USER)
      const frames = await d.completion({ model: 'mio-demo', stream: false, messages: [{ role: 'user', content: 'hi' }] })
      expect(frames.at(-1)!.message).toBe('completed')
      d.close()
    } finally {
      await slow.close()
    }
  })
})

describe('calculator', () => {
  it('evaluates with precedence and refuses anything else', () => {
    expect(calculate('12*(3+4)')).toBe(84)
    expect(calculate('2^3^2')).toBe(512)
    expect(calculate('-2^2')).toBe(-4)
    expect(calculate('0.1+0.2')).toBe(0.3)
    expect(calculate('7 % 4 + 10/4')).toBe(5.5)
    expect(calculate('3×(2÷4)')).toBe(1.5)
    for (const bad of ['1/0', '1+', '(1', 'alert(1)', 'process.exit()', '2**', '', '1e999*10']) expect(() => calculate(bad)).toThrow()
    expect(findExpression('what is 12*(3+4)?')).toBe('12*(3+4)')
    expect(findExpression('计算 3 和 4')).toBe('3+4')
    expect(findExpression('hello 2024')).toBeUndefined()
  })

  it('matches integer arithmetic on random expressions', () => {
    const expr: fc.Arbitrary<{ s: string; v: number }> = fc.letrec<{ e: { s: string; v: number } }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.integer({ min: 0, max: 1000 }).map((n) => ({ s: String(n), v: n })),
        fc.tuple(tie('e'), fc.constantFrom('+', '-', '*'), tie('e')).map(([a, op, b]) => ({
          s: `(${a.s}${op}${b.s})`,
          v: op === '+' ? a.v + b.v : op === '-' ? a.v - b.v : a.v * b.v
        }))
      )
    })).e
    fc.assert(
      fc.property(expr, ({ s, v }) => {
        fc.pre(Math.abs(v) < 1e11)
        expect(calculate(s)).toBe(v + 0) // +0: the calculator never returns -0
      }),
      { numRuns: 200 }
    )
  })

  it('chunks text so that it concatenates back exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.integer({ min: 1, max: 5 }), (s, n) => {
        expect(wordChunks(s, n).join('')).toBe(s)
      })
    )
  })
})

// ------------------------------------------------------------------------------------ upstream

interface FakeOpenAi {
  url: string
  requests: Array<{ auth: string | undefined; body: Frame }>
  close(): Promise<void>
}

function sse(res: ServerResponse, events: unknown[], split = false): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const text = events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('')
  if (!split) {
    res.end(text)
    return
  }
  // Cut the stream at awkward places (mid-line, mid-UTF-8 sequence) to exercise the parser.
  const bytes = Buffer.from(text)
  let i = 0
  const step = (): void => {
    if (i >= bytes.length) return void res.end()
    res.write(bytes.subarray(i, i + 7))
    i += 7
    setImmediate(step)
  }
  step()
}

const delta = (d: Frame, finish: string | null = null): Frame => ({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: d, finish_reason: finish }] })

async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: FakeOpenAi['requests'] = []
  const hanging = new Set<ServerResponse>()
  const srv: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.headers.authorization !== 'Bearer sk-test') {
        res.writeHead(401, { 'content-type': 'application/json' })
        return void res.end('{"error":{"message":"bad key"}}')
      }
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify({ object: 'list', data: ['up-tools', 'up-text', 'up-500', 'up-hang'].map((id) => ({ id, object: 'model' })) }))
      }
      if (req.method === 'POST' && req.url === '/v1/chat/completions') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Frame
        requests.push({ auth: req.headers.authorization, body })
        const last = body.messages.at(-1)
        if (body.model === 'up-500') {
          res.writeHead(500, { 'content-type': 'application/json' })
          return void res.end('{"error":{"message":"boom"}}')
        }
        if (body.model === 'up-hang') {
          hanging.add(res)
          return
        }
        if (body.model === 'up-text') {
          return sse(res, [delta({ role: 'assistant', reasoning_content: '想一想…' }), delta({ content: 'Hello, ' }), delta({ content: 'wörld 🌍!' }), delta({}, 'stop'), '[DONE]'], true)
        }
        if (last.role === 'tool') {
          const result = JSON.parse(last.content)
          return sse(res, [delta({ content: 'The result is ' }), delta({ content: `${result.result}.` }), delta({}, 'stop'), '[DONE]'])
        }
        return sse(res, [
          delta({ role: 'assistant', reasoning_content: 'Need the calculator.' }),
          delta({ content: 'Let me compute. ' }),
          delta({ tool_calls: [{ index: 0, id: 'call_up_1', type: 'function', function: { name: 'calculator', arguments: '' } }] }),
          delta({ tool_calls: [{ index: 0, function: { arguments: '{"expres' } }] }),
          delta({ tool_calls: [{ index: 0, function: { arguments: 'sion":"12*(3' } }] }),
          delta({ tool_calls: [{ index: 0, function: { arguments: '+4)"}' } }] }),
          delta({}, 'tool_calls'),
          '[DONE]'
        ])
      }
      res.writeHead(404)
      res.end()
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy()
        srv.close(() => r())
        srv.closeAllConnections()
      })
  }
}

describe('upstream proxy', () => {
  let fake: FakeOpenAi
  let up: RunningServer
  let c: TestClient
  beforeAll(async () => {
    fake = await startFakeOpenAi()
    up = await startServer({ port: 0, adminCode: ADMIN, userCode: USER, chunkDelayMs: 0, openaiBaseUrl: fake.url, openaiApiKey: 'sk-test', upstreamTimeoutMs: 400 })
    c = await TestClient.login(up, USER)
  })
  afterAll(async () => {
    c?.close()
    await up?.close()
    await fake?.close()
  })

  it('lists upstream models under "Upstream"', async () => {
    const reply = await c.request({ protocol: 'openai', type: 'models', data: {} })
    expect(reply.data.models).toEqual([
      { owner: 'MioDesk', models: ['mio-demo'] },
      { owner: 'Upstream', models: ['up-tools', 'up-text', 'up-500', 'up-hang'] }
    ])
  })

  it('maps streamed text and reasoning (stream split at odd byte boundaries)', async () => {
    const frames = await c.completion({ model: 'up-text', messages: [{ role: 'user', content: 'hi' }], temperature: 0.3 })
    expect(frames[0].message).toBe('pending')
    expect(frames.at(-1)!.message).toBe('completed')
    updates(frames).forEach((u, i) => expect(u.data.index).toBe(i))
    expect(updates(frames)[0].data.reasoning_content).toBe('想一想…')
    expect(textOf(frames)).toBe('Hello, wörld 🌍!')
    const req = fake.requests.at(-1)!
    expect(req.body).toMatchObject({ model: 'up-text', stream: true, temperature: 0.3, messages: [{ role: 'user', content: 'hi' }] })
    expect(req.body.tools.map((t: Frame) => t.function.name).sort()).toEqual(['calculator', 'clock'])
  })

  it('maps tool calls, runs the tool locally and sends the follow-up request', async () => {
    const before = fake.requests.length
    const frames = await c.completion({ model: 'up-tools', tools: ['calculator'], messages: [{ role: 'user', content: 'compute' }] })
    expect(frames.at(-1)!.message).toBe('completed')
    const calls = toolFrames(frames).map((f) => f.data.tool_call)
    expect(calls.map((t) => t.action)).toEqual(['started', 'pending', 'pending', 'pending', 'running', 'finished'])
    expect(calls.every((t) => t.id === 'call_up_1' && t.name === 'calculator')).toBe(true)
    expect(calls.slice(1, 4).map((t) => t.params)).toEqual(['{"expres', 'sion":"12*(3', '+4)"}'])
    expect(calls[4].params).toBe('{"expression":"12*(3+4)"}')
    expect(calls[5].result).toEqual({ error: null, result: 84 })
    expect(textOf(frames)).toBe('Let me compute. The result is 84.')
    expect(updates(frames)[0].data.reasoning_content).toBe('Need the calculator.')

    const [first, second] = fake.requests.slice(before)
    expect(fake.requests.length - before).toBe(2)
    expect(first.auth).toBe('Bearer sk-test')
    expect(first.body.tools.map((t: Frame) => t.function.name)).toEqual(['calculator'])
    expect(second.body.messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_up_1', function: { name: 'calculator', arguments: '{"expression":"12*(3+4)"}' } }] })
    expect(second.body.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_up_1', content: JSON.stringify({ error: null, result: 84 }) })
  })

  it('fails on upstream errors and timeouts, and keeps serving', async () => {
    const err = await c.completion({ model: 'up-500', messages: [{ role: 'user', content: 'x' }] })
    expect(err.at(-1)).toMatchObject({ code: 0, message: 'failed' })
    expect(err.at(-1)!.data.reason).toContain('500')
    const t0 = Date.now()
    const hang = await c.completion({ model: 'up-hang', messages: [{ role: 'user', content: 'x' }] })
    expect(hang.at(-1)).toMatchObject({ code: 0, message: 'failed' })
    expect(hang.at(-1)!.data.reason).toMatch(/timeout/)
    expect(Date.now() - t0).toBeLessThan(3000)
    const unknown = await c.completion({ model: 'gpt-nope', messages: [{ role: 'user', content: 'x' }] })
    expect(unknown.at(-1)!.data.reason).toBe('unknown model: gpt-nope')
    const demo = await c.completion({ model: 'mio-demo', messages: [{ role: 'user', content: 'hi' }] })
    expect(demo.at(-1)!.message).toBe('completed')
  })
})

// ---------------------------------------------------------------------------------- robustness

describe('robustness', () => {
  it('survives a barrage of ~300 malformed frames; other clients keep working', async () => {
    const victim = await login(USER, 'barrage')
    const bystander = await login(USER, 'bystander')
    const rid = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null), fc.constant(undefined), fc.array(fc.integer(), { maxLength: 2 }))
    const protocol = fc.oneof(fc.constantFrom('system', 'onebot', 'openai'), fc.string({ maxLength: 10 }), fc.integer())
    const type = fc.oneof(fc.constantFrom('heartbeat', 'models', 'completions', 'message', 'del_message', 'forward_msg', '__proto__', 'constructor'), fc.string({ maxLength: 10 }), fc.constant(undefined))
    const structured = fc.record({ request_id: rid, protocol, type, data: fc.anything({ maxDepth: 3 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o))
    const crashers = fc.constantFrom(
      // The three frames that crash the real server.
      JSON.stringify({ request_id: 1, protocol: 'onebot', type: 'message', data: { id: BOT, type: 'message', data: 'x' } }),
      JSON.stringify({ request_id: 2, protocol: 'openai', type: 'completions', data: { model: 'mio-demo' } }),
      JSON.stringify({ request_id: 3, protocol: 'openai', type: 'models' }),
      JSON.stringify({ request_id: 4, protocol: 'openai', type: 'completions', data: { model: 'mio-demo', messages: [{ role: 'user', content: { a: 1 } }] } }),
      JSON.stringify({ request_id: 5, protocol: 'onebot', type: 'forward_msg', data: { id: 1, content: [null] } }),
      JSON.stringify({ request_id: 6, protocol: 'onebot', type: 'del_message', data: { content: null } }),
      '{"request_id": 7, "protocol": "system", "type": "heartbeat", ', // truncated JSON with a readable id
      'null',
      '[]',
      '"str"'
    )
    const frameArb = fc.oneof(fc.string({ maxLength: 50 }), fc.json({ maxDepth: 3 }), structured, structured, crashers)
    const frames = fc.sample(frameArb, { numRuns: 300, seed: 20250101 })
    frames.push(`{"request_id":"big","protocol":"system","type":"heartbeat","data":{"pad":"${'x'.repeat(1024 * 1024)}"}}`)
    for (const f of frames) victim.send(f)
    victim.ws.send(Buffer.from([0xff, 0x00, 0x7b]), { binary: true })

    // The victim itself is still served, after all of the barrage (frames are handled in order).
    const hb = await victim.request({ request_id: 'after', protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } }, 10_000)
    expect(hb.code).toBe(0)
    await victim.quiet(100) // let streamed completions of the barrage finish
    expect(victim.ws.readyState).toBe(WebSocket.OPEN)

    // Every coded reply is well-formed; the readable broken ones got failures.
    for (const f of victim.frames) {
      if (f.__raw !== undefined) throw new Error(`non-JSON reply: ${f.__raw}`)
      if (typeof f.code === 'number' && f.code === 1) {
        expect(f.message).toBe('failed')
        expect(typeof f.data.reason).toBe('string')
      }
    }
    const failed = (id: unknown): Frame | undefined => victim.frames.find((f) => f.request_id === id && f.code === 1)
    expect(failed(1)).toBeDefined()
    expect(failed(2)).toBeDefined()
    expect(failed(7)?.data.reason).toBe('invalid JSON')
    expect(failed('big')?.data.reason).toMatch(/too large/)
    expect(victim.frames.find((f) => f.request_id === 3 && f.code === 0)?.data.models).toBeDefined()

    // The bystander never noticed.
    expect(bystander.ws.readyState).toBe(WebSocket.OPEN)
    await bystander.request(sendFrame(BOT, [text('still there?')]))
    const echo = await bystander.waitFor(isBotPush)
    expect(echo.data.content.message).toEqual([text('still there?')])
    const res = await fetch(`${server.url}/api/share?id=none`)
    expect(res.status).toBe(400)
  })

  it('ignores frames after a failed login and closes only that socket', async () => {
    const bystander = await login()
    const bad = await TestClient.open(server, 'x')
    await bad.request({ protocol: 'system', type: 'login', data: { 'mio-chat-id': 'x', 'mio-chat-token': 'wrong' } })
    bad.send({ request_id: 'late', protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } })
    expect((await bad.closed).code).toBe(4001)
    expect(bad.frames.find((f) => f.request_id === 'late')).toBeUndefined()
    const hb = await bystander.request({ protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } })
    expect(hb.code).toBe(0)
  })
})

// ------------------------------------------------------------------------------ extension points

describe('app extension points', () => {
  it('routes HTTP by prefix and upgrades by path', async () => {
    const s = await startServer({ port: 0 })
    try {
      expect(s.adminCode).toMatch(/^\S{8,}$/)
      expect(s.userCode).not.toBe(s.adminCode)
      expect(s.url).toBe(`http://127.0.0.1:${s.port}`)
      s.registerHttp('/v1/', (req, res) => {
        if (!req.url?.startsWith('/v1/ping')) return false
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end('pong')
        return true
      })
      s.registerHttp('/v1/special', async (_req, res) => {
        await new Promise((r) => setTimeout(r, 5))
        res.writeHead(200)
        res.end('special')
        return true
      })
      expect(await (await fetch(`${s.url}/v1/ping`)).text()).toBe('pong')
      expect(await (await fetch(`${s.url}/v1/special/x`)).text()).toBe('special')
      expect((await fetch(`${s.url}/v1/other`)).status).toBe(404)

      const wss = new WebSocketServer({ noServer: true })
      wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`yh:${d.toString()}`)))
      s.registerUpgrade('/ws', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)))
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws`)
      const reply = await new Promise<string>((res, rej) => {
        ws.on('open', () => ws.send('hi'))
        ws.on('message', (d) => res(d.toString()))
        ws.on('error', rej)
      })
      expect(reply).toBe('yh:hi')

      const status = await new Promise<number>((res) => {
        const bad = new WebSocket(`ws://127.0.0.1:${s.port}/nowhere`)
        bad.on('unexpected-response', (_req, r) => res(r.statusCode ?? 0))
        bad.on('error', () => res(-1))
      })
      expect(status).toBe(404)
      // close() resolves even with a foreign WebSocket still open.
      await s.close()
      await s.close()
      await new Promise((r) => (ws.readyState === WebSocket.CLOSED ? r(null) : ws.on('close', r)))
    } finally {
      await s.close()
    }
  })

  it('npm run server: prints the URL and generated codes, and stops on SIGINT', async () => {
    const root = resolve(__dirname, '../..')
    const env = { ...process.env, PORT: '0', MIODESK_ADMIN_CODE: '', MIODESK_USER_CODE: '', OPENAI_BASE_URL: '' }
    const child = spawn(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'server/index.ts', '--quiet'], { cwd: root, env })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    try {
      const deadline = Date.now() + 15_000
      while (!/user code:/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      const url = /(ws:\/\/127\.0\.0\.1:(\d+)\/api\/gateway)/.exec(out)
      const admin = /admin code: (\S+) \(generated\)/.exec(out)
      expect(url, out).not.toBeNull()
      expect(admin, out).not.toBeNull()
      const fakeRunning = { port: Number(url![2]) } as RunningServer
      const c = await TestClient.open(fakeRunning, '1')
      const reply = await c.request({ protocol: 'system', type: 'login', data: { 'mio-chat-id': '1', 'mio-chat-token': admin![1] } })
      expect(reply.data.is_admin).toBe(true)
      child.kill('SIGINT')
      expect(await exited).toBe(0)
      expect((await c.closed).code).toBe(1001)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})

describe('clock tool formatting', () => {
  it('prints midnight as 00, never 24', async () => {
    const { clock } = await import('../../server/mio/tools')
    expect(clock('UTC', new Date('2026-11-22T00:05:06Z')).local).toContain('00:05:06')
  })
})
