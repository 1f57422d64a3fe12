/** ManagedSocket against a local scripted ws server on 127.0.0.1. */
import { afterEach, describe, expect, it } from 'vitest'
import { ManagedSocket, type ManagedSocketOptions } from '../../../src/core/transport/socket'
import { backoffDelay, type BackoffOptions } from '../../../src/core/transport/backoff'
import { TransportError } from '../../../src/core/transport/errors'
import type { Logger } from '../../../src/core/log'
import type { ConnectionStatus } from '../../../src/shared/connection'
import { freePort, startFakeServer, waitFor, type FakeServer, type FakeServerOptions } from '../../helpers/fake-server'

const BACKOFF: BackoffOptions = { baseMs: 30, maxMs: 200, factor: 2, jitter: 0.5 }
const HALF = (): number => 0.5

/** A logger that keeps every line verbatim (no redaction), to catch leaks. */
function rawLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const push = (lvl: string) => (m: string, meta?: unknown) => lines.push(`${lvl}: ${m}${meta === undefined ? '' : ` ${JSON.stringify(meta)}`}`)
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') }
}

interface Harness {
  sock: ManagedSocket
  statuses: ConnectionStatus[]
  frames: string[]
  log: ReturnType<typeof rawLogger>
}

const sockets: ManagedSocket[] = []
const servers: FakeServer[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.stop()
  for (const s of servers.splice(0)) await s.close()
})

async function server(o: FakeServerOptions = {}): Promise<FakeServer> {
  const s = await startFakeServer(o)
  servers.push(s)
  return s
}

/** Heartbeat replies in the field shape, unless `answer()` says no. */
function heartbeatServer(answer: () => boolean = () => true): FakeServerOptions {
  return {
    onFrame: (conn, f) => {
      if (f?.type === 'heartbeat' && answer()) conn.send({ request_id: f.request_id, protocol: 'system', type: 'heartbeat', data: { delay: 0 } })
    }
  }
}

function harness(url: string, o: Partial<ManagedSocketOptions> = {}): Harness {
  const statuses: ConnectionStatus[] = []
  const frames: string[] = []
  const log = rawLogger()
  let n = 0
  const sock: ManagedSocket = new ManagedSocket({
    url,
    connectTimeoutMs: 500,
    handshakeTimeoutMs: 500,
    heartbeatIntervalMs: 60_000,
    backoff: BACKOFF,
    random: HALF,
    logger: log,
    handshake: async () => {},
    heartbeat: (s) => {
      const id = `hb${++n}`
      return s.request(id, JSON.stringify({ request_id: id, protocol: 'system', type: 'heartbeat', data: { timestamp: Date.now() } }), { timeoutMs: 5000, label: 'heartbeat' })
    },
    onFrame: (d) => {
      const text = String(d)
      frames.push(text)
      try {
        const f = JSON.parse(text) as { request_id?: string | number }
        if (f.request_id !== undefined) sock.settle(f.request_id, f)
      } catch {
        /* not JSON */
      }
    },
    ...o
  })
  sock.on('status', (s) => statuses.push(s))
  sockets.push(sock)
  return { sock, statuses, frames, log }
}

describe('ManagedSocket: reconnecting', () => {
  it('reconnects with backoff after the server drops the link', async () => {
    const srv = await server(heartbeatServer())
    const h = harness(srv.url)
    h.sock.start()
    await waitFor(() => h.sock.isOnline, 2000, 'online')
    expect(h.statuses.map((s) => s.state).filter((s, i, a) => s !== a[i - 1])).toEqual(['connecting', 'authenticating', 'online'])
    srv.dropAll()
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting'), 2000, 'reconnecting')
    const r = h.statuses.find((s) => s.state === 'reconnecting')!
    expect(r).toMatchObject({ attempt: 1, retryInMs: backoffDelay(0, BACKOFF, HALF), errorKind: 'closed' })
    // In words, no raw close code (1006 here).
    expect(r.error).toBe('Connection lost: the connection broke off')
    expect(r.retryAt! - Date.now()).toBeLessThanOrEqual(r.retryInMs!)
    await waitFor(() => h.sock.isOnline && srv.conns.length === 2, 2000, 'back online on a second connection')
    expect(h.statuses.at(-1)!.state).toBe('online')
  })

  it('backs off exponentially (capped) while the server stays away, and resets after success', async () => {
    const srv = await server(heartbeatServer())
    const h = harness(srv.url)
    h.sock.start()
    await waitFor(() => h.sock.isOnline, 2000, 'online')
    await srv.kill()
    await waitFor(() => h.statuses.filter((s) => s.state === 'reconnecting').length >= 6, 5000, 'six reconnect attempts')
    const delays = h.statuses.filter((s) => s.state === 'reconnecting').map((s) => s.retryInMs)
    expect(delays.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, BACKOFF, HALF)))
    expect(delays.slice(0, 6)).toEqual([23, 45, 90, 150, 150, 150])
    const kinds = h.statuses.filter((s) => s.state === 'reconnecting').map((s) => s.errorKind)
    expect(kinds[0]).toBe('closed')
    expect(kinds.slice(1, 6)).toEqual(['unreachable', 'unreachable', 'unreachable', 'unreachable', 'unreachable'])
  })

  it('connection refused → reconnecting with retryInMs and a sentence, never the token', async () => {
    const port = await freePort()
    const h = harness(`ws://127.0.0.1:${port}/api/gateway?mio-chat-id=1&mio-chat-token=SECRET-CODE`)
    h.sock.start()
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting'), 2000, 'reconnecting')
    const r = h.statuses.find((s) => s.state === 'reconnecting')!
    expect(r).toMatchObject({ state: 'reconnecting', attempt: 1, retryInMs: 23, errorKind: 'unreachable', error: 'Cannot reach the server: connection refused' })
    expect(JSON.stringify(h.statuses)).not.toContain('SECRET-CODE')
    expect(h.log.lines.join('\n')).not.toContain('SECRET-CODE')
  })

  it('stop() ends it for good: offline, pending requests fail, no reconnect', async () => {
    const srv = await server()
    const h = harness(srv.url)
    h.sock.start()
    await waitFor(() => h.sock.isOnline, 2000, 'online')
    const p = h.sock.request('x', '{"request_id":"x"}', { timeoutMs: 10_000 })
    h.sock.stop('Signed out')
    await expect(p).rejects.toMatchObject({ kind: 'closed', message: 'Signed out' })
    expect(h.sock.status.state).toBe('offline')
    await new Promise((r) => setTimeout(r, 150))
    expect(srv.conns.length).toBe(1)
    expect(() => h.sock.send('x')).toThrow(TransportError)
  })
})

describe('ManagedSocket: requests', () => {
  it('requests in flight fail at once with a clear error when the link drops', async () => {
    const srv = await server({
      onFrame: (conn, f) => {
        if (f?.request_id === 'doomed') conn.terminate()
      }
    })
    const h = harness(srv.url)
    h.sock.start()
    await waitFor(() => h.sock.isOnline, 2000, 'online')
    const other = h.sock.request('other', '{"request_id":"other"}', { timeoutMs: 30_000 })
    const t0 = Date.now()
    const doomed = h.sock.request('doomed', '{"request_id":"doomed"}', { timeoutMs: 30_000 })
    const err = (await doomed.catch((e: unknown) => e)) as TransportError
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.kind).toBe('closed')
    expect(err.message).toMatch(/^Connection lost: .*; the request was not completed$/)
    await expect(other).rejects.toMatchObject({ kind: 'closed' })
    expect(h.sock.pending.size).toBe(0)
  })

  it('a request while offline fails at once with kind offline', async () => {
    const h = harness('ws://127.0.0.1:1')
    await expect(h.sock.request('a', '{}')).rejects.toMatchObject({ kind: 'offline', message: 'Not connected to the server' })
  })

  it('a request with no answer times out with its label', async () => {
    const srv = await server()
    const h = harness(srv.url)
    h.sock.start()
    await waitFor(() => h.sock.isOnline, 2000, 'online')
    await expect(h.sock.request('q', '{"request_id":"q"}', { timeoutMs: 60, label: 'model list' })).rejects.toMatchObject({
      kind: 'timeout',
      message: 'The server did not answer the model list within 0.1 s'
    })
    expect(h.sock.isOnline).toBe(true)
  })
})

describe('ManagedSocket: heartbeats', () => {
  it('measures the heartbeat delay and reports it in the online status', async () => {
    const srv = await server(heartbeatServer())
    const h = harness(srv.url, { heartbeatIntervalMs: 40 })
    const delays: number[] = []
    h.sock.on('delay', (d) => delays.push(d))
    h.sock.start()
    await waitFor(() => delays.length >= 3, 2000, 'three heartbeats')
    expect(delays.every((d) => d >= 0 && d < 1000)).toBe(true)
    expect(h.sock.delayMs).toBe(delays.at(-1))
    expect(h.statuses.filter((s) => s.state === 'online' && typeof s.delayMs === 'number').length).toBeGreaterThan(0)
    expect(srv.conns.length).toBe(1)
  })

  it('no reply to 2 heartbeats → dead link → reconnect', async () => {
    const srv = await server() // never answers
    const h = harness(srv.url, { heartbeatIntervalMs: 50, maxMissedHeartbeats: 2 })
    h.sock.start()
    await waitFor(() => srv.conns.length >= 2, 3000, 'a second connection')
    expect(h.log.lines.some((l) => l.includes('no answer to 2 heartbeats in a row: link is dead'))).toBe(true)
    expect(srv.conns[0]!.frames.filter((f) => f.type === 'heartbeat').length).toBeGreaterThanOrEqual(2)
    expect(h.statuses.some((s) => s.state === 'reconnecting')).toBe(true)
  })

  it('any incoming frame resets the missed count (and the link dies once they stop)', async () => {
    let pushing = true
    const srv = await server({
      onConnection: (conn) => {
        const t = setInterval(() => {
          if (!pushing || conn.closed) return clearInterval(t)
          conn.send({ protocol: 'onebot', data: { type: 'del_msg', content: { message_id: 1 } } })
        }, 15)
      }
    })
    const h = harness(srv.url, { heartbeatIntervalMs: 60, maxMissedHeartbeats: 2 })
    h.sock.start()
    await waitFor(() => h.sock.isOnline, 2000, 'online')
    await new Promise((r) => setTimeout(r, 500))
    expect(srv.conns.length).toBe(1)
    expect(srv.conns[0]!.frames.filter((f) => f.type === 'heartbeat').length).toBeGreaterThanOrEqual(5)
    expect(h.sock.isOnline).toBe(true)
    pushing = false
    await waitFor(() => srv.conns.length >= 2, 2000, 'a reconnect once the frames stop')
  })
})

describe('ManagedSocket: frames and handshakes', () => {
  it('oversized frames are dropped (logged) while the link stays up', async () => {
    const srv = await server()
    const h = harness(srv.url, { maxFrameBytes: 1024 })
    h.sock.start()
    await waitFor(() => h.sock.isOnline, 2000, 'online')
    srv.conns[0]!.send('x'.repeat(5000))
    srv.conns[0]!.send('{"request_id":"small"}')
    await waitFor(() => h.frames.length >= 1, 2000, 'the small frame')
    expect(h.frames).toEqual(['{"request_id":"small"}'])
    expect(h.log.lines).toContain('warn: dropped: frame of 5000 bytes is over the limit (1024)')
    expect(h.sock.isOnline).toBe(true)
    expect(srv.conns.length).toBe(1)
  })

  it('a frame handler that throws is contained (logged), the link stays up', async () => {
    const srv = await server()
    const h = harness(srv.url, {
      onFrame: () => {
        throw new Error('handler bug')
      }
    })
    h.sock.start()
    await waitFor(() => h.sock.isOnline, 2000, 'online')
    srv.conns[0]!.send('{}')
    await waitFor(() => h.log.lines.some((l) => l === 'error: frame handler failed: handler bug'), 2000, 'the logged failure')
    expect(h.sock.isOnline).toBe(true)
  })

  it('a handshake refused as auth → failed, no reconnect loop', async () => {
    const srv = await server()
    const h = harness(srv.url, {
      handshake: async () => {
        throw new TransportError('auth', 'Invalid credentials: nope')
      }
    })
    const down: TransportError[] = []
    h.sock.on('down', (e) => down.push(e))
    h.sock.start()
    await waitFor(() => h.sock.status.state === 'failed', 2000, 'failed')
    expect(h.sock.status).toMatchObject({ state: 'failed', error: 'Invalid credentials: nope', errorKind: 'auth' })
    await new Promise((r) => setTimeout(r, 200))
    expect(srv.upgrades.length).toBe(1)
    expect(down.map((e) => e.kind)).toEqual(['auth'])
  })

  it('a handshake failing otherwise → reconnect', async () => {
    const srv = await server()
    let calls = 0
    const h = harness(srv.url, {
      handshake: async () => {
        if (++calls === 1) throw new TransportError('protocol', 'garbled login')
      }
    })
    h.sock.start()
    await waitFor(() => h.sock.isOnline, 3000, 'online on the second try')
    expect(srv.upgrades.length).toBe(2)
  })

  it('an upgrade that never completes: auth failure on first connect when so configured, otherwise a retried timeout', async () => {
    const srv = await server({ onUpgrade: () => 'hang' })
    const a = harness(srv.url, { connectTimeoutMs: 150, upgradeTimeoutMeansAuth: true })
    const downs: TransportError[] = []
    a.sock.on('down', (e) => downs.push(e))
    a.sock.start()
    await waitFor(() => a.sock.status.state === 'failed', 2000, 'failed')
    expect(a.sock.status).toMatchObject({ errorKind: 'auth', error: 'No answer from the server within 0.15 s (on a Mio-Chat server of the real/field kind this usually means a wrong access code)' })
    await new Promise((r) => setTimeout(r, 200))
    expect(srv.upgrades.length).toBe(1)
    expect(downs.length).toBe(1)

    const b = harness(srv.url, { connectTimeoutMs: 150 })
    b.sock.start()
    await waitFor(() => b.statuses.some((s) => s.state === 'reconnecting'), 2000, 'reconnecting')
    expect(b.statuses.find((s) => s.state === 'reconnecting')).toMatchObject({ errorKind: 'timeout', error: 'The server did not accept the connection within 0.15 s' })
  })

  it('HTTP 401 on the upgrade → invalid credentials, no retry; HTTP 500 → retried', async () => {
    const srv = await server({ onUpgrade: (u) => ({ status: u.pathname === '/401' ? 401 : 500 }) })
    const a = harness(`${srv.url}/401`)
    a.sock.start()
    await waitFor(() => a.sock.status.state === 'failed', 2000, 'failed')
    expect(a.sock.status).toMatchObject({ errorKind: 'auth', error: 'Invalid credentials: the server refused the connection' })
    const b = harness(`${srv.url}/500`)
    b.sock.start()
    await waitFor(() => b.statuses.some((s) => s.state === 'reconnecting'), 2000, 'reconnecting')
    expect(b.statuses.find((s) => s.state === 'reconnecting')).toMatchObject({ errorKind: 'unreachable', error: 'The server refused the WebSocket upgrade (HTTP 500)' })
  })

  it('an invalid address is reported without the token', async () => {
    const h = harness('ws://exa mple.com/?mio-chat-token=SECRET-CODE')
    h.sock.start()
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting' || s.state === 'failed'), 2000, 'a failure status')
    const s = h.statuses.find((x) => x.error)!
    expect(s.error).toMatch(/^Invalid server address/)
    expect(JSON.stringify(h.statuses)).not.toContain('SECRET-CODE')
    expect(h.log.lines.join('\n')).not.toContain('SECRET-CODE')
  })
})
