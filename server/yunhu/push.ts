/**
 * The Yunhu push WebSocket at `/ws`. Clients send JSON text frames `{seq, cmd, data}`: `login`
 * (first), `heartbeat` (answered with a binary heartbeat_ack frame), `inputInfo` (a draft, forwarded
 * as draft_input to the account's other devices). Everything the server sends is a protobuf
 * WsWrapper frame, except the text frame "数据不合法" for a failed login or data before login.
 * After a failed login the client's frames are ignored. Malformed frames never crash the server.
 */
import { WebSocket, type RawData } from 'ws'
import { encodeWsFrame } from '../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuStore } from './store'
import { createWsEndpoint } from '../ws'

export const PLATFORMS: ReadonlySet<string> = new Set(['windows', 'macos', 'android', 'linux', 'ios', 'fuchsia', 'Web'])
export const INVALID_DATA = '数据不合法'
/** Client frames above this are refused by ws (close 1009). */
const MAX_FRAME_BYTES = 256 * 1024
const MAX_DRAFT_CHARS = 20_000

export interface PushSession {
  ws: WebSocket
  userId?: string
  deviceId?: string
  platform?: string
  loggedIn: boolean
  /** Set after a failed login: later frames are ignored. */
  rejected: boolean
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function rawText(data: RawData): string {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
  return buf.toString('utf8')
}

export function createPushHub(opts: { store: YunhuStore; log: (line: string) => void }) {
  const { store, log } = opts
  const endpoint = createWsEndpoint({ maxPayload: MAX_FRAME_BYTES, onConnection })
  const sessions = new Set<PushSession>()

  function sendBinary(s: PushSession, frame: Uint8Array): void {
    if (s.ws.readyState !== WebSocket.OPEN) return
    try {
      s.ws.send(frame, { binary: true })
    } catch (err) {
      log(`yunhu ws: send failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  function sendText(s: PushSession, text: string): void {
    if (s.ws.readyState !== WebSocket.OPEN) return
    try {
      s.ws.send(text)
    } catch (err) {
      log(`yunhu ws: send failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  /** Sends a frame to every logged-in session of a user, except `except` (and its device). */
  function deliver(userId: string, frame: Uint8Array, except?: PushSession): void {
    for (const s of sessions) {
      if (!s.loggedIn || s.userId !== userId || s === except) continue
      if (except && except.deviceId && s.deviceId === except.deviceId) continue
      sendBinary(s, frame)
    }
  }

  function login(s: PushSession, data: unknown): void {
    const ok =
      isObject(data) &&
      typeof data.userId === 'string' &&
      typeof data.token === 'string' &&
      typeof data.platform === 'string' &&
      PLATFORMS.has(data.platform) &&
      typeof data.deviceId === 'string' &&
      data.deviceId.length <= 200
    const user = ok ? store.userByToken(data.token as string) : undefined
    if (!ok || !user || user.id !== data.userId) {
      s.loggedIn = false
      s.rejected = true
      sendText(s, INVALID_DATA)
      log(`yunhu ws: login rejected`)
      return
    }
    s.loggedIn = true
    s.userId = user.id
    s.platform = data.platform as string
    s.deviceId = data.deviceId as string
    log(`yunhu ws: login ok (user ${user.id}, ${s.platform})`)
  }

  function onFrame(s: PushSession, raw: RawData): void {
    if (s.rejected) return
    let frame: unknown
    try {
      frame = JSON.parse(rawText(raw))
    } catch {
      frame = undefined
    }
    const cmd = isObject(frame) ? frame.cmd : undefined
    if (!isObject(frame) || typeof cmd !== 'string') {
      if (!s.loggedIn) sendText(s, INVALID_DATA)
      return
    }
    const seqRaw = frame.seq
    const seq = typeof seqRaw === 'string' ? seqRaw.slice(0, 200) : typeof seqRaw === 'number' && Number.isFinite(seqRaw) ? String(seqRaw) : ''
    if (cmd === 'login') {
      // one login per connection: later login frames are ignored
      if (!s.loggedIn) login(s, frame.data)
      return
    }
    if (!s.loggedIn) return sendText(s, INVALID_DATA)
    if (cmd === 'heartbeat') return sendBinary(s, encodeWsFrame({ kind: 'heartbeat_ack', seq }))
    if (cmd === 'inputInfo') {
      const d = frame.data
      if (!isObject(d) || typeof d.chatId !== 'string' || d.chatId === '') return
      const input = typeof d.input === 'string' ? d.input.slice(0, MAX_DRAFT_CHARS) : ''
      const msg = input === '' ? { chat_id: d.chatId } : { chat_id: d.chatId, input }
      deliver(s.userId as string, encodeWsFrame({ kind: 'draft_input', seq, message: msg }), s)
      return
    }
    // unknown cmds are ignored
  }

  function onConnection(ws: WebSocket): void {
    const s: PushSession = { ws, loggedIn: false, rejected: false }
    sessions.add(s)
    ws.on('message', (data) => {
      try {
        onFrame(s, data)
      } catch (err) {
        log(`yunhu ws: frame handling failed: ${err instanceof Error ? err.stack : String(err)}`)
      }
    })
    ws.on('error', (err) => log(`yunhu ws: ${err.message}`))
    ws.on('close', () => sessions.delete(s))
  }

  return { handleUpgrade: endpoint.handleUpgrade, close: () => endpoint.close(sessions), deliver, sessions }
}

export type PushHub = ReturnType<typeof createPushHub>
