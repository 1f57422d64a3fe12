/**
 * Plumbing the reference server's WebSocket hubs share (Mio-Chat `/api/gateway`, Yunhu `/ws`): an
 * endpoint on a noServer WebSocketServer that refuses upgrades once it is closing and shuts down with
 * 1001 close frames (then cuts whatever is left), and timers that die with the server.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'

export interface WsEndpoint {
  /** True once close() was called. */
  readonly closed: boolean
  /** For server.registerUpgrade: destroys the socket once closed, else completes the upgrade. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /**
   * Refuses new upgrades, sends every session "1001 server shutting down", gives the close frames
   * 50 ms to leave, terminates the sessions still in `sessions` (a live set) and closes the server.
   */
  close(sessions: Iterable<{ ws: WebSocket }>): Promise<void>
}

export function createWsEndpoint(opts: { maxPayload: number; onConnection: (ws: WebSocket, req: IncomingMessage) => void }): WsEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload, perMessageDeflate: false })
  let closed = false
  return {
    get closed() {
      return closed
    },
    handleUpgrade(req, socket, head) {
      if (closed) {
        socket.destroy()
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => opts.onConnection(ws, req))
    },
    async close(sessions) {
      closed = true
      for (const s of sessions) {
        try {
          s.ws.close(1001, 'server shutting down')
        } catch {
          s.ws.terminate()
        }
      }
      // Give the close frames a moment to leave, then cut whatever is left.
      await new Promise((r) => setTimeout(r, 50))
      for (const s of sessions) s.ws.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    }
  }
}

export interface Timers {
  /** Runs `fn` after `ms` unless the timers were cleared; what it throws goes to `onError`. */
  later(ms: number, fn: () => void): void
  /** Cancels every pending timer; later() does nothing from then on. */
  clear(): void
}

export function createTimers(onError: (err: unknown) => void): Timers {
  const timers = new Set<NodeJS.Timeout>()
  let cleared = false
  return {
    later(ms, fn) {
      if (cleared) return
      const t = setTimeout(() => {
        timers.delete(t)
        try {
          fn()
        } catch (err) {
          onError(err)
        }
      }, ms)
      timers.add(t)
    },
    clear() {
      cleared = true
      for (const t of timers) clearTimeout(t)
      timers.clear()
    }
  }
}
