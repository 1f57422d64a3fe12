/**
 * Browser-side client of the WebSocket bridge (the Node host running the main-process core).
 *
 * Frames (JSON text, one per WebSocket message):
 *   renderer → host  {id: number, channel: string, args: unknown[]}
 *   host → renderer  {id, ok: true, result} | {id, ok: false, error: {message}}
 *   host → renderer  {event: string, payload: unknown}          (pushed events)
 * The token is sent as the `token` query parameter of the WebSocket URL (browsers cannot set headers).
 * Calls made while disconnected wait for the socket; the socket reconnects by itself with backoff.
 */
import { buildApi, type ApiCarrier, type MioDeskApi } from '@shared/api'

export interface BridgeParams {
  url: string
  token: string
}

export interface RequestFrame {
  id: number
  channel: string
  args: unknown[]
}
export type ResponseFrame = { id: number; ok: true; result?: unknown } | { id: number; ok: false; error: { message: string } }
export interface EventFrame {
  event: string
  payload: unknown
}

/** `?bridge=ws://127.0.0.1:PORT/bridge&token=T` (a bare port is accepted too). */
export function readBridgeParams(get: (name: string) => string | null): BridgeParams | null {
  const bridge = get('bridge')
  if (!bridge) return null
  const token = get('token') ?? ''
  let url = bridge
  if (/^\d+$/.test(bridge)) url = `ws://127.0.0.1:${bridge}/bridge`
  else if (!/^wss?:\/\//i.test(bridge)) url = `ws://${bridge}`
  return { url, token }
}

/** The WebSocket URL with the token attached as a query parameter. */
export function bridgeSocketUrl(p: BridgeParams): string {
  const u = new URL(p.url)
  if (p.token && !u.searchParams.has('token')) u.searchParams.set('token', p.token)
  return u.toString()
}

/** Parses one incoming frame; returns null for anything malformed. */
export function parseFrame(text: string): ResponseFrame | EventFrame | null {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return null
  }
  if (!v || typeof v !== 'object') return null
  const o = v as Record<string, unknown>
  if (typeof o.event === 'string') return { event: o.event, payload: o.payload }
  if (typeof o.id === 'number' && typeof o.ok === 'boolean') {
    if (o.ok) return { id: o.id, ok: true, result: o.result }
    const err = o.error as { message?: unknown } | undefined
    return { id: o.id, ok: false, error: { message: typeof err?.message === 'string' ? err.message : 'Request failed' } }
  }
  return null
}

type SocketLike = Pick<WebSocket, 'send' | 'close' | 'readyState'> & {
  onopen: ((ev: Event) => unknown) | null
  onclose: ((ev: CloseEvent) => unknown) | null
  onerror: ((ev: Event) => unknown) | null
  onmessage: ((ev: MessageEvent) => unknown) | null
}

export interface BridgeCarrierOptions {
  createSocket?: (url: string) => SocketLike
  /** How long a call may wait for an answer (ms). */
  callTimeoutMs?: number
}

export function createBridgeCarrier(p: BridgeParams, opts: BridgeCarrierOptions = {}): ApiCarrier & { close(): void } {
  const createSocket = opts.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike)
  const callTimeoutMs = opts.callTimeoutMs ?? 120_000
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const queue: string[] = []
  let nextId = 1
  let ws: SocketLike | null = null
  let open = false
  let closed = false
  let attempt = 0

  function connect(): void {
    if (closed) return
    const sock = createSocket(bridgeSocketUrl(p))
    ws = sock
    sock.onopen = () => {
      open = true
      attempt = 0
      while (queue.length) sock.send(queue.shift()!)
    }
    sock.onmessage = (ev: MessageEvent) => {
      const f = parseFrame(typeof ev.data === 'string' ? ev.data : String(ev.data))
      if (!f) return
      if ('event' in f) {
        for (const l of listeners.get(f.event) ?? []) {
          try {
            l(f.payload)
          } catch (e) {
            console.error('bridge listener failed', e)
          }
        }
        return
      }
      const w = pending.get(f.id)
      if (!w) return
      pending.delete(f.id)
      clearTimeout(w.timer)
      if (f.ok) w.resolve(f.result)
      else w.reject(new Error(f.error.message))
    }
    sock.onerror = () => {}
    sock.onclose = () => {
      const wasOpen = open
      open = false
      if (ws !== sock) return
      ws = null
      // In-flight calls cannot be answered by a new socket: fail them in words.
      for (const [id, w] of pending) {
        if (wasOpen) {
          pending.delete(id)
          clearTimeout(w.timer)
          w.reject(new Error('The connection to the MioDesk host was lost.'))
        }
      }
      if (closed) return
      attempt++
      const delay = Math.min(10_000, 300 * 2 ** Math.min(attempt, 6))
      setTimeout(connect, delay)
    }
  }
  connect()

  return {
    invoke(channel, args) {
      const id = nextId++
      const frame: RequestFrame = { id, channel, args }
      const text = JSON.stringify(frame)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error('The MioDesk host did not answer in time.'))
        }, callTimeoutMs)
        pending.set(id, { resolve, reject, timer })
        if (open && ws) ws.send(text)
        else queue.push(text)
      })
    },
    subscribe(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener)
      return () => set!.delete(listener)
    },
    close() {
      closed = true
      ws?.close()
    }
  }
}

export function createBridgeApi(p: BridgeParams, opts?: BridgeCarrierOptions): MioDeskApi {
  return buildApi(createBridgeCarrier(p, opts))
}
