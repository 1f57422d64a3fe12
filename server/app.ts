/**
 * The MioDesk reference server: ONE node:http server on 127.0.0.1 that routes HTTP requests by path
 * prefix and WebSocket upgrades by exact path. The Mio-Chat "spec" dialect is mounted here
 * (`/api/gateway` WebSocket, `/api/share` HTTP); other protocols (the Mio-Chat v2 generation at
 * `/socket.io/`, Yunhu under `/v1/` and `/ws`) plug in through `registerHttp` / `registerUpgrade` on the
 * returned RunningServer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { HttpError, redactUrl, requestUrl, sendJson } from './http'
import { createMioGateway } from './mio/gateway'
import { createShareRoutes } from './mio/share'
import { Upstream } from './mio/upstream'
import { mountMioV2, type MioV2Mounted } from './mio-v2'
import { mountYunhu, type YunhuMounted, type YunhuOptions } from './yunhu'

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

export interface ServerOptions {
  /** TCP port; 0 picks a random free port. Default 8787. */
  port?: number
  /** Only loopback is supported. */
  host?: '127.0.0.1'
  /** Access code that logs in as admin; random when omitted. */
  adminCode?: string
  /** Access code that logs in as a normal user; random when omitted. */
  userCode?: string
  /** Delay between streamed completion chunks (ms). Default 25. */
  chunkDelayMs?: number
  /** OpenAI-compatible upstream base URL (e.g. https://api.openai.com/v1); enables the "Upstream" model group. */
  openaiBaseUrl?: string
  openaiApiKey?: string
  /** Timeout for upstream HTTP: response headers and each gap between stream chunks (ms). Default 30000. */
  upstreamTimeoutMs?: number
  /** Delay before the bot recalls its `/recall` message (ms). Default 500. */
  recallDelayMs?: number
  /** Log sink, one line per call. Default: silent. */
  log?: (line: string) => void
  /** When set, shares are persisted in `<dataDir>/mio-shares.json`. */
  dataDir?: string
  /** When set, the Yunhu API (`/v1/`, `/open-apis/`) and push WebSocket (`/ws`) are mounted too. */
  yunhu?: Omit<YunhuOptions, 'log'>
  /**
   * Mounts the Mio-Chat v2 generation too: Socket.IO at `/socket.io/` and its HTTP API (`/api/health`,
   * `/api/base_info`, `/api/openai/tools`, `/api/share/set`, GET `/api/gateway`). Default off.
   */
  mioV2?: boolean
}

export interface RunningServer {
  /** http://127.0.0.1:PORT */
  url: string
  port: number
  adminCode: string
  userCode: string
  /** Closes every connection (HTTP and WebSocket) and the listener. Idempotent. */
  close(): Promise<void>
  /**
   * Routes HTTP requests whose path starts with `prefix` to `handler`. Longer prefixes are tried
   * first; a handler returns false (or resolves to false) to pass the request on. Unhandled → 404 JSON.
   */
  registerHttp(prefix: string, handler: HttpHandler): void
  /** Routes WebSocket upgrades whose path is exactly `path` (query ignored). Unknown paths get 404. */
  registerUpgrade(path: string, handler: UpgradeHandler): void
  /** Registers a cleanup hook run by close() before the listener shuts down. */
  onClose(hook: () => void | Promise<void>): void
  /** Set when the Yunhu part is mounted (`opts.yunhu`). */
  yunhu?: YunhuMounted
  /** Set when the Mio-Chat v2 generation is mounted (`opts.mioV2`). */
  mioV2?: MioV2Mounted
}

export const DEFAULT_PORT = 8787

export function randomCode(): string {
  return randomBytes(9).toString('base64url')
}

interface HttpRoute {
  prefix: string
  handler: HttpHandler
  order: number
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const host = '127.0.0.1'
  if (opts.host !== undefined && opts.host !== host) throw new Error('the reference server binds 127.0.0.1 only')
  const log = opts.log ?? (() => {})
  const adminCode = opts.adminCode || randomCode()
  const userCode = opts.userCode || randomCode()
  const httpRoutes: HttpRoute[] = []
  const upgradeRoutes = new Map<string, UpgradeHandler>()
  const closeHooks: Array<() => void | Promise<void>> = []
  const sockets = new Set<Socket>()
  let order = 0

  const server = createServer()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })

  server.on('request', (req, res) => {
    void routeHttp(req, res)
  })

  async function routeHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestUrl(req).pathname
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
          'access-control-allow-headers': 'content-type, authorization, token',
          'access-control-max-age': '600'
        })
        res.end()
        return
      }
      for (const route of httpRoutes) {
        if (!path.startsWith(route.prefix)) continue
        if (await route.handler(req, res)) return
      }
      sendJson(res, 404, { code: 1, message: 'not found' })
    } catch (err) {
      if (err instanceof HttpError) {
        sendJson(res, err.status, err.body)
      } else {
        log(`http ${req.method} ${redactUrl(req.url ?? '')} failed: ${err instanceof Error ? err.message : String(err)}`)
        sendJson(res, 500, { code: 1, message: 'internal error' })
      }
      // The request may not have been read fully (e.g. 413); make sure the socket does not linger.
      if (!req.complete) res.once('finish', () => req.socket.destroySoon?.())
    }
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const path = requestUrl(req).pathname
    const handler = upgradeRoutes.get(path)
    if (!handler) {
      log(`upgrade ${redactUrl(req.url ?? '')}: no route`)
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
      return
    }
    try {
      handler(req, socket, head)
    } catch (err) {
      log(`upgrade ${path} failed: ${err instanceof Error ? err.message : String(err)}`)
      socket.destroy()
    }
  })

  const running: RunningServer = {
    url: '',
    port: 0,
    adminCode,
    userCode,
    registerHttp(prefix, handler) {
      if (!prefix.startsWith('/')) throw new Error(`HTTP prefix must start with "/": ${prefix}`)
      httpRoutes.push({ prefix, handler, order: order++ })
      httpRoutes.sort((a, b) => b.prefix.length - a.prefix.length || a.order - b.order)
    },
    registerUpgrade(path, handler) {
      if (!path.startsWith('/')) throw new Error(`upgrade path must start with "/": ${path}`)
      if (upgradeRoutes.has(path)) throw new Error(`upgrade path already registered: ${path}`)
      upgradeRoutes.set(path, handler)
    },
    onClose(hook) {
      closeHooks.push(hook)
    },
    close: () => closing ?? (closing = doClose())
  }
  let closing: Promise<void> | undefined

  async function doClose(): Promise<void> {
    for (const hook of closeHooks.splice(0).reverse()) {
      try {
        await hook()
      } catch (err) {
        log(`close hook failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
      for (const s of sockets) s.destroy()
    })
  }

  // --- Mio-Chat spec dialect ---
  const upstream = opts.openaiBaseUrl
    ? new Upstream({ baseUrl: opts.openaiBaseUrl, apiKey: opts.openaiApiKey, timeoutMs: opts.upstreamTimeoutMs ?? 30_000, log })
    : undefined
  const share = await createShareRoutes({ dataDir: opts.dataDir, publicUrl: () => running.url, log })
  running.registerHttp('/api/share', share.handle)
  running.onClose(() => share.flush())
  const gateway = createMioGateway({
    adminCode,
    userCode,
    chunkDelayMs: Math.max(0, opts.chunkDelayMs ?? 25),
    recallDelayMs: Math.max(0, opts.recallDelayMs ?? 500),
    upstream,
    log
  })
  running.registerUpgrade('/api/gateway', gateway.handleUpgrade)
  running.onClose(() => gateway.close())

  // --- Mio-Chat v2 (Socket.IO) ---
  if (opts.mioV2) {
    running.mioV2 = mountMioV2(running, {
      adminCode,
      userCode,
      chunkDelayMs: Math.max(0, opts.chunkDelayMs ?? 25),
      recallDelayMs: Math.max(0, opts.recallDelayMs ?? 500),
      upstream,
      share,
      log
    })
  }

  // --- Yunhu ---
  if (opts.yunhu) running.yunhu = await mountYunhu(running, { chunkDelayMs: opts.chunkDelayMs, ...opts.yunhu, log })

  const requestedPort = opts.port ?? DEFAULT_PORT
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err)
    server.once('error', onError)
    server.listen(requestedPort, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  server.on('error', (err) => log(`server error: ${err.message}`))
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : requestedPort
  running.port = port
  running.url = `http://${host}:${port}`
  log(`listening on ${running.url}`)
  return running
}
