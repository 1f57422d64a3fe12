/** Test helpers for the outbox and offline tests: a cuttable TCP proxy and an observer of the bot's echoes. */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { MioClient } from '../../../src/core/protocols/mio/client'

export interface LinkProxy {
  port: number
  /** Destroys every proxied connection at once, both directions (data in flight is lost either way). */
  cut(): void
  /** While down, new connections are closed at once (the server looks unreachable). */
  setDown(down: boolean): void
  /** Cuts the link when the server next sends something, dropping that data (a reply lost on the way back). */
  cutOnNextReply(): void
  /** While set, client→server bytes are swallowed (a request is lost before the server sees it). */
  setBlackholeUp(on: boolean): void
  close(): Promise<void>
}

export async function startProxy(targetPort: number): Promise<LinkProxy> {
  const conns = new Set<Socket>()
  let down = false
  let blackhole = false
  let cutOnReply = false
  const server: Server = createServer((c) => {
    if (down) {
      c.destroy()
      return
    }
    const u = connect(targetPort, '127.0.0.1')
    c.setNoDelay(true)
    u.setNoDelay(true)
    conns.add(c)
    conns.add(u)
    const kill = (): void => {
      c.destroy()
      u.destroy()
      conns.delete(c)
      conns.delete(u)
    }
    c.on('data', (d) => {
      if (!blackhole) u.write(d)
    })
    u.on('data', (d) => {
      if (cutOnReply) {
        cutOnReply = false
        cut()
        return
      }
      c.write(d)
    })
    for (const s of [c, u]) {
      s.on('error', kill)
      s.on('close', kill)
    }
  })
  const cut = (): void => {
    for (const s of [...conns]) s.destroy()
    conns.clear()
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return {
    port,
    cut,
    cutOnNextReply() {
      cutOnReply = true
    },
    setDown(d) {
      down = d
    },
    setBlackholeUp(on) {
      blackhole = on
    },
    async close() {
      for (const s of [...conns]) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
}

/**
 * A second session of the same user, connected straight to the server: the bot echoes every message it
 * receives to all sessions of the sender, so this counts what reached the server, per text, in order.
 */
export async function startObserver(serverPort: number, id: string, token: string): Promise<{ counts: Map<string, number>; order: string[]; stop(): void }> {
  const client = new MioClient({ server: `ws://127.0.0.1:${serverPort}`, id, token, heartbeatIntervalMs: 1000 })
  const counts = new Map<string, number>()
  const order: string[] = []
  client.on('message', (m) => {
    const text = m.segments.map((s) => (s.type === 'text' ? String(s.data.text ?? '') : '')).join('')
    counts.set(text, (counts.get(text) ?? 0) + 1)
    order.push(text)
  })
  await client.connect()
  return { counts, order, stop: () => client.stop() }
}

export async function until(cond: () => boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Waits until `value()` has not changed for `quietMs`. */
export async function settled(value: () => number, quietMs = 400, ms = 20_000): Promise<void> {
  const t0 = Date.now()
  let last = value()
  let since = Date.now()
  while (Date.now() - since < quietMs) {
    if (Date.now() - t0 > ms) throw new Error('never settled')
    await new Promise((r) => setTimeout(r, 25))
    const v = value()
    if (v !== last) {
      last = v
      since = Date.now()
    }
  }
}
