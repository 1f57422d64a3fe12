/** A spec server that never answers a send must not block the outbox forever. */
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { AppCore } from '../../src/core/app-core'
import { AMBIGUOUS_SEND_ERROR, MAX_AUTO_ATTEMPTS } from '../../src/core/accounts/outbox'
import { MemoryStore, plaintextSecretBox } from '../../src/core/storage/storage'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

describe('outbox with a server that never confirms a send', () => {
  it(`resends under the same message_id ${MAX_AUTO_ATTEMPTS} times, then marks it failed with a retry, and the next message still goes out`, async () => {
    const seen: unknown[] = []
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    cleanups.push(() => new Promise((r) => wss.close(r)))
    wss.on('connection', (ws: WebSocket) => {
      ws.on('message', (raw) => {
        const f = JSON.parse(String(raw))
        const reply = (data: unknown): void => ws.send(JSON.stringify({ request_id: f.request_id, code: 0, message: 'success', data }))
        if (f.protocol === 'system' && f.type === 'login') reply({ is_admin: false, admin_qq: '1', bot_qq: '2' })
        else if (f.protocol === 'system' && f.type === 'heartbeat') reply({ delay: 0 })
        else if (f.protocol === 'onebot' && f.type === 'message') {
          const text = f.data.data.message[0].data.text
          seen.push(f.data.data.message_id)
          if (text !== 'stuck') reply({ message_id: f.data.data.message_id })
        }
      })
    })
    await new Promise((r) => wss.once('listening', r))
    const port = (wss.address() as { port: number }).port
    const core = new AppCore({
      store: new MemoryStore(),
      secrets: plaintextSecretBox,
      host: 'browser',
      version: 'test',
      openExternal: async () => {},
      clientOptions: { requestTimeoutMs: 150, heartbeatIntervalMs: 60_000 }
    })
    cleanups.push(() => core.stop())
    const acc = await core.mio.add({ server: `ws://127.0.0.1:${port}`, id: '9', token: 'x' })
    const stuck = await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'stuck' } }])
    const next = await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'after' } }])
    expect(stuck.status).toBe('failed')
    expect(stuck.error).toBe(AMBIGUOUS_SEND_ERROR)
    expect(next.status).toBe('sent')
    const stuckIds = seen.slice(0, MAX_AUTO_ATTEMPTS)
    expect(seen).toHaveLength(MAX_AUTO_ATTEMPTS + 1)
    expect(new Set(stuckIds).size).toBe(1) // every attempt carried the same client message_id
    expect(core.mio.outboxOf(acc.id)).toEqual([])
  })
})
