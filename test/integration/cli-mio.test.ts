/**
 * The Mio-Chat CLI as a user runs it (`tsx src/cli/index.ts …`, a real child process): against servers
 * that cannot serve it, every command gives up fast with words on stderr and a non-zero exit, and the
 * first Ctrl-C / SIGTERM ends it. Plus the happy path against the reference server.
 */
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { startServer, type RunningServer } from '../../server/app'
import { cli, expectReadableFailure } from '../helpers/cli'
import { freePort } from '../helpers/fake-server'

const creds = (server: string): string[] => ['--server', server, '--id', 'cli-test', '--token', 'x']
/** Every command that needs a login, with the arguments it needs. */
const COMMANDS: string[][] = [['login'], ['models'], ['ping'], ['send', 'hi'], ['chat', '--model', 'mio-demo', 'hi']]

const closers: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of closers.splice(0)) await c()
})

function listen(srv: Server | TcpServer): Promise<number> {
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as AddressInfo).port)))
}

function track(srv: Server | TcpServer, sockets = new Set<Socket>()): void {
  srv.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  closers.push(async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((r) => srv.close(() => r()))
  })
}

/** A plain HTTP server: 404 to everything, the WebSocket upgrade included. */
async function http404(): Promise<string> {
  const srv = createHttpServer((_req, res) => {
    res.statusCode = 404
    res.end('not found')
  })
  srv.on('upgrade', (_req, socket: Socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'))
  track(srv)
  return `ws://127.0.0.1:${await listen(srv)}`
}

/** A WebSocket server that speaks something else: `mode` decides what it does with our frames. */
async function otherWs(mode: 'echo' | 'garbage' | 'silent'): Promise<string> {
  const srv = createHttpServer()
  const wss = new WebSocketServer({ server: srv })
  wss.on('connection', (ws) => {
    ws.on('error', () => {})
    if (mode === 'garbage') {
      ws.send('HELLO 220 ready\x00\x01')
      ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]))
      ws.send('{"not":"mio"}')
    }
    ws.on('message', (data, isBinary) => {
      if (mode === 'echo') ws.send(data, { binary: isBinary })
      else if (mode === 'garbage') ws.send(`?? ${String(data).length}`)
    })
  })
  track(srv)
  closers.push(async () => {
    for (const c of wss.clients) c.terminate()
    wss.close()
  })
  return `ws://127.0.0.1:${await listen(srv)}`
}

/** Accepts TCP and then says nothing, ever (like the real server on a wrong code). Counts connections. */
async function hangingTcp(): Promise<{ url: string; connections: () => number }> {
  let n = 0
  const srv = createTcpServer((s) => {
    n++
    s.on('error', () => {})
  })
  track(srv)
  return { url: `ws://127.0.0.1:${await listen(srv)}`, connections: () => n }
}

describe('CLI: a server that cannot serve us → fail fast, in words, non-zero', () => {
  it('(a) a closed port: every command gives up at once with "connection refused"', async () => {
    const url = `ws://127.0.0.1:${await freePort()}`
    const runs = await Promise.all(COMMANDS.map((cmd) => cli([...cmd, ...creds(url)])))
    for (const r of runs) expectReadableFailure(r, /Cannot reach the server: connection refused/, 15_000)
  }, 40_000)

  it('the repro from the report: login --server ws://127.0.0.1:1', { timeout: 30_000 }, async () => {
    const r = await cli(['login', '--server', 'ws://127.0.0.1:1', '--id', 'a', '--token', 'x'])
    expectReadableFailure(r, /Cannot reach the server/, 15_000)
  })

  it('(b) a plain HTTP server that answers 404 to the upgrade', async () => {
    const url = await http404()
    const runs = await Promise.all([cli(['login', ...creds(url)]), cli(['ping', ...creds(url)])])
    for (const r of runs) expectReadableFailure(r, /The server refused the WebSocket upgrade \(HTTP 404\): there is no gateway at this address/, 15_000)
  }, 30_000)

  it('(c) a WebSocket server that echoes our frames back: not taken for a login', async () => {
    const url = await otherWs('echo')
    const runs = await Promise.all([cli(['login', ...creds(url)]), cli(['models', ...creds(url)])])
    for (const r of runs) {
      expectReadableFailure(r, /not a Mio-Chat server/, 15_000)
      expect(r.stdout).toBe('')
    }
  }, 30_000)

  it('(c) a WebSocket server that sends garbage / never answers the login: "no answer", not "wrong access code"', async () => {
    const [garbage, silent] = await Promise.all([otherWs('garbage'), otherWs('silent')])
    const runs = await Promise.all([cli(['login', ...creds(garbage)]), cli(['send', 'hi', ...creds(silent)])])
    for (const r of runs) {
      expectReadableFailure(r, /No answer from the server within 4 s: it accepted the connection but did not answer the login/, 15_000)
      expect(r.stderr).not.toMatch(/invalid credentials|wrong access code/i)
    }
  }, 30_000)

  it('a server that never completes the upgrade: gives up after the connect timeout', async () => {
    const { url } = await hangingTcp()
    const r = await cli(['login', ...creds(url)])
    expectReadableFailure(r, /No answer from the server within 4 s \(on a Mio-Chat server of the real\/field kind this usually means a wrong access code\)/, 15_000)
  })
})

describe('CLI: the first Ctrl-C / SIGTERM ends it', () => {
  it('login while still connecting: SIGINT → exit at once with 130', async () => {
    const hang = await hangingTcp()
    const r = await cli(['login', ...creds(hang.url)], { signal: 'SIGINT', ready: () => hang.connections() > 0 })
    expect(r.afterSignalMs, JSON.stringify(r)).toBeLessThan(2000)
    expect(r.code, JSON.stringify(r)).toBe(130)
    expect(r.stderr).toMatch(/^miodesk: interrupted/m)
  })

  it('chat while still connecting: SIGTERM → exit at once with 143', async () => {
    const hang = await hangingTcp()
    const r = await cli(['chat', '--model', 'mio-demo', 'hi', ...creds(hang.url)], { signal: 'SIGTERM', ready: () => hang.connections() > 0 })
    expect(r.afterSignalMs, JSON.stringify(r)).toBeLessThan(2000)
    expect(r.code, JSON.stringify(r)).toBe(143)
  })

  it('watch keeps reconnecting to a closed port, and still ends on the first SIGINT', async () => {
    const url = `ws://127.0.0.1:${await freePort()}`
    const reconnects = (out: string): number => out.split('\n').filter((l) => l.includes('"state":"reconnecting"')).length
    const r = await cli(['watch', ...creds(url)], { signal: 'SIGINT', ready: (out) => reconnects(out) >= 2 })
    expect(reconnects(r.stdout), r.stdout).toBeGreaterThanOrEqual(2)
    expect(r.afterSignalMs, JSON.stringify(r)).toBeLessThan(2000)
    expect(r.signal).toBeNull()
    expect([0, 130]).toContain(r.code)
  })
})

let ref: RunningServer
beforeAll(async () => {
  ref = await startServer({ port: 0, adminCode: 'cli-admin', userCode: 'cli-user', chunkDelayMs: 0 })
  closers.push(() => ref.close())
})

describe('CLI: against the reference server', () => {
  it('login, ping and send work and exit 0', async () => {
    const server = `ws://127.0.0.1:${ref.port}`
    const args = ['--server', server, '--id', 'cli-ok', '--token', 'cli-user']
    const [login, ping, send] = await Promise.all([cli(['login', ...args]), cli(['ping', ...args]), cli(['send', 'hello', ...args])])
    expect(login.code, login.stderr).toBe(0)
    expect(JSON.parse(login.stdout)).toMatchObject({ dialect: 'spec', is_admin: false })
    expect(ping.code, ping.stderr).toBe(0)
    expect(ping.stdout).toMatch(/^\d+(\.\d+)? ms\n$/)
    expect(send.code, send.stderr).toBe(0)
    expect(send.stdout).toMatch(/^sent, message_id \d+\n$/)
  }, 30_000)

  it('a wrong access code fails fast with the server\'s words', async () => {
    const r = await cli(['login', '--server', `ws://127.0.0.1:${ref.port}`, '--id', 'cli-bad', '--token', 'nope'])
    expectReadableFailure(r, /Invalid credentials: invalid code/, 15_000)
  })
})

describe('CLI: against today\'s Socket.IO generation (host:port only)', () => {
  it('detects it, logs in, chats with a tool and sends to the bot; a wrong code fails fast in words', async () => {
    const v2 = await startServer({ port: 0, adminCode: 'cli-admin2', userCode: 'cli-user2', chunkDelayMs: 0, mioV2: true })
    closers.push(() => v2.close())
    const args = ['--server', `127.0.0.1:${v2.port}`, '--id', 'cli-v2', '--token', 'cli-user2']
    const [login, chat, send] = await Promise.all([cli(['login', ...args]), cli(['chat', '--model', 'mio-demo', 'calculate 12*(3+4)', ...args]), cli(['send', 'hello v2', ...args])])
    expect(login.code, login.stderr).toBe(0)
    expect(JSON.parse(login.stdout)).toMatchObject({ dialect: 'v2', is_admin: false })
    expect(chat.code, chat.stderr).toBe(0)
    expect(chat.stdout).toMatch(/\[tool calculator_mid_[0-9a-f]{6}: finished\] → 84/)
    expect(chat.stdout).toMatch(/84/)
    expect(send.code, send.stderr).toBe(0)
    expect(send.stdout).toMatch(/^sent, message_id \d+\n$/)
    const bad = await cli(['login', '--server', `127.0.0.1:${v2.port}`, '--id', 'cli-v2', '--token', 'nope'])
    expectReadableFailure(bad, /Invalid credentials/, 10_000)
  }, 60_000)
})

describe('CLI: a tool that asks first (Socket.IO generation)', () => {
  it('--approve runs it; without it the CLI denies and says how to allow', async () => {
    const v2 = await startServer({ port: 0, adminCode: 'cli-admin3', userCode: 'cli-user3', chunkDelayMs: 0, mioV2: true })
    closers.push(() => v2.close())
    const args = ['--server', `127.0.0.1:${v2.port}`, '--id', 'cli-v2a', '--token', 'cli-admin3', '--model', 'mio-demo']
    const [yes, no] = await Promise.all([cli(['chat', '--approve', 'run `echo cli-approved`', ...args]), cli(['chat', 'run `echo cli-denied`', ...args])])
    expect(yes.code, yes.stderr).toBe(0)
    expect(yes.stdout).toMatch(/\[asks: .*echo cli-approved → approved \(--approve\)\]/)
    expect(yes.stdout).toMatch(/\[tool bash_mid_[0-9a-f]{6}: finished\] → .*cli-approved/)
    expect(no.code, no.stderr).toBe(0)
    expect(no.stdout).toMatch(/denied \(pass --approve to allow\)/)
    expect(no.stdout).toMatch(/\[tool bash_mid_[0-9a-f]{6}: failed\]/)
  }, 60_000)
})
