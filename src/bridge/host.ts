/**
 * The browser host: runs the main-process core (AppCore) in plain Node and exposes it to the
 * renderer over a WebSocket bridge, so the renderer can run in an ordinary browser (`npm run dev:web`)
 * and in the E2E tests, where the Electron binary is not available.
 *
 * This is a DEVELOPMENT AND TEST HARNESS, not a way to ship the app:
 *   - secrets are stored with `plaintextSecretBox` (base64, no keyring) in a JSON file in `dataDir`
 *     (a fresh temp dir by default, removed on close);
 *   - `app:open-external` only logs the URL (or calls an injected opener).
 *
 * Security model (so that other local pages and processes cannot drive the core):
 *   - ONE http server, bound to 127.0.0.1 only;
 *   - the WebSocket at `/bridge` requires the random per-start token (32 random bytes, compared in
 *     constant time) in the `token` query parameter AND an `Origin` equal to this server's own origin;
 *     anything else is refused with 403 before the upgrade;
 *   - HTTP requests must carry a Host naming this server (DNS-rebinding guard);
 *   - only channels in API_CHANNELS are dispatched, through the same handler table as Electron's IPC
 *     (`createHandlers` / `dispatch`); errors cross as `{message}` only, never stacks;
 *   - `/media/<account>/<url>?token=…` (src/shared/media.ts) serves an account's platform media through
 *     the core's MediaService; it needs the same token (an <img> cannot send an Origin, so a request that
 *     says it comes from another site — `Sec-Fetch-Site` cross-site/same-site — is refused too);
 *   - the renderer is served with the app's CSP (src/shared/csp.ts) plus frame-ancestors 'none',
 *     `Referrer-Policy: no-referrer` (the page URL carries the token), nosniff, and a path-traversal check.
 *
 * Frames (JSON text, one per WebSocket message), matching src/renderer/src/bridge-client.ts:
 *   client → host  {id, channel, args}
 *   host → client  {id, ok: true, result} | {id, ok: false, error: {message}}
 *   host → client  {event, payload}     (every MAIN_EVENTS event of core.events)
 *
 * Never imports electron.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocketServer, type WebSocket } from 'ws'
import { API_CHANNELS, MAIN_EVENTS, isApiChannel, type AppInfo } from '../shared/api'
import { CONTENT_SECURITY_POLICY } from '../shared/csp'
import { AppCore, type AppCoreOptions } from '../core/app-core'
import { createHandlers, dispatch } from '../core/handlers'
import { JsonFileStore, plaintextSecretBox } from '../core/storage/storage'
import { KEYS } from '../core/storage/keys'
import type { HistoryStore } from '../core/storage/history'
import { SqliteHistory } from '../core/storage/sqlite-history'
import type { Logger } from '../core/log'
import { redactUrl } from '../core/log'
import { mimeType, resolveRealFile, resolveStaticPath } from '../core/static-files'
import { answerMedia, mediaErrorAnswer, type MediaAnswer } from '../core/media/respond'
import { BRIDGE_MEDIA_PREFIX } from '../shared/media'

/** Where the bridge serves finished exports from (the profile's exports folder). */
export const BRIDGE_EXPORTS_PREFIX = '/exports/'
/** Where the bridge serves backups from (the profile's backups folder). */
export const BRIDGE_BACKUPS_PREFIX = '/backups/'

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..')
export const DEFAULT_STATIC_DIR = join(REPO_ROOT, 'out', 'renderer')

export interface BridgeOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number
  /** Only loopback is supported. */
  host?: '127.0.0.1'
  /** The built renderer (default `out/renderer`). */
  staticDir?: string
  /** Where the JSON store lives. Default: a fresh temp dir, removed on close. */
  dataDir?: string
  /** Offered by `app:info` on first run (e.g. the local reference server). */
  suggestedAccount?: AppInfo['suggestedAccount']
  /** Called for `app:open-external` after the core checked the URL. Default: log it. */
  openExternal?: (url: string) => Promise<void>
  /** One line per notable event (never secrets). Default: silent. */
  log?: (line: string) => void
  /** Core logger (default: silent). */
  logger?: Logger
  /** A pre-filled history (benchmarks). Default: SQLite in `dataDir` (history.sqlite). */
  history?: HistoryStore
  /** Extra AppCore options (tests: streamFlushMs, clientOptions). */
  core?: Partial<Pick<AppCoreOptions, 'streamFlushMs' | 'clientOptions' | 'v2Options' | 'mediaOptions' | 'backupKdf'>>
  /** Reported by app:info. Default: package.json version. */
  version?: string
  /** Largest accepted request frame (bytes). Default 64 MiB (pasted images travel as data: URLs). */
  maxPayload?: number
}

export interface RunningBridge {
  /** The page URL to open, including `?bridge=…&token=…`. */
  url: string
  /** http://127.0.0.1:PORT */
  origin: string
  /** ws://127.0.0.1:PORT/bridge (without the token). */
  wsUrl: string
  port: number
  token: string
  dataDir: string
  /** The core behind the bridge (tests and benchmarks inspect it). */
  core: AppCore
  /** Number of connected bridge clients. */
  clientCount(): number
  /** Stops the core, closes every connection and the listener; removes a temp data dir. Idempotent. */
  close(): Promise<void>
}

export { mimeType, resolveStaticPath }

/** The header CSP: the app's policy plus what only a header can say (frame-ancestors). */
export const BRIDGE_CSP = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`

function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': BRIDGE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin'
  }
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (!given) return false
  const a = Buffer.from(given, 'utf8')
  const b = Buffer.from(expected, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

function errorText(e: unknown): string {
  if (e instanceof Error && e.message) return e.message
  if (typeof e === 'string' && e) return e
  return 'Request failed'
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]))
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${text.length}\r\n\r\n${text}`)
}

export async function startBridge(opts: BridgeOptions = {}): Promise<RunningBridge> {
  const host = '127.0.0.1'
  if (opts.host !== undefined && opts.host !== host) throw new Error('the bridge binds 127.0.0.1 only')
  const log = opts.log ?? (() => {})
  const staticDir = resolve(opts.staticDir ?? DEFAULT_STATIC_DIR)
  const ownsDataDir = !opts.dataDir
  const dataDir = opts.dataDir ? resolve(opts.dataDir) : mkdtempSync(join(tmpdir(), 'miodesk-web-'))
  const token = randomBytes(32).toString('base64url')

  const store = new JsonFileStore(join(dataDir, 'miodesk-web.json'))
  // With accounts, a missing or empty database is a lost one (HistoryOpenError, in words), never a new one.
  const hasAccounts = [KEYS.mioAccounts, KEYS.yunhuAccounts].some((k) => (store.get<unknown[]>(k)?.length ?? 0) > 0)
  const ownHistory = opts.history ? undefined : new SqliteHistory(join(dataDir, 'history.sqlite'), { expectExisting: hasAccounts })
  const core = new AppCore({
    store,
    damagedFiles: store.damaged ? [store.damaged] : undefined,
    secrets: plaintextSecretBox,
    history: opts.history ?? ownHistory,
    logger: opts.logger,
    host: 'browser',
    version: opts.version ?? packageVersion(),
    suggestedAccount: opts.suggestedAccount,
    mediaDir: join(dataDir, 'media-cache'),
    // Exports go into the profile's exports folder; the page opens or downloads them by URL (token-checked).
    exportTarget: async (fileName) => {
      const dir = join(dataDir, 'exports')
      mkdirSync(dir, { recursive: true })
      const dot = fileName.lastIndexOf('.')
      let name = fileName
      for (let i = 2; existsSync(join(dir, name)); i++) name = `${fileName.slice(0, dot)} (${i})${fileName.slice(dot)}`
      return { path: join(dir, name), url: `${BRIDGE_EXPORTS_PREFIX}${encodeURIComponent(name)}?token=${token}` }
    },
    // Backups go into the profile's backups folder (downloaded by URL); a restore uploads one or names one there.
    backupsDir: join(dataDir, 'backups'),
    profileDir: dataDir,
    backupTarget: async (fileName) => {
      const dir = join(dataDir, 'backups')
      mkdirSync(dir, { recursive: true })
      return { path: join(dir, fileName), url: `${BRIDGE_BACKUPS_PREFIX}${encodeURIComponent(fileName)}?token=${token}` }
    },
    openExternal:
      opts.openExternal ??
      (async (url) => {
        log(`open-external (browser host, not opened): ${url}`)
      }),
    ...opts.core
  })
  const handlers = createHandlers(core)

  let port = 0
  let origin = ''
  const allowedHosts = new Set<string>()
  const sockets = new Set<Socket>()
  const server = createServer()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })

  // ------------------------------------------------------------------ static files

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = securityHeaders()
    const send = (status: number, body: string, extra: Record<string, string> = {}): void => {
      res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra })
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    if (!allowedHosts.has(String(req.headers.host ?? '').toLowerCase())) return send(403, 'Forbidden host')
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed', { allow: 'GET, HEAD' })
    let pathname: string
    try {
      pathname = new URL(req.url ?? '/', origin).pathname
    } catch {
      return send(400, 'Bad request')
    }
    if (pathname === '/bridge') return send(426, 'Upgrade required')
    if (pathname.startsWith(BRIDGE_MEDIA_PREFIX)) return serveMedia(req, res, pathname)
    if (pathname.startsWith(BRIDGE_EXPORTS_PREFIX)) return serveExport(req, res, pathname, send)
    if (pathname.startsWith(BRIDGE_BACKUPS_PREFIX)) return serveExport(req, res, pathname, send, BRIDGE_BACKUPS_PREFIX)
    // Symlinks must not lead out of the root either (real paths).
    const real = await resolveRealFile(staticDir, pathname)
    if (!real) return send(404, 'Not found')
    let body: Buffer
    try {
      body = await readFile(real)
    } catch {
      return send(404, 'Not found')
    }
    const isHtml = extname(real).toLowerCase() === '.html'
    res.writeHead(200, {
      ...headers,
      'content-type': mimeType(real),
      'content-length': String(body.length),
      'cache-control': isHtml ? 'no-store' : 'no-cache'
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  /** A finished export from the exports folder: token and same-origin checked, as a download. */
  async function serveExport(req: IncomingMessage, res: ServerResponse, pathname: string, send: (status: number, body: string) => void, prefix = BRIDGE_EXPORTS_PREFIX): Promise<void> {
    const u = new URL(req.url ?? '/', origin)
    const site = String(req.headers['sec-fetch-site'] ?? '')
    if (!tokenMatches(u.searchParams.get('token'), token) || (site !== '' && site !== 'same-origin' && site !== 'none')) return send(403, 'Forbidden')
    const real = await resolveRealFile(join(dataDir, prefix.slice(1, -1)), pathname.slice(prefix.length - 1))
    if (!real || real.endsWith('.part')) return send(404, 'Not found')
    const body = await readFile(real)
    const name = decodeURIComponent(pathname.slice(prefix.length))
    const ext = extname(real).toLowerCase()
    const type = ext === '.html' ? 'text/html; charset=utf-8' : ext === '.json' ? 'application/json; charset=utf-8' : ext === '.md' ? 'text/markdown; charset=utf-8' : 'application/octet-stream'
    res.writeHead(200, {
      ...securityHeaders(),
      // the export's own policy (no scripts, nothing from the network), whatever the page's is
      'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; sandbox",
      'content-type': type,
      'content-length': String(body.length),
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      'cache-control': 'no-store'
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  async function serveMedia(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const u = new URL(req.url ?? '/', origin)
    const site = String(req.headers['sec-fetch-site'] ?? '')
    let answer: MediaAnswer
    if (!tokenMatches(u.searchParams.get('token'), token)) {
      log('bridge: refused a media request with a wrong or missing token')
      answer = { ...mediaErrorAnswer('not-allowed', 'Forbidden'), status: 403 }
    } else if (site !== '' && site !== 'same-origin' && site !== 'none') {
      log(`bridge: refused a media request from another site (${site})`)
      answer = { ...mediaErrorAnswer('not-allowed', 'Forbidden'), status: 403 }
    } else {
      answer = await answerMedia(core.media, pathname.slice(BRIDGE_MEDIA_PREFIX.length - 1), { method: req.method ?? 'GET', range: req.headers.range })
    }
    res.writeHead(answer.status, { ...securityHeaders(), ...lower(answer.headers) })
    res.end(req.method === 'HEAD' || !answer.body ? undefined : Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength))
  }

  server.on('request', (req, res) => {
    serveStatic(req, res).catch((e: unknown) => {
      log(`static ${redactUrl(req.url ?? '')} failed: ${errorText(e)}`)
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end('Internal error')
    })
  })

  // ------------------------------------------------------------------ WebSocket bridge
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? 64 * 1024 * 1024 })
  const clients = new Set<WebSocket>()

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    let u: URL
    try {
      u = new URL(req.url ?? '/', origin)
    } catch {
      return refuse(socket, 400, 'Bad Request')
    }
    if (u.pathname !== '/bridge') return refuse(socket, 404, 'Not Found')
    if (!allowedHosts.has(String(req.headers.host ?? '').toLowerCase())) {
      log('bridge: refused a connection with a foreign Host')
      return refuse(socket, 403, 'Forbidden')
    }
    if (req.headers.origin !== origin) {
      log(`bridge: refused a connection from origin ${JSON.stringify(req.headers.origin ?? null)}`)
      return refuse(socket, 403, 'Forbidden')
    }
    if (!tokenMatches(u.searchParams.get('token'), token)) {
      log('bridge: refused a connection with a wrong or missing token')
      return refuse(socket, 403, 'Forbidden')
    }
    wss.handleUpgrade(req, socket, head, (ws) => onClient(ws))
  })

  function onClient(ws: WebSocket): void {
    clients.add(ws)
    log(`bridge: client connected (${clients.size})`)
    ws.on('close', () => {
      clients.delete(ws)
      log(`bridge: client disconnected (${clients.size})`)
    })
    ws.on('error', () => ws.terminate())
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      void onRequest(ws, data.toString())
    })
  }

  async function onRequest(ws: WebSocket, text: string): Promise<void> {
    let frame: unknown
    try {
      frame = JSON.parse(text)
    } catch {
      return
    }
    if (!frame || typeof frame !== 'object') return
    const { id, channel, args } = frame as { id?: unknown; channel?: unknown; args?: unknown }
    if (typeof id !== 'number' && typeof id !== 'string') return
    const reply = (body: { ok: true; result: unknown } | { ok: false; error: { message: string } }): void => {
      if (ws.readyState !== ws.OPEN) return
      try {
        ws.send(JSON.stringify({ id, ...body }))
      } catch (e) {
        log(`bridge: could not send a reply: ${errorText(e)}`)
      }
    }
    if (!isApiChannel(channel)) return reply({ ok: false, error: { message: `Unknown API channel: ${String(channel).slice(0, 80)}` } })
    if (args !== undefined && !Array.isArray(args)) return reply({ ok: false, error: { message: 'Invalid arguments' } })
    try {
      const result = await dispatch(handlers, channel, (args as unknown[] | undefined) ?? [])
      reply({ ok: true, result: result === undefined ? null : result })
    } catch (e) {
      reply({ ok: false, error: { message: errorText(e) } })
    }
  }

  const forwarders: Array<() => void> = []
  for (const name of MAIN_EVENTS) {
    const fn = (payload: unknown): void => {
      if (clients.size === 0) return
      const text = JSON.stringify({ event: name, payload })
      for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text)
    }
    ;(core.events as unknown as NodeJS.EventEmitter).on(name, fn)
    forwarders.push(() => (core.events as unknown as NodeJS.EventEmitter).off(name, fn))
  }

  // ------------------------------------------------------------------ listen
  await new Promise<void>((res, rej) => {
    const onError = (e: Error): void => rej(e)
    server.once('error', onError)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError)
      res()
    })
  })
  server.on('error', (e) => log(`bridge server error: ${e.message}`))
  const addr = server.address()
  port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0)
  origin = `http://${host}:${port}`
  // Only the exact address the page is served from: the Origin check below needs the same one.
  allowedHosts.add(`${host}:${port}`)
  if (!existsSync(staticDir)) log(`bridge: static dir ${staticDir} does not exist (yet); build the renderer first`)
  await core.start()

  const wsUrl = `ws://${host}:${port}/bridge`
  const url = `${origin}/?${new URLSearchParams({ bridge: wsUrl, token }).toString()}`
  log(`bridge: listening on ${origin} (channels: ${API_CHANNELS.length})`)

  let closing: Promise<void> | undefined
  async function doClose(): Promise<void> {
    for (const off of forwarders) off()
    try {
      await core.stop()
    } catch (e) {
      log(`bridge: core stop failed: ${errorText(e)}`)
    }
    ownHistory?.close()
    for (const ws of clients) ws.terminate()
    clients.clear()
    wss.close()
    await new Promise<void>((res) => {
      server.close(() => res())
      server.closeAllConnections()
      for (const s of sockets) s.destroy()
    })
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true })
  }

  return {
    url,
    origin,
    wsUrl,
    port,
    token,
    dataDir,
    core,
    clientCount: () => clients.size,
    close: () => (closing ??= doClose())
  }
}
