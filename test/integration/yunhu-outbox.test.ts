/**
 * The outbox for a Yunhu account, against the reference server behind a cuttable proxy (HTTP and the
 * push socket go through it): messages written offline wait and go out in order, and a burst of 1,000
 * sends with the link cut three times reaches the server exactly once each, in order — the client's
 * msg_id makes every resend idempotent. Counted on the server itself (its message list).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { AppCore } from '../../src/core/app-core'
import { YunhuApi } from '../../src/core/protocols/yunhu/api'
import { YunhuHttp } from '../../src/core/protocols/yunhu/http'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { plaintextSecretBox } from '../../src/core/storage/storage'
import type { ChatMessage } from '../../src/shared/mio'
import { draftSegments } from '../../src/shared/model/compose'
import { YunhuChatType } from '../../src/shared/yunhu'
import { until } from '../unit/storage/link-helpers'
import { proxiedYunhu } from './yunhu-proxied'

const EMAIL = 'demo@miodesk.local'
const PASSWORD = 'outbox-pw-1'
const FRIEND = '1000002'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function setup() {
  const { server, proxy, history, store, core, acc } = await proxiedYunhu(cleanups, { email: EMAIL, password: PASSWORD, prefix: 'miodesk-yh-outbox-' })
  const token = plaintextSecretBox.decrypt(store.get<{ secret: string }[]>('yunhu-accounts')![0]!.secret)
  // Straight to the server, not through the proxy: what it stored.
  const direct = new YunhuApi(new YunhuHttp({ baseUrl: `http://127.0.0.1:${server.port}`, token }))
  const onServer = async (): Promise<string[]> => {
    const all = new Map<string, { seq: number; text: string }>()
    let before: string | undefined
    for (;;) {
      const page = await direct.listMessages({ chatId: FRIEND, chatType: YunhuChatType.User, count: 100, beforeMsgId: before })
      for (const d of page.data) all.set(d.msg_id!, { seq: Number(d.msg_seq), text: d.content?.text ?? '' })
      if (page.data.length < 100) break
      before = page.data.reduce((a, d) => (Number(d.msg_seq) < Number(a.msg_seq) ? d : a)).msg_id
    }
    return [...all.values()].sort((a, b) => a.seq - b.seq).map((x) => x.text)
  }
  return { server, proxy, history, core, acc, onServer }
}

const send = (core: AppCore, accountId: string, text: string): Promise<ChatMessage> => core.accounts.send(accountId, FRIEND, draftSegments({ format: 'text', text }))
const mine = (h: SqliteHistory, accountId: string): ChatMessage[] => h.list(accountId, FRIEND, undefined, 1_000_000).filter((m) => m.self)

describe('Yunhu outbox', () => {
  it('messages written while the link is down are pending, then go out in order, once each', async () => {
    const { proxy, history, core, acc, onServer } = await setup()
    proxy.setDown(true)
    proxy.cut()
    await until(() => core.accounts.list()[0]!.status.state !== 'online', 5000, 'the link to drop')
    const pending: ChatMessage[] = []
    for (let i = 0; i < 20; i++) pending.push(await send(core, acc.id, `queued-${String(i).padStart(2, '0')}`))
    expect(pending.every((m) => m.status === 'sending')).toBe(true)
    expect(history.outboxList(acc.id).map((e) => e.messageId)).toEqual(pending.map((m) => m.id))
    expect((await onServer()).filter((t) => t.startsWith('queued-'))).toEqual([])
    proxy.setDown(false)
    await until(() => history.outboxList(acc.id).length === 0, 15_000, 'the outbox to drain')
    expect((await onServer()).filter((t) => t.startsWith('queued-'))).toEqual(pending.map((_, i) => `queued-${String(i).padStart(2, '0')}`))
    expect(mine(history, acc.id).every((m) => m.status === 'sent')).toBe(true)
  }, 30_000)

  it('1,000 sends with the link cut three times: each reaches the server exactly once, in order, by itself', async () => {
    const { proxy, history, core, acc, onServer } = await setup()
    const N = 1000
    const texts = Array.from({ length: N }, (_, i) => `burst-${String(i).padStart(4, '0')}`)
    let sent = 0
    let cuts = 0
    const cutsAt = new Set([150, 450, 750])
    core.events.on('message', (p) => {
      if (!p.message.self || p.message.status !== 'sent') return
      if (cutsAt.has(++sent)) {
        cuts++
        // The first cut loses the request; the others lose the server's answer (the message was stored).
        const loseReply = cuts > 1
        setImmediate(() => {
          if (loseReply) proxy.cutOnNextReply()
          else proxy.cut()
          proxy.setDown(true)
          setTimeout(() => proxy.setDown(false), 150)
        })
      }
    })
    const results = await Promise.all(texts.map((t) => send(core, acc.id, t)))
    expect(results).toHaveLength(N)
    await until(() => history.outboxList(acc.id).length === 0 && mine(history, acc.id).every((m) => m.status !== 'sending'), 80_000, 'the outbox to drain')
    expect(cuts).toBe(3)
    const msgs = mine(history, acc.id)
    expect(msgs).toHaveLength(N)
    expect(msgs.filter((m) => m.status !== 'sent')).toEqual([])
    // Exactly once each, in the order they were written.
    expect((await onServer()).filter((t) => t.startsWith('burst-'))).toEqual(texts)
  }, 120_000)
})
