/**
 * The browser bridge (src/bridge/host.ts) as a plain Node test: who may connect, what the frames look
 * like, that events are forwarded, and that the static server stays inside its root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { startBridge, resolveStaticPath, type RunningBridge } from '../../src/bridge/host'
import { startServer, type RunningServer } from '../../server/app'

interface Reply {
  id: number
  ok: boolean
  result?: unknown
  error?: Record<string, unknown>
}

let bridge: RunningBridge
let server: RunningServer
let root: string
let staticDir: string
const opened: string[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'miodesk-bridge-test-'))
  staticDir = join(root, 'renderer')
  mkdirSync(join(staticDir, 'assets'), { recursive: true })
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>MioDesk</title>')
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(staticDir, 'assets', 'style.css'), 'body{}')
  writeFileSync(join(root, 'secret.txt'), 'do not serve')
  symlinkSync(join(root, 'secret.txt'), join(staticDir, 'assets', 'link.txt'))
  server = await startServer({ port: 0, adminCode: 'admin-code', userCode: 'user-code', chunkDelayMs: 1 })
  bridge = await startBridge({
    staticDir,
    dataDir: join(root, 'data'),
    openExternal: async (url) => {
      opened.push(url)
    }
  })
})

afterAll(async () => {
  await bridge?.close()
  await server?.close()
  rmSync(root, { recursive: true, force: true })
})

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Tries to open the bridge socket; resolves with 'open' or the HTTP status of the refusal. */
function tryConnect(url: string, origin: string | undefined): Promise<{ result: 'open'; ws: WebSocket } | { result: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin })
    ws.once('open', () => resolve({ result: 'open', ws }))
    ws.once('unexpected-response', (_req, res) => {
      resolve({ result: res.statusCode ?? 0 })
      res.resume()
      ws.terminate()
    })
    ws.once('error', (e) => reject(e))
  })
}

async function connect(): Promise<{ ws: WebSocket; call: (channel: string, ...args: unknown[]) => Promise<Reply>; events: Array<{ event: string; payload: unknown }> }> {
  const r = await tryConnect(`${bridge.wsUrl}?token=${encodeURIComponent(bridge.token)}`, bridge.origin)
  if (r.result !== 'open') throw new Error(`refused: ${r.result}`)
  const ws = r.ws
  const waiting = new Map<number, (r: Reply) => void>()
  const events: Array<{ event: string; payload: unknown }> = []
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as Reply & { event?: string; payload?: unknown }
    if (typeof f.event === 'string') events.push({ event: f.event, payload: f.payload })
    else waiting.get(f.id)?.(f)
  })
  let id = 0
  const call = (channel: string, ...args: unknown[]): Promise<Reply> =>
    new Promise((resolve) => {
      const n = ++id
      waiting.set(n, resolve)
      ws.send(JSON.stringify({ id: n, channel, args }))
    })
  return { ws, call, events }
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('bridge: who may connect', () => {
  it('binds 127.0.0.1 and puts the socket URL and token in the page URL', () => {
    const u = new URL(bridge.url)
    expect(u.hostname).toBe('127.0.0.1')
    expect(u.searchParams.get('bridge')).toBe(bridge.wsUrl)
    expect(u.searchParams.get('token')).toBe(bridge.token)
    expect(bridge.token.length).toBeGreaterThanOrEqual(32)
  })

  it('refuses a wrong or missing token with 403', async () => {
    expect((await tryConnect(`${bridge.wsUrl}?token=nope`, bridge.origin)).result).toBe(403)
    expect((await tryConnect(`${bridge.wsUrl}?token=${bridge.token.slice(0, -1)}x`, bridge.origin)).result).toBe(403)
    expect((await tryConnect(bridge.wsUrl, bridge.origin)).result).toBe(403)
  })

  it('refuses a foreign or missing Origin with 403, even with the right token', async () => {
    const url = `${bridge.wsUrl}?token=${encodeURIComponent(bridge.token)}`
    expect((await tryConnect(url, 'http://evil.example')).result).toBe(403)
    expect((await tryConnect(url, `http://localhost:${bridge.port}`)).result).toBe(403)
    expect((await tryConnect(url, `http://127.0.0.1:${bridge.port + 1}`)).result).toBe(403)
    expect((await tryConnect(url, 'null')).result).toBe(403)
    expect((await tryConnect(url, undefined)).result).toBe(403)
  })

  it('accepts its own origin with the right token', async () => {
    const r = await tryConnect(`${bridge.wsUrl}?token=${encodeURIComponent(bridge.token)}`, bridge.origin)
    expect(r.result).toBe('open')
    if (r.result === 'open') r.ws.close()
  })

  it('upgrades only at /bridge', async () => {
    const r = await tryConnect(`ws://127.0.0.1:${bridge.port}/other?token=${encodeURIComponent(bridge.token)}`, bridge.origin)
    expect(r.result).toBe(404)
  })
})

describe('bridge: frames', () => {
  it('answers calls with {id, ok, result} and rejects unknown channels in words', async () => {
    const { ws, call } = await connect()
    const info = await call('app:info')
    expect(info.ok).toBe(true)
    expect(info.result).toMatchObject({ host: 'browser' })
    const bad = await call('fs:read', '/etc/passwd')
    expect(bad).toEqual({ id: bad.id, ok: false, error: { message: expect.stringContaining('Unknown API channel') } })
    const proto = await call('__proto__')
    expect(proto.ok).toBe(false)
    const ctor = await call('constructor')
    expect(ctor.ok).toBe(false)
    ws.close()
  })

  it('sends errors as {message} only, never stacks or other fields', async () => {
    const { ws, call } = await connect()
    const r = await call('settings:set', { theme: 'purple' })
    expect(r.ok).toBe(false)
    expect(Object.keys(r.error ?? {})).toEqual(['message'])
    expect(r.error?.message).toMatch(/theme/)
    expect(JSON.stringify(r)).not.toMatch(/at .*\.ts:\d+/)
    ws.close()
  })

  it('ignores malformed frames and keeps serving', async () => {
    const { ws, call } = await connect()
    ws.send('not json')
    ws.send(JSON.stringify({ channel: 'app:info', args: [] }))
    ws.send(JSON.stringify([1, 2, 3]))
    const r = await call('settings:get')
    expect(r.ok).toBe(true)
    ws.close()
  })

  it('forwards core events to every client', async () => {
    const a = await connect()
    const b = await connect()
    const r = await a.call('settings:set', { theme: 'dark' })
    expect(r.ok).toBe(true)
    await until(() => a.events.some((e) => e.event === 'settings') && b.events.some((e) => e.event === 'settings'))
    expect(b.events.find((e) => e.event === 'settings')?.payload).toMatchObject({ theme: 'dark' })
    a.ws.close()
    b.ws.close()
  })

  it('opens only http(s) links, through the injected opener', async () => {
    const { ws, call } = await connect()
    expect((await call('app:open-external', 'javascript:alert(1)')).ok).toBe(false)
    expect((await call('app:open-external', 'https://example.com/x')).ok).toBe(true)
    expect(opened).toEqual(['https://example.com/x'])
    ws.close()
  })

  it('logs in to the reference server through the same handler table', async () => {
    const { ws, call, events } = await connect()
    const server0 = `ws://127.0.0.1:${server.port}`
    const wrong = await call('accounts:add', 'mio', { server: server0, id: 'alice', token: 'wrong-code' })
    expect(wrong.ok).toBe(false)
    expect(Object.keys(wrong.error ?? {})).toEqual(['message'])
    expect(String(wrong.error?.message)).not.toContain('wrong-code')
    const ok = await call('accounts:add', 'mio', { server: server0, id: 'alice', token: 'user-code' })
    expect(ok.ok).toBe(true)
    const acc = ok.result as { id: string; status: { state: string } }
    expect(acc.status.state).toBe('online')
    await until(() => events.some((e) => e.event === 'accounts'))
    const contacts = await call('contacts:list', acc.id)
    expect(contacts.ok).toBe(true)
    expect((contacts.result as Array<{ id: string }>).map((c) => c.id)).toContain('bot')
    // A message to the bot comes back as a pushed `message` event.
    const sent = await call('messages:send', acc.id, 'bot', [{ type: 'text', data: { text: 'hello bridge' } }])
    expect(sent.ok).toBe(true)
    await until(() => events.some((e) => e.event === 'message' && !(e.payload as { message: { self: boolean } }).message.self))
    ws.close()
  })
})

describe('bridge: static files', () => {
  it('serves the renderer with MIME types and the CSP', async () => {
    const index = await get('/')
    expect(index.status).toBe(200)
    expect(index.headers['content-type']).toMatch(/^text\/html/)
    const csp = String(index.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("frame-ancestors 'none'")
    expect(index.headers['referrer-policy']).toBe('no-referrer')
    expect(index.headers['x-content-type-options']).toBe('nosniff')
    expect((await get('/assets/app.js')).headers['content-type']).toMatch(/^text\/javascript/)
    expect((await get('/assets/style.css')).headers['content-type']).toMatch(/^text\/css/)
    expect((await get('/?bridge=x&token=y')).status).toBe(200)
    expect((await get('/missing.js')).status).toBe(404)
  })

  it('never leaves its root', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00', '/assets/link.txt', '/%E0%A4%A']) {
      const r = await get(p)
      expect(r.status, p).not.toBe(200)
      expect(r.body).not.toContain('do not serve')
    }
    expect(resolveStaticPath('/srv/r', '/../x')).toBeNull()
    expect(resolveStaticPath('/srv/r', '/a/../../x')).toBeNull()
    expect(resolveStaticPath('/srv/r', '/a/b.js')).toBe('/srv/r/a/b.js')
    expect(resolveStaticPath('/srv/r', '/')).toBe('/srv/r/index.html')
  })

  it('refuses a foreign Host (DNS rebinding) and non-GET methods', async () => {
    expect((await get('/', { host: 'evil.example' })).status).toBe(403)
    expect((await get('/', {}, 'POST')).status).toBe(405)
  })
})
