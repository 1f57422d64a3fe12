/**
 * MioV2Client against a small scripted Socket.IO server: the connection life (our own reconnect
 * loop, failFast, refusals, a Socket.IO server that is not Mio-Chat, dead heartbeats), what happens
 * to replies across a reconnect (resumed, gone, server restarted), questions and the idle timer,
 * acks while offline, and a fuzz of the public API — nothing crash-shaped ever reaches the server.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Server, type Socket as ServerSocket } from 'socket.io'
import { MioV2Client, type MioV2ClientOptions } from '../../src/core/protocols/mio/v2/client'
import { isObject, type Json } from '../../src/core/protocols/mio/frames'
import { TransportError } from '../../src/core/transport/errors'
import type { ConnectionStatus } from '../../src/shared/connection'
import type { Segment } from '../../src/shared/mio'
import { freePort, waitFor } from '../helpers/fake-server'
import { v2CrashShape } from '../helpers/v2-replay'

interface Got {
  event: string
  args: unknown[]
  frame?: Json
}

interface V2Server {
  port: number
  url: string
  /** The login push data of the next connections (change it between them). */
  login: Json
  /** Refuse the next CONNECTs with this message. */
  refuse?: string
  /** Do not push a login (a Socket.IO server that is not Mio-Chat). */
  silent?: boolean
  /** Do not answer heartbeats. */
  deaf?: boolean
  connects: number
  sockets: ServerSocket[]
  got: Got[]
  unsafe: string[]
  onFrame?: (s: ServerSocket, f: Json) => void
  push(frame: Json, s?: ServerSocket): void
  close(): Promise<void>
}

const servers: V2Server[] = []
const clients: MioV2Client[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.stop()
  for (const s of servers.splice(0)) {
    expect(s.unsafe, 'crash-shaped events').toEqual([])
    await s.close()
  }
})

function defaultLogin(): Json {
  return { bootId: 'boot-1', is_admin: false, models: { Stub: [{ owner: 'OpenAI', models: ['gpt-4o-mini'] }] }, models_meta: {}, onebot_enabled: true, pendingTasks: [] }
}

async function v2Server(port = 0): Promise<V2Server> {
  const httpServer = http.createServer((req, res) => {
    if (req.url === '/api/base_info') {
      res.setHeader('content-type', 'application/json')
      return res.end(JSON.stringify({ code: 0, data: { admin_qq: '10000001', bot_qq: '20000001', llm_providers: [] } }))
    }
    res.statusCode = 404
    res.end()
  })
  const io = new Server(httpServer, { path: '/socket.io/' })
  const s: V2Server = {
    port: 0,
    url: '',
    login: defaultLogin(),
    connects: 0,
    sockets: [],
    got: [],
    unsafe: [],
    push(frame, sock) {
      for (const x of sock ? [sock] : s.sockets) if (x.connected) x.emit('message', JSON.stringify(frame))
    },
    close: () =>
      new Promise<void>((resolve) => {
        io.close(() => resolve())
        httpServer.closeAllConnections?.()
      })
  }
  io.use((_socket, next) => {
    s.connects++
    if (s.refuse) return next(new Error(s.refuse))
    next()
  })
  io.on('connection', (socket) => {
    s.sockets.push(socket)
    socket.onAny((event: string, ...args: unknown[]) => {
      const bad = v2CrashShape(event, args)
      if (bad) s.unsafe.push(bad)
      let frame: Json | undefined
      if (event === 'message' && typeof args[0] === 'string') {
        try {
          const v = JSON.parse(args[0]) as unknown
          if (isObject(v)) frame = v
        } catch {
          /* kept as an event */
        }
      }
      s.got.push({ event, args, frame })
      if (frame?.type === 'heartbeat' && frame.protocol === 'system') {
        if (!s.deaf) socket.emit('message', JSON.stringify({ data: { delay: 0, revTime: Date.now() }, protocol: 'system', request_id: frame.request_id, type: 'heartbeat' }))
        return
      }
      if (frame?.protocol === 'onebot') socket.emit('message', JSON.stringify({ code: 0, data: { message_id: 1234 }, message: 'ok', request_id: frame.request_id }))
      if (frame) s.onFrame?.(socket, frame)
    })
    if (!s.silent) socket.emit('message', JSON.stringify({ data: s.login, protocol: 'system', request_id: 6354661894, type: 'login' }))
  })
  await new Promise<void>((resolve) => httpServer.listen(port, '127.0.0.1', resolve))
  s.port = (httpServer.address() as AddressInfo).port
  s.url = `http://127.0.0.1:${s.port}`
  servers.push(s)
  return s
}

function client(server: string, o: Partial<MioV2ClientOptions> = {}): MioV2Client {
  const c = new MioV2Client({
    server,
    id: '15432',
    token: 'dummy-user-code',
    heartbeatIntervalMs: 60_000,
    connectTimeoutMs: 1000,
    requestTimeoutMs: 1000,
    baseInfoTimeoutMs: 500,
    backoff: { baseMs: 20, maxMs: 80, factor: 2, jitter: 0 },
    ...o
  })
  clients.push(c)
  return c
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const REQ = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hello there' }], contactorId: 'c-1', messageId: 'm-1' }
const update = (id: string, content: string): Json => ({ data: { content, type: 'content', metaData: {} }, message: 'update', protocol: 'llm', request_id: id })
const APPROVAL = (id: string): Json => ({
  data: { content: { actionType: 'REQUEST_APPROVAL', interactionId: 'interact_1', meta: { command: 'ls' }, prompt: '是否授权 LLM 执行命令：' }, type: 'action', metaData: {} },
  message: 'update',
  protocol: 'llm',
  request_id: id
})

describe('MioV2Client: connecting', () => {
  it('failFast: a closed port rejects at once in words; without it the client retries with backoff and comes online when the server appears', async () => {
    const port = await freePort()
    const fast = client(`127.0.0.1:${port}`)
    const t0 = Date.now()
    await expect(fast.connect({ failFast: true })).rejects.toMatchObject({ kind: 'unreachable', message: 'Cannot reach the server: connection refused' })
    expect(Date.now() - t0).toBeLessThan(1500)
    fast.stop()

    const c = client(`ws://127.0.0.1:${port}`)
    const statuses: ConnectionStatus[] = []
    c.on('status', (s) => statuses.push(s))
    const login = c.connect()
    await waitFor(() => statuses.filter((s) => s.state === 'reconnecting').length >= 2, 3000, 'two retries')
    const retry = statuses.find((s) => s.state === 'reconnecting')!
    expect(retry).toMatchObject({ attempt: 1, retryInMs: 20, retryAt: expect.any(Number), error: 'Cannot reach the server: connection refused', errorKind: 'unreachable' })
    await v2Server(port)
    await expect(login).resolves.toMatchObject({ dialect: 'v2', adminQq: '10000001', botQq: '20000001', bootId: 'boot-1', pendingTasks: [] })
    expect(c.status.state).toBe('online')
  })

  it('the server’s own DISCONNECT ("io server disconnect", its shutdown) is followed by our reconnect', async () => {
    const s = await v2Server()
    const c = client(s.url)
    const logins: string[] = []
    c.on('login', (l) => logins.push(l.bootId ?? ''))
    await c.connect()
    s.sockets[0]!.disconnect(true)
    await waitFor(() => logins.length === 2 && c.isOnline, 3000, 'the reconnect')
    expect(s.connects).toBe(2)
  })

  it('another CONNECT_ERROR is retried (kind server); a Socket.IO server that pushes no login is not Mio-Chat (final)', async () => {
    const s = await v2Server()
    s.refuse = 'busy'
    const c = client(s.url)
    await expect(c.connect({ failFast: true })).rejects.toMatchObject({ kind: 'server', message: 'The server refused the connection: busy' })
    c.stop()
    s.refuse = undefined
    s.silent = true
    const d = client(s.url, { connectTimeoutMs: 200 })
    await expect(d.connect()).rejects.toMatchObject({ kind: 'protocol', message: 'The server accepted the connection but sent no login within 0.2 s: it is probably not a Mio-Chat server' })
    const n = s.connects
    await sleep(100)
    expect(s.connects).toBe(n)
    expect(d.status.state).toBe('failed')
  })

  it('heartbeats without an answer: the link is declared dead and dialled again', async () => {
    const s = await v2Server()
    const c = client(s.url, { heartbeatIntervalMs: 30 })
    await c.connect()
    s.deaf = true
    const states: string[] = []
    c.on('status', (st) => states.push(st.state))
    await waitFor(() => states.includes('reconnecting'), 2000, 'the dead link')
    expect(c.status).toMatchObject({ error: 'The server stopped answering heartbeats', errorKind: 'timeout' })
    s.deaf = false
    await waitFor(() => c.isOnline, 2000, 'back online')
  })

  it('offline: requests refuse in words; models come from the login', async () => {
    const c = client('127.0.0.1:1')
    expect(() => c.complete(REQ)).toThrow(expect.objectContaining({ kind: 'offline' }))
    await expect(c.sendMessage('1', [])).rejects.toMatchObject({ kind: 'offline' })
    await expect(c.models()).rejects.toMatchObject({ kind: 'offline' })
    await expect(c.ping()).rejects.toMatchObject({ kind: 'offline' })
  })
})

describe('MioV2Client: replies across a reconnect', () => {
  it('a changed bootId ends every reply in flight as interrupted', async () => {
    const s = await v2Server()
    const c = client(s.url)
    await c.connect()
    const h = c.complete(REQ)
    await waitFor(() => s.got.some((g) => g.frame?.type === 'completions'), 2000, 'the request')
    s.push(update('m-1', 'Hel'))
    await waitFor(() => h.reply.text === 'Hel', 2000, 'the first piece')
    s.login = { ...defaultLogin(), bootId: 'boot-2', pendingTasks: ['c-1'] }
    s.sockets[0]!.disconnect(true)
    await expect(h.done).resolves.toMatchObject({ status: 'interrupted', text: 'Hel', error: 'The server restarted: the reply in progress was lost' })
    expect(s.got.filter((g) => g.frame?.type === 'enter_chat')).toEqual([])
  })

  it('a reply the server no longer lists ends as interrupted; one it lists but never sends back ends after the resume timeout', async () => {
    const s = await v2Server()
    const c = client(s.url, { resumeTimeoutMs: 150 })
    await c.connect()
    const gone = c.complete(REQ)
    const kept = c.complete({ ...REQ, contactorId: 'c-2', messageId: 'm-2' })
    await waitFor(() => s.got.filter((g) => g.frame?.type === 'completions').length === 2, 2000, 'the requests')
    s.login = { ...defaultLogin(), pendingTasks: ['c-2'] }
    s.sockets[0]!.disconnect(true)
    await expect(gone.done).resolves.toMatchObject({ status: 'interrupted', error: 'The server no longer has this reply: it was lost while the connection was down' })
    expect(kept.reply.status).toBe('pending')
    await waitFor(() => s.got.some((g) => g.frame?.type === 'enter_chat'), 2000, 'enter_chat')
    expect(s.got.find((g) => g.frame?.type === 'enter_chat')!.frame!.data).toEqual({ contactorId: 'c-2' })
    await expect(kept.done).resolves.toMatchObject({ status: 'interrupted', error: 'The server did not send the rest of the reply after reconnecting' })
  })

  it('a reply without a contactorId cannot come back: it ends when the link drops', async () => {
    const s = await v2Server()
    const c = client(s.url)
    await c.connect()
    const h = c.complete({ ...REQ, contactorId: undefined })
    await waitFor(() => s.got.some((g) => g.frame?.type === 'completions'), 2000, 'the request')
    expect(s.got.find((g) => g.frame?.type === 'completions')!.frame!.metaData).toEqual({ messageId: 'm-1' })
    s.sockets[0]!.disconnect(true)
    await expect(h.done).resolves.toMatchObject({ status: 'interrupted', error: 'The connection was lost before the reply finished' })
  })

  it('acks while offline are kept and sent after the next login; autoAck acks ended replies by itself', async () => {
    const s = await v2Server()
    const c = client(s.url)
    await c.connect()
    s.sockets[0]!.disconnect(true)
    await waitFor(() => !c.isOnline, 2000, 'offline')
    c.ack('c-9', 'm-9')
    await waitFor(() => s.got.some((g) => g.frame?.type === 'ack_message'), 3000, 'the queued ack')
    expect(s.got.find((g) => g.frame?.type === 'ack_message')!.frame!.data).toEqual({ contactorId: 'c-9', messageId: 'm-9' })

    const auto = client(s.url, { autoAck: true })
    await auto.connect()
    const h = auto.complete({ ...REQ, messageId: 'm-auto' })
    await waitFor(() => s.got.some((g) => g.frame?.request_id === 'm-auto'), 2000, 'the request')
    s.push({ data: { metaData: {} }, message: 'complete', protocol: 'llm', request_id: 'm-auto' }, s.sockets.at(-1))
    await h.done
    await waitFor(() => s.got.some((g) => g.frame?.type === 'ack_message' && isObject(g.frame.data) && g.frame.data.messageId === 'm-auto'), 2000, 'the auto ack')
  })
})

describe('MioV2Client: questions', () => {
  it('no idle timeout while a question waits; after the answer the idle timer runs again', async () => {
    const s = await v2Server()
    const c = client(s.url, { streamIdleTimeoutMs: 120, answerTimeoutMs: 30 })
    await c.connect()
    const h = c.complete(REQ)
    await waitFor(() => s.got.some((g) => g.frame?.type === 'completions'), 2000, 'the request')
    s.push(APPROVAL('m-1'))
    await waitFor(() => h.reply.approval?.state === 'waiting', 2000, 'the question')
    await sleep(300)
    expect(h.reply.status).toBe('streaming')
    await h.answer!('interact_1', false, 'no')
    expect(s.got.find((g) => g.event === 'tool:interact')!.args).toEqual([{ interactionId: 'interact_1', requestId: 'm-1', payload: { approved: false, reason: 'no' } }])
    expect(h.reply.approval?.state).toBe('denied')
    await expect(h.done).resolves.toMatchObject({ status: 'interrupted', error: 'The server stopped sending the reply' })
  })

  it('tool:interact:error rejects the answer with the server’s words', async () => {
    const s = await v2Server()
    s.onFrame = () => {}
    const c = client(s.url, { answerTimeoutMs: 2000 })
    await c.connect()
    const h = c.complete(REQ)
    await waitFor(() => s.got.some((g) => g.frame?.type === 'completions'), 2000, 'the request')
    s.push(APPROVAL('m-1'))
    await waitFor(() => h.reply.approval?.state === 'waiting', 2000, 'the question')
    const answered = h.answer!('interact_1', true)
    await waitFor(() => s.got.some((g) => g.event === 'tool:interact'), 2000, 'the answer')
    s.push({ data: { error: '交互失败：已超时或已被处理', interactionId: 'interact_1' }, protocol: 'system', request_id: 1, type: 'tool:interact:error' })
    await expect(answered).rejects.toMatchObject({ kind: 'server', message: 'The server did not take the answer: 交互失败：已超时或已被处理' })
  })
})

describe('MioV2Client: fuzzed use of the public API', () => {
  it('whatever the callers pass, only TransportErrors come back and nothing crash-shaped reaches the server', async () => {
    const s = await v2Server()
    const c = client(s.url, { answerTimeoutMs: 5, requestTimeoutMs: 200 })
    await c.connect()
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ op: fc.constant('send'), a: fc.anything(), b: fc.anything() }),
          fc.record({ op: fc.constant('complete'), a: fc.anything(), b: fc.anything() }),
          fc.record({ op: fc.constant('interrupt'), a: fc.anything(), b: fc.anything() }),
          fc.record({ op: fc.constant('answer'), a: fc.anything(), b: fc.anything() }),
          fc.record({ op: fc.constant('resume'), a: fc.anything(), b: fc.anything() }),
          fc.record({ op: fc.constant('ack'), a: fc.anything(), b: fc.anything() })
        ),
        async ({ op, a, b }) => {
          try {
            if (op === 'send') await c.sendMessage(a as string, b as Segment[])
            else if (op === 'complete') {
              const h = c.complete(a as never)
              s.push(APPROVAL(String(h.requestId)))
              await sleep(2)
              if (h.reply.approval) await h.answer!(h.reply.approval.interactionId, b === true, typeof a === 'string' ? a : undefined).catch(() => {})
              h.abort()
            } else if (op === 'interrupt') c.interrupt(a as string, b as string)
            else if (op === 'answer') {
              const h = c.complete({ ...REQ, messageId: `fz-${Math.random()}` })
              await h.answer!(a as string, b as boolean).catch((e: unknown) => expect(e).toBeInstanceOf(TransportError))
              h.abort()
            } else if (op === 'resume') c.resume(a as string)
            else c.ack(a as string, b as string)
          } catch (e) {
            expect(e).toBeInstanceOf(TransportError)
          }
        }
      ),
      { numRuns: 150 }
    )
    await sleep(50)
    expect(s.unsafe).toEqual([])
    expect(s.got.every((g) => ['message', 'interruptGeneration', 'tool:interact'].includes(g.event))).toBe(true)
    expect(s.got.filter((g) => g.event === 'message').every((g) => typeof g.args[0] === 'string' && g.frame)).toBe(true)
    expect(c.isOnline).toBe(true)
  })
})
