/** MioClient against local scripted servers of both dialects. */
import { afterEach, describe, expect, it } from 'vitest'
import { gatewayUrl, httpBase, MioClient, type MioClientOptions } from '../../../src/core/protocols/mio/client'
import { TransportError } from '../../../src/core/transport/errors'
import type { ConnectionStatus } from '../../../src/shared/connection'
import type { AiReply } from '../../../src/shared/mio'
import { fieldLoginPush, fieldServer, freePort, specServer, startFakeServer, waitFor, type FakeServer, type FakeServerOptions } from '../../helpers/fake-server'

const clients: MioClient[] = []
const servers: FakeServer[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.stop()
  for (const s of servers.splice(0)) {
    expect(s.unsafe, 'frames that would crash a field server').toEqual([])
    await s.close()
  }
})

async function server(o: FakeServerOptions): Promise<FakeServer> {
  const s = await startFakeServer(o)
  servers.push(s)
  return s
}

function client(url: string, o: Partial<MioClientOptions> = {}): MioClient & { statuses: ConnectionStatus[] } {
  const c = new MioClient({
    server: url,
    id: '15432',
    token: 'dummy-user-code',
    heartbeatIntervalMs: 60_000,
    connectTimeoutMs: 500,
    backoff: { baseMs: 20, maxMs: 100, factor: 2, jitter: 0 },
    ...o
  }) as MioClient & { statuses: ConnectionStatus[] }
  c.statuses = []
  c.on('status', (s) => c.statuses.push(s))
  clients.push(c)
  return c
}

describe('addresses', () => {
  it('gatewayUrl normalises what a user types', () => {
    expect(gatewayUrl('127.0.0.1:3000').toString()).toBe('ws://127.0.0.1:3000/api/gateway')
    expect(gatewayUrl('https://chat.example.com').toString()).toBe('wss://chat.example.com/api/gateway')
    expect(gatewayUrl('http://h/x?mio-chat-token=1#f').toString()).toBe('ws://h/x')
    expect(() => gatewayUrl('ftp://h')).toThrow(TransportError)
    expect(httpBase('wss://h:8/api/gateway').toString()).toBe('https://h:8/')
  })
})

describe('MioClient: credentials and reachability', () => {
  it('a server that accepts TCP but never completes the upgrade → connect() rejects "No answer from the server within 4 s (… wrong access code)" within 5 s', async () => {
    const srv = await server({ onUpgrade: () => 'hang' })
    const c = client(srv.url, { connectTimeoutMs: undefined })
    const t0 = Date.now()
    const err = (await c.connect().catch((e: unknown) => e)) as TransportError
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.kind).toBe('auth')
    expect(err.message).toBe('No answer from the server within 4 s (on a Mio-Chat server of the real/field kind this usually means a wrong access code)')
    expect(srv.tcpConnections).toBe(1)
    expect(srv.upgrades[0]!.searchParams.get('mio-chat-token')).toBe('dummy-user-code')
    await new Promise((r) => setTimeout(r, 100))
    expect(srv.upgrades.length).toBe(1)
    expect(c.status.state).toBe('failed')
  }, 10_000)

  it('connection refused → reconnecting with retryInMs (connect keeps waiting)', async () => {
    const port = await freePort()
    const c = client(`127.0.0.1:${port}`)
    let settled = false
    c.connect().then(
      () => (settled = true),
      () => (settled = true)
    )
    await waitFor(() => c.statuses.filter((s) => s.state === 'reconnecting').length >= 2, 2000, 'two reconnect attempts')
    const r = c.statuses.filter((s) => s.state === 'reconnecting')
    expect(r[0]).toMatchObject({ attempt: 1, retryInMs: 20, errorKind: 'unreachable', error: 'Cannot reach the server: connection refused' })
    expect(r[1]).toMatchObject({ attempt: 2, retryInMs: 40 })
    expect(settled).toBe(false)
  })

  it('spec login with a wrong code (code:1) → failed "invalid credentials" fast, no reconnect loop', async () => {
    const srv = await server(specServer({ loginCode: 1 }))
    const c = client(srv.url)
    const t0 = Date.now()
    const err = (await c.connect().catch((e: unknown) => e)) as TransportError
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.kind).toBe('auth')
    expect(err.message).toMatch(/invalid credentials/i)
    expect(err.message).toContain('invalid code')
    await new Promise((r) => setTimeout(r, 200))
    expect(srv.upgrades.length).toBe(1)
    expect(c.status).toMatchObject({ state: 'failed', errorKind: 'auth' })
    expect(c.statuses.some((s) => s.state === 'reconnecting')).toBe(false)
  })

  it('a login that is never answered → "no answer", not "wrong access code"; no loop', async () => {
    const srv = await server({})
    const c = client(srv.url, { handshakeTimeoutMs: 150 })
    const err = (await c.connect().catch((e: unknown) => e)) as TransportError
    expect(err).toMatchObject({ kind: 'auth', message: expect.stringMatching(/^No answer from the server within 0\.15 s: it accepted the connection but did not answer the login/) })
    expect(err.message).not.toMatch(/invalid credentials|wrong access code/i)
    expect(srv.upgrades.length).toBe(1)
  })
})

describe('MioClient: a server speaking something else', () => {
  it('one that echoes our frames: the echoed login is no login (neither a field push nor a spec reply); failFast says so', async () => {
    const srv = await server({ onFrame: (conn, _f, raw) => conn.send(raw) })
    const c = client(srv.url)
    const err = (await c.connect({ failFast: true }).catch((e: unknown) => e)) as TransportError
    expect(err).toBeInstanceOf(TransportError)
    expect(err).toMatchObject({ kind: 'protocol', message: expect.stringMatching(/not a Mio-Chat server/) })
    expect(c.login).toBeUndefined()
    expect(c.statuses.some((s) => s.state === 'online')).toBe(false)
  })
})

describe('MioClient: dialects', () => {
  it('field: the login push decides; models come from it; spec-only operations refuse and send nothing', async () => {
    const srv = await server(fieldServer({ login: { is_admin: true, models: [{ owner: 'OpenAI', models: ['gpt-4o-mini', 'gpt-4o'] }] } }))
    const c = client(srv.url)
    const login = await c.connect()
    expect(login).toEqual({
      isAdmin: true,
      adminQq: '10000001',
      botQq: '20000001',
      dialect: 'field',
      defaultModel: 'gpt-4o-mini',
      models: [{ owner: 'OpenAI', models: ['gpt-4o-mini', 'gpt-4o'] }]
    })
    expect(c.dialect).toBe('field')
    const conn = srv.conns[0]!
    await waitFor(() => conn.frames.length >= 1, 1000, 'the login request')
    const sentBefore = conn.raw.length
    for (const op of [() => c.recall('154321234', '5304407930'), () => c.forward('154321234', [{ message_id: 1, message: [{ type: 'text', data: { text: 'x' } }] }])]) {
      const e = (await op().catch((x: unknown) => x)) as TransportError
      expect(e).toBeInstanceOf(TransportError)
      expect(e.kind).toBe('unsupported')
      expect(e.message).toMatch(/^[A-Z].* is not supported by this server \(it speaks the original Mio-Chat dialect\)$/)
    }
    await expect(c.models()).resolves.toEqual([{ owner: 'OpenAI', models: ['gpt-4o-mini', 'gpt-4o'] }])
    await new Promise((r) => setTimeout(r, 50))
    expect(conn.raw.length).toBe(sentBefore)
    expect(c.onebotTarget()).toBe('15432')
  })

  it('field without models in the login: models() is unsupported and sends nothing', async () => {
    const srv = await server({
      onConnection: (conn) => {
        const p = fieldLoginPush()
        delete (p.data as Record<string, unknown>).models
        conn.send(p)
      }
    })
    const c = client(srv.url)
    await c.connect()
    await expect(c.models()).rejects.toMatchObject({ kind: 'unsupported', message: 'Listing models is not supported by this server (it speaks the original Mio-Chat dialect)' })
    await new Promise((r) => setTimeout(r, 50))
    expect(srv.conns[0]!.frames.map((f) => f.type).filter((t) => t !== 'heartbeat')).toEqual(['login'])
  })

  it('field: the crash shapes never leave the client, even through the private send path', async () => {
    const srv = await server(fieldServer())
    const c = client(srv.url)
    await c.connect()
    const sendFrame = (f: Record<string, unknown>): void => (c as unknown as { sendFrame(f: Record<string, unknown>): void }).sendFrame(f)
    const crashes = [
      { request_id: 1234567890, protocol: 'onebot', data: { id: '154321234', type: 'message', data: { message: [], message_id: 1 } } },
      { request_id: 'a', protocol: 'openai', type: 'completions', data: { model: 'gpt-4o-mini' } },
      { request_id: 'b', protocol: 'openai', type: 'models', data: {} }
    ]
    for (const f of crashes) {
      let err: unknown
      try {
        sendFrame(f)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(TransportError)
      expect((err as TransportError).kind).toBe('unsupported')
      expect((err as TransportError).message).toMatch(/^Refused to send an .* to this server: it would crash it$/)
    }
    await new Promise((r) => setTimeout(r, 50))
    expect(srv.conns[0]!.frames.map((f) => f.type).filter((t) => t !== 'heartbeat')).toEqual(['login'])
  })

  it('field: a completion with no message list is refused before anything is sent', async () => {
    const srv = await server(fieldServer())
    const c = client(srv.url)
    await c.connect()
    const bad = { model: 'gpt-4o-mini' } as unknown as Parameters<MioClient['complete']>[0]
    let err: unknown
    try {
      c.complete(bad)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(TransportError)
    expect((err as TransportError).message).toBe('A completion needs a list of messages')
    await new Promise((r) => setTimeout(r, 50))
    expect(srv.conns[0]!.frames.map((f) => f.type).filter((t) => t !== 'heartbeat')).toEqual(['login'])
  })

  it('spec: the login reply decides; messages, recall, forward and models use the seed shapes', async () => {
    const srv = await server(
      specServer({
        onFrame: (conn, f) => {
          if (f.protocol === 'onebot') conn.send({ request_id: f.request_id, code: 0, message: 'success', data: { message_id: 77 } })
          if (f.protocol === 'openai' && f.type === 'models') conn.send({ request_id: f.request_id, code: 0, message: 'success', data: { models: ['davinci'] } })
        }
      })
    )
    const c = client(srv.url)
    const login = await c.connect()
    expect(login).toMatchObject({ dialect: 'spec', isAdmin: true, botQq: '987654321' })
    expect(c.onebotTarget()).toBe('987654321')
    await expect(c.sendMessage('987654321', [{ type: 'image', data: { file: 'https://e/x.jpg' } }], 5)).resolves.toBe('77')
    await c.recall('987654321', 77)
    await expect(c.forward('987654321', [{ message_id: 77, message: [{ type: 'text', data: { text: 'x' } }] }])).resolves.toBe('77')
    await expect(c.models()).resolves.toEqual([{ owner: 'Models', models: ['davinci'] }])
    const f = srv.conns[0]!.frames.filter((x) => x.type !== 'heartbeat')
    expect(f[1]).toMatchObject({
      protocol: 'onebot',
      type: 'message',
      data: { id: '987654321', type: 'message', data: { message: [{ type: 'image', data: { file: 'https://e/x.jpg', image: 'https://e/x.jpg' } }], message_id: 5 } }
    })
    expect(f.map((x) => x.type)).toEqual(['login', 'message', 'del_message', 'forward_msg', 'models'])
    // a spec server is not a field server: its own shapes were fine to send
    srv.unsafe.length = 0
  })

  it('spec: a non-zero reply code rejects the request with the reason', async () => {
    const srv = await server(
      specServer({
        onFrame: (conn, f) => {
          if (f.protocol === 'onebot') conn.send({ request_id: f.request_id, code: 1, message: 'failed', data: { reason: 'no such contact' } })
        }
      })
    )
    const c = client(srv.url)
    await c.connect()
    await expect(c.sendMessage('1', [{ type: 'text', data: { text: 'x' } }])).rejects.toMatchObject({ kind: 'server', message: 'no such contact' })
    srv.unsafe.length = 0
  })
})

describe('MioClient: links that fail', () => {
  it('a request in flight fails at once when the link drops', async () => {
    const srv = await server(fieldServer({ ackMessages: false, onFrame: (conn, f) => f.protocol === 'onebot' && conn.terminate() }))
    const c = client(srv.url, { requestTimeoutMs: 30_000 })
    await c.connect()
    const t0 = Date.now()
    const err = (await c.sendMessage('154321234', [{ type: 'text', data: { text: 'x' } }]).catch((e: unknown) => e)) as TransportError
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(err).toMatchObject({ kind: 'closed' })
    expect(err.message).toMatch(/^Connection lost/)
  })

  it('one frame limit for the socket and the decoder: under it a frame is taken, over it dropped while the link stays up', async () => {
    const srv = await server(fieldServer())
    const c = client(srv.url)
    await c.connect()
    const dropped: string[] = []
    const got: string[] = []
    c.on('dropped', (r) => dropped.push(r))
    c.on('message', (m) => got.push(m.messageId))
    const push = (id: number, chars: number): void =>
      srv.conns[0]!.send(JSON.stringify({ protocol: 'onebot', data: { type: 'message', content: { message: [{ type: 'text', data: { text: 'x'.repeat(chars) } }], message_id: id } } }))
    // 6 MB passed the socket but not the decoder before (8 MiB and 4 Mi characters): a lost message.
    push(1, 6_000_000)
    await waitFor(() => got.includes('1'), 5000, 'the 6 MB message')
    push(2, 9_000_000)
    await waitFor(() => dropped.length === 1, 5000, 'the drop')
    expect(dropped[0]).toMatch(/over the limit/)
    expect(got).toEqual(['1'])
    expect(c.status.state).toBe('online')
    expect(await c.ping()).toBeGreaterThanOrEqual(0)
    expect(srv.conns.length).toBe(1)
  })

  it('a completion cut mid-stream by a server kill → interrupted, partial text kept', async () => {
    let rid: unknown
    const srv = await server(
      fieldServer({
        onFrame: (conn, f) => {
          if (f.protocol !== 'openai') return
          rid = f.request_id
          conn.send({ request_id: rid, protocol: 'openai', message: 'pending', data: {} })
          conn.send({ request_id: rid, protocol: 'openai', message: 'update', data: { chunk: 'Hello', tool_call: null } })
          conn.send({ request_id: rid, protocol: 'openai', message: 'update', data: { chunk: ' from', tool_call: null } })
        }
      })
    )
    const c = client(srv.url)
    await c.connect()
    const seen: string[] = []
    const h = c.complete({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] }, (r) => seen.push(r.text))
    await waitFor(() => h.reply.text === 'Hello from', 2000, 'two chunks')
    expect(h.reply.status).toBe('streaming')
    await srv.kill()
    const r: AiReply = await h.done
    expect(r).toMatchObject({ status: 'interrupted', text: 'Hello from', error: 'The connection was lost before the reply finished' })
    expect(seen).toEqual(['Hello', 'Hello from', 'Hello from'])
    await waitFor(() => c.status.state === 'reconnecting', 1000, 'reconnecting')
    // nothing late can revive it
    expect(h.reply.status).toBe('interrupted')
  })

  it('a stream that goes silent ends as interrupted by the idle timeout; abort ends one at once', async () => {
    const srv = await server(fieldServer())
    const c = client(srv.url, { streamIdleTimeoutMs: 80 })
    await c.connect()
    const h = c.complete({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
    await expect(h.done).resolves.toMatchObject({ status: 'interrupted', error: 'The server stopped sending the reply' })
    const h2 = c.complete({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
    h2.abort()
    await expect(h2.done).resolves.toMatchObject({ status: 'aborted' })
  })

  it('every frame restarts the idle timeout: a stream that keeps talking lives on, and ends a timeout after its last frame', async () => {
    const sent: number[] = []
    const srv = await server(
      fieldServer({
        onFrame: (conn, f) => {
          if (f.protocol !== 'openai') return
          const rid = f.request_id
          // eight chunks 60 ms apart (480 ms in all, beyond the 300 ms timeout), then silence
          for (let i = 0; i < 8; i++) {
            setTimeout(() => {
              sent.push(Date.now())
              conn.send({ request_id: rid, protocol: 'openai', message: 'update', data: { chunk: `c${i} `, tool_call: null } })
            }, 60 * (i + 1))
          }
        }
      })
    )
    const c = client(srv.url, { streamIdleTimeoutMs: 300 })
    await c.connect()
    const h = c.complete({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
    const r = await h.done
    const endedAt = Date.now()
    expect(r).toMatchObject({ status: 'interrupted', text: 'c0 c1 c2 c3 c4 c5 c6 c7 ', error: 'The server stopped sending the reply' })
    expect(sent).toHaveLength(8)
    expect(endedAt - sent[7]!).toBeGreaterThanOrEqual(250)
  })

  it('requests while offline fail with kind offline', async () => {
    const c = client('127.0.0.1:1')
    await expect(c.sendMessage('1', [])).rejects.toMatchObject({ kind: 'offline' })
    expect(() => c.complete({ model: 'm', messages: [] })).toThrow(TransportError)
  })
})

describe('MioClient: pushes', () => {
  it('messages are deduplicated by message_id (also against our own acks); deletions are reported', async () => {
    const srv = await server(fieldServer())
    const c = client(srv.url)
    await c.connect()
    const got: string[] = []
    const deleted: string[] = []
    c.on('message', (m) => got.push(`${m.contactId}:${m.messageId}`))
    c.on('deleted', (id) => deleted.push(id))
    const mine = await c.sendMessage('154321234', [{ type: 'text', data: { text: 'hi' } }])
    const push = (rid: number, mid: number | string): void =>
      srv.conns[0]!.send({ request_id: rid, protocol: 'onebot', data: { id: 154321234, type: 'message', content: { message: [{ type: 'text', data: { text: 'x' } }], message_id: mid } } })
    push(1, 3044001320217)
    push(2, 3044001320217)
    push(3, '3044001320217')
    push(4, Number(mine))
    push(5, 42)
    srv.conns[0]!.send({ request_id: 6, protocol: 'onebot', data: { type: 'del_msg', content: { message_id: 42 } } })
    await waitFor(() => deleted.length === 1, 2000, 'the deletion')
    expect(got).toEqual(['154321234:3044001320217', '154321234:42'])
    expect(deleted).toEqual(['42'])
  })

  it('dedupe is per connection: after a reconnect (a restarted server numbering from 100001 again) a reused id is a new message', async () => {
    const srv = await server(specServer())
    const c = client(srv.url)
    await c.connect()
    const got: string[] = []
    c.on('message', (m) => got.push(`${m.messageId}:${(m.segments[0]!.data as { text: string }).text}`))
    const push = (n: number, mid: number, text: string): void =>
      srv.conns[n]!.send({ request_id: mid, protocol: 'onebot', type: 'message', data: { id: '987654321', type: 'message', content: { message: [{ type: 'text', data: { text } }], message_id: mid } } })
    push(0, 100001, 'before')
    push(0, 100001, 'repeat') // the same connection repeating a push: still dropped
    await waitFor(() => got.length === 1, 2000, 'the first push')
    srv.dropAll() // the server restarts: same port, its counter from the start again
    await waitFor(() => srv.conns.length === 2 && c.status.state === 'online', 3000, 'back online')
    push(1, 100001, 'after')
    await waitFor(() => got.length === 2, 2000, 'the push after the restart')
    expect(got).toEqual(['100001:before', '100001:after'])
    srv.unsafe.length = 0
  })
})
