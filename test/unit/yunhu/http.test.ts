import { createServer as createHttpServer } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { YunhuApiError, YunhuHttp, YunhuHttpStatusError, YunhuLoggedOutError } from '../../../src/core/protocols/yunhu/http'
import { TransportError } from '../../../src/core/transport/errors'
import { createMemoryLogger } from '../../../src/core/log'
import { fakeFetch, fixtureResponse, hangingFetch, jsonResponse, protoResponse } from './helpers'

const TOKEN = 'secret-token-123'

describe('YunhuHttp', () => {
  it('sends the token header, POST and JSON to base URL + path (default host)', async () => {
    const f = fakeFetch(() => jsonResponse({ code: 1, msg: 'success', data: { a: 1 } }))
    const h = new YunhuHttp({ token: TOKEN, fetch: f.fetch })
    const r = await h.json('/v1/bot/banner', { x: 1 })
    expect(r).toEqual({ code: 1, msg: 'success', data: { a: 1 } })
    expect(f.calls[0]!.url.toString()).toBe('https://chat-go.jwzhd.com/v1/bot/banner')
    expect(f.calls[0]!.method).toBe('POST')
    expect(f.calls[0]!.headers.token).toBe(TOKEN)
    expect(f.calls[0]!.headers['content-type']).toBe('application/json')
    expect(f.calls[0]!.json).toEqual({ x: 1 })
  })

  it('keeps a base path and omits the token when auth is false', async () => {
    const f = fakeFetch()
    const h = new YunhuHttp({ baseUrl: 'http://127.0.0.1:9/prefix/', token: TOKEN, fetch: f.fetch })
    await h.json('/v1/user/email-login', {}, { auth: false })
    expect(f.calls[0]!.url.toString()).toBe('http://127.0.0.1:9/prefix/v1/user/email-login')
    expect(f.calls[0]!.headers.token).toBeUndefined()
  })

  it('a JSON code ≠ 1 is a YunhuApiError carrying code and msg', async () => {
    const f = fakeFetch(() => jsonResponse({ code: -1, msg: '机器人不存在' }))
    const h = new YunhuHttp({ token: TOKEN, fetch: f.fetch })
    const err = await h.json('/v1/bot/bot-detail', { id: '1' }).catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.code).toBe(-1)
    expect(err.msg).toBe('机器人不存在')
    expect(err.kind).toBe('server')
    expect(err.message).toContain('机器人不存在')
  })

  it('-101 (JSON) raises YunhuLoggedOutError and a relogin-required event', async () => {
    const f = fakeFetch(() => jsonResponse({ code: -101, msg: '未登录' }))
    const h = new YunhuHttp({ token: TOKEN, fetch: f.fetch })
    const events: YunhuLoggedOutError[] = []
    h.on('relogin-required', (e) => events.push(e))
    const err = await h.json('/v1/bot/banner').catch((e) => e)
    expect(err).toBeInstanceOf(YunhuLoggedOutError)
    expect(err.kind).toBe('auth')
    expect(err.code).toBe(-101)
    expect(events).toHaveLength(1)
    expect(events[0]).toBe(err)
  })

  it('-101 in a protobuf Status (fixture) raises the relogin event too', async () => {
    const f = fakeFetch(() => fixtureResponse('http_error_bot_info_not_logged_in'))
    const h = new YunhuHttp({ token: TOKEN, fetch: f.fetch })
    let n = 0
    h.on('relogin-required', () => n++)
    const err = await h.proto('/v1/bot/bot-info', new Uint8Array(0), 'BotInfoResponse').catch((e) => e)
    expect(err).toBeInstanceOf(YunhuLoggedOutError)
    expect(err.msg).toBe('未登录')
    expect(n).toBe(1)
  })

  it('-101 answered as JSON on a protobuf endpoint is understood', async () => {
    const f = fakeFetch(() => jsonResponse({ code: -101, msg: '未登录' }))
    const h = new YunhuHttp({ token: TOKEN, fetch: f.fetch })
    let n = 0
    h.on('relogin-required', () => n++)
    await expect(h.proto('/v1/bot/board', new Uint8Array(0), 'BoardResponse')).rejects.toBeInstanceOf(YunhuLoggedOutError)
    expect(n).toBe(1)
  })

  it('a protobuf Status code ≠ 1 (fixture, code -1) is a YunhuApiError with msg', async () => {
    const f = fakeFetch(() => fixtureResponse('http_error_board'))
    const h = new YunhuHttp({ token: TOKEN, fetch: f.fetch })
    const err = await h.proto('/v1/bot/board', new Uint8Array(0), 'BoardResponse').catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
    expect(err).not.toBeInstanceOf(YunhuLoggedOutError)
    expect(err.code).toBe(-1)
    expect(err.msg).toBe('参数错误')
  })

  it('a protobuf reply without status is an error', async () => {
    const f = fakeFetch(() => protoResponse('BotInfoResponse', { data: { bot_id: '1' } }))
    const h = new YunhuHttp({ fetch: f.fetch })
    const err = await h.proto('/v1/bot/bot-info', undefined, 'BotInfoResponse').catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
    expect(err.message).toMatch(/no status/)
  })

  it('garbage protobuf replies are a protocol error in words, not a crash', async () => {
    const f = fakeFetch(() => fixtureResponse('malformed_random_bytes'))
    const h = new YunhuHttp({ fetch: f.fetch })
    const err = await h.proto('/v1/bot/bot-info', undefined, 'BotInfoResponse').catch((e) => e)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.kind).toBe('protocol')
    expect(err.message).toMatch(/not a valid BotInfoResponse/)
  })

  it('the plain 404 of a wrong method is an error with the status in words', async () => {
    const f = fakeFetch(() => new Response('404 page not found', { status: 404, statusText: 'Not Found', headers: { 'content-type': 'text/plain' } }))
    const h = new YunhuHttp({ fetch: f.fetch })
    const err = await h.json('/v1/bot/banner').catch((e) => e)
    expect(err).toBeInstanceOf(YunhuHttpStatusError)
    expect(err.status).toBe(404)
    expect(err.message).toBe('Yunhu POST /v1/bot/banner failed: the server answered HTTP 404 Not Found (wrong HTTP method or unknown endpoint): "404 page not found"')
    const e2 = await h.proto('/v1/user/info', undefined, 'UserInfo').catch((e) => e)
    expect(e2).toBeInstanceOf(YunhuHttpStatusError)
  })

  it('a 5xx is a server error; 401/403 are auth errors', async () => {
    let status = 502
    const f = fakeFetch(() => new Response('bad gateway', { status }))
    const h = new YunhuHttp({ fetch: f.fetch })
    const e1 = await h.json('/v1/bot/banner').catch((e) => e)
    expect(e1.kind).toBe('server')
    expect(e1.message).toMatch(/HTTP 502.*server error/)
    status = 403
    const e2 = await h.json('/v1/bot/banner').catch((e) => e)
    expect(e2.kind).toBe('auth')
  })

  it('invalid JSON bodies are an error in words', async () => {
    for (const [body, re] of [
      ['<html>oops</html>', /not valid JSON: "<html>oops<\/html>"/],
      ['', /not valid JSON \(empty body\)/],
      ['[1,2]', /not an object/],
      ['{"msg":"x"}', /without a numeric "code"/]
    ] as const) {
      const f = fakeFetch(() => new Response(body))
      const h = new YunhuHttp({ fetch: f.fetch })
      const err = await h.json('/v1/bot/banner').catch((e) => e)
      expect(err).toBeInstanceOf(TransportError)
      expect(err.kind).toBe('protocol')
      expect(err.message).toMatch(re)
    }
  })

  it('a numeric-string code is read as a number', async () => {
    const f = fakeFetch(() => jsonResponse({ code: '1', msg: 'success' }))
    await expect(new YunhuHttp({ fetch: f.fetch }).json('/v1/bot/banner')).resolves.toMatchObject({ code: 1 })
  })

  it('times out with a clear message', async () => {
    const h = new YunhuHttp({ fetch: hangingFetch(), timeoutMs: 50 })
    const err = await h.json('/v1/bot/banner').catch((e) => e)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.kind).toBe('timeout')
    expect(err.message).toBe('The Yunhu server did not answer POST /v1/bot/banner within 0.1 s')
    const e2 = await h.proto('/v1/bot/bot-info', new Uint8Array(0), 'BotInfoResponse', { timeoutMs: 30 }).catch((e) => e)
    expect(e2.kind).toBe('timeout')
  })

  it('a caller abort is kind aborted', async () => {
    const h = new YunhuHttp({ fetch: hangingFetch() })
    const ac = new AbortController()
    const p = h.json('/v1/bot/banner', undefined, { signal: ac.signal }).catch((e) => e)
    ac.abort()
    const err = await p
    expect(err.kind).toBe('aborted')
  })

  it('network errors say the server cannot be reached', async () => {
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
    const port = (srv.address() as AddressInfo).port
    await new Promise<void>((r) => srv.close(() => r()))
    const h = new YunhuHttp({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 3000 })
    const err = await h.json('/v1/bot/banner').catch((e) => e)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.kind).toBe('unreachable')
    expect(err.message).toBe(`Cannot reach the Yunhu server at 127.0.0.1:${port}: connection refused`)
  })

  // An outbox resends an ambiguous send under the same msg_id: a connection that drops once the
  // request may have reached the server is kind 'closed' (like a timeout, ambiguous), never
  // 'unreachable', which stays for a server that could not be reached at all (nothing was sent).
  it('a connection dropped after the request went out is kind closed, not unreachable', async () => {
    const srv = createHttpServer((req, res) => {
      req.resume()
      req.on('end', () => {
        if (req.url === '/v1/drop-before-reply') req.socket.destroy()
        else {
          res.writeHead(200, { 'content-length': '100' })
          res.write('{"code"')
          setTimeout(() => req.socket.destroy(), 20)
        }
      })
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
    const port = (srv.address() as AddressInfo).port
    try {
      const h = new YunhuHttp({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 3000 })
      const before = await h.proto('/v1/drop-before-reply', new Uint8Array([0x12, 1, 0x41]), 'StatusResponse').catch((e) => e)
      expect(before).toBeInstanceOf(TransportError)
      expect(before.kind).toBe('closed')
      expect(before.message).toBe(
        `The connection to the Yunhu server at 127.0.0.1:${port} was lost before it answered POST /v1/drop-before-reply (the server closed the connection); the request may have reached it`
      )
      const during = await h.json('/v1/drop-mid-body', { a: 1 }).catch((e) => e)
      expect(during).toBeInstanceOf(TransportError)
      expect(during.kind).toBe('closed')
      expect(during.message).toMatch(/was lost before it answered POST \/v1\/drop-mid-body .*may have reached it/)
    } finally {
      await new Promise<void>((r) => srv.close(() => r()))
    }
  })

  it('never logs the token', async () => {
    const log = createMemoryLogger()
    const f = fakeFetch(() => jsonResponse({ code: -101, msg: '未登录' }))
    const h = new YunhuHttp({ token: TOKEN, fetch: f.fetch, logger: log })
    await h.json('/v1/bot/banner', { password: 'pw-456' }).catch(() => {})
    expect(JSON.stringify(log.entries)).not.toContain(TOKEN)
    expect(JSON.stringify(log.entries)).not.toContain('pw-456')
    expect(log.entries.length).toBeGreaterThan(0)
  })

  it('rejects an unusable base URL in words', () => {
    expect(() => new YunhuHttp({ baseUrl: 'ftp://x' })).toThrow(/Unsupported Yunhu API address scheme/)
    expect(new YunhuHttp({ baseUrl: 'example.com' }).baseUrl).toBe('https://example.com')
  })
})
