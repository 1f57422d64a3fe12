/**
 * The outbox against the reference server: a burst of 1,000 sends with the link dropped in the middle,
 * counted by a second session of the same user (the bot echoes every stored message to all of them).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'
import { MioClient } from '../../src/core/protocols/mio/client'
import { AppCore, type AppCoreOptions } from '../../src/core/app-core'
import { AMBIGUOUS_SEND_ERROR } from '../../src/core/accounts/outbox'
import { clientMessageId } from '../../src/core/accounts/mio/provider'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { MemoryStore, plaintextSecretBox } from '../../src/core/storage/storage'
import type { ChatMessage } from '../../src/shared/mio'
import { settled, startObserver, startProxy, until, type LinkProxy } from '../unit/storage/link-helpers'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function setup(id: string, extra: Partial<AppCoreOptions> = {}) {
  const server: RunningServer = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 1 })
  cleanups.push(() => server.close())
  const proxy: LinkProxy = await startProxy(server.port)
  cleanups.push(() => proxy.close())
  const dir = mkdtempSync(join(tmpdir(), 'miodesk-outbox-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const history = new SqliteHistory(join(dir, 'history.sqlite'))
  cleanups.push(() => history.close())
  const core = new AppCore({
    store: new MemoryStore(),
    secrets: plaintextSecretBox,
    history,
    host: 'browser',
    version: 'test',
    openExternal: async () => {},
    clientOptions: { heartbeatIntervalMs: 500, backoff: { baseMs: 40, maxMs: 200, factor: 2, jitter: 0 } },
    ...extra
  })
  cleanups.push(() => core.stop())
  const observer = await startObserver(server.port, id, 'u')
  cleanups.push(() => observer.stop())
  const acc = await core.mio.add({ server: `ws://127.0.0.1:${proxy.port}`, id, token: 'u' })
  return { server, proxy, history, core, observer, acc }
}

const text = (m: ChatMessage): string => m.segments.map((s) => String(s.data.text ?? '')).join('')
const mine = (h: SqliteHistory, accountId: string): ChatMessage[] => h.list(accountId, 'bot', undefined, 1_000_000).filter((m) => m.self)

describe('outbox', () => {
  async function burst(id: string, dedupe: boolean): Promise<void> {
    const { proxy, history, core, observer, acc } = await setup(id, { serverDedupesMessageIds: dedupe })
    const N = 1000
    const texts = Array.from({ length: N }, (_, i) => `burst-${String(i).padStart(4, '0')}`)
    let sent = 0
    const cutsAt = new Set([150, 450, 750])
    let cuts = 0
    core.events.on('message', (p) => {
      if (!p.message.self || p.message.status !== 'sent') return
      if (cutsAt.has(++sent)) {
        cuts++
        // Drop the link mid-burst while the next send is on the wire — first losing the request, then
        // twice losing what the server sends back (the request may have been stored) — keep it down a
        // moment, then let it back.
        const loseReply = cuts > 1
        setImmediate(() => {
          if (loseReply) proxy.cutOnNextReply()
          else proxy.cut()
          proxy.setDown(true)
          setTimeout(() => proxy.setDown(false), 150)
        })
      }
    })
    const results = await Promise.all(texts.map((t) => core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: t } }])))
    expect(results).toHaveLength(N)
    await until(() => core.mio.outboxOf(acc.id).length === 0 && mine(history, acc.id).every((m) => m.status !== 'sending'), 60_000, 'the outbox to drain')
    await settled(() => observer.order.length)

    const msgs = mine(history, acc.id)
    expect(msgs).toHaveLength(N) // one local copy per send, none lost or doubled
    expect(cuts).toBe(3)
    const failed = msgs.filter((m) => m.status === 'failed')
    if (process.env.OUTBOX_DEBUG) console.log('ambiguous', failed.length, failed.map((m) => observer.counts.get(text(m)) ?? 0))
    // Never twice: nothing reached the server more than once.
    for (const t of texts) expect(observer.counts.get(t) ?? 0).toBeLessThanOrEqual(1)
    // Every message marked sent reached it exactly once.
    for (const m of msgs.filter((x) => x.status === 'sent')) expect(observer.counts.get(text(m))).toBe(1)
    // Only a send on the wire when the link dropped is ambiguous (at most one per cut). With a server
    // that deduplicates client ids it was resent by itself; otherwise it is failed, retryable.
    if (dedupe) expect(failed).toEqual([])
    else expect(failed.length).toBeLessThanOrEqual(cuts)
    for (const m of failed) expect(m.error).toBe(AMBIGUOUS_SEND_ERROR)
    // In order: the server received them in the order they were sent.
    const seen = observer.order.filter((t) => t.startsWith('burst-'))
    expect(seen).toEqual([...seen].sort())

    // The user retries the ambiguous ones that did not arrive; then every message is there exactly once.
    for (const m of failed) if (!observer.counts.get(text(m))) expect((await core.accounts.retry(acc.id, 'bot', m.id)).status).toBe('sent')
    await settled(() => observer.order.length)
    for (const t of texts) expect(observer.counts.get(t)).toBe(1)
    expect(history.outboxList(acc.id)).toEqual([])
  }

  it('1,000 sends with the link cut three times: each reaches the server exactly once, in order, by itself', () => burst('7001', true), 90_000)

  it('the same burst without automatic resends: ambiguous sends fail, a retry completes the set exactly once', () => burst('7005', false), 90_000)

  it('sends while offline are pending, then go out in order once the link is back', async () => {
    const { proxy, history, core, observer, acc } = await setup('7002')
    proxy.setDown(true)
    proxy.cut()
    await until(() => core.accounts.list()[0]!.status.state === 'reconnecting', 5000, 'reconnecting')
    const pending = []
    for (let i = 0; i < 20; i++) pending.push(await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: `queued-${String(i).padStart(2, '0')}` } }]))
    expect(pending.every((m) => m.status === 'sending')).toBe(true)
    expect(history.outboxList(acc.id).map((e) => e.messageId)).toEqual(pending.map((m) => m.id))
    expect(observer.order).toEqual([])
    proxy.setDown(false)
    await until(() => history.outboxList(acc.id).length === 0, 10_000, 'the outbox to drain')
    await settled(() => observer.order.length)
    expect(observer.order).toEqual(pending.map((_, i) => `queued-${String(i).padStart(2, '0')}`))
    const final = mine(history, acc.id)
    expect(final.every((m) => m.status === 'sent' && m.localId?.startsWith('local-'))).toBe(true)
    // The spec dialect carries the stable client message_id; the server kept it.
    expect(final.map((m) => m.id)).toEqual(pending.map((m) => String(clientMessageId(acc.id, m.id))))
  }, 30_000)

  it('with a deduplicating server, resends an ambiguous send by itself under the same message_id', async () => {
    const { proxy, history, core, observer, acc } = await setup('7003', { serverDedupesMessageIds: true })
    // The request is lost on the way (the server never sees it) and the link then drops: ambiguous to the client.
    proxy.setBlackholeUp(true)
    const p = core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'lost-then-resent' } }])
    await until(() => history.outboxList(acc.id)[0]?.inFlight === true, 5000, 'the send to be on the wire')
    await new Promise((r) => setTimeout(r, 100))
    proxy.setBlackholeUp(false)
    proxy.cut()
    const m = await p
    await until(() => history.outboxList(acc.id).length === 0, 10_000, 'the resend')
    await settled(() => observer.order.length)
    const final = history.find(acc.id, String(clientMessageId(acc.id, m.id))) ?? history.find(acc.id, m.id)
    expect(final?.status).toBe('sent')
    expect(observer.counts.get('lost-then-resent')).toBe(1)
  }, 30_000)

  it('the reference server answers a repeated client message_id with the stored id, storing and echoing it once', async () => {
    const server = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 1 })
    cleanups.push(() => server.close())
    const observer = await startObserver(server.port, '7004', 'u')
    cleanups.push(() => observer.stop())
    const c = new MioClient({ server: `ws://127.0.0.1:${server.port}`, id: '7004', token: 'u' })
    cleanups.push(() => c.stop())
    const login = await c.connect()
    const seg = [{ type: 'text', data: { text: 'twice' } }]
    const first = await c.sendMessage(login.botQq, seg, 123456789012345)
    const second = await c.sendMessage(login.botQq, seg, 123456789012345)
    expect(first).toBe('123456789012345')
    expect(second).toBe(first)
    await settled(() => observer.order.length)
    expect(observer.counts.get('twice')).toBe(1)
  })
})
