/** The shared outbox pump with a scripted link: order, parking, ambiguous resends, refusals, shutdown. */
import { describe, expect, it } from 'vitest'
import { AMBIGUOUS_SEND_ERROR, MAX_AUTO_ATTEMPTS, OutboxPump, type OutboxLink, type SendFailure } from '../../../src/core/accounts/outbox'
import { silentLogger } from '../../../src/core/log'
import { MemoryHistory, MemoryOutbox, type OutboxEntry } from '../../../src/core/storage/history'
import type { ChatMessage } from '../../../src/shared/mio'

type Outcome = 'ok' | SendFailure
class ScriptedLink implements OutboxLink {
  online = true
  dedupes = true
  sent: string[] = []
  /** Per call, what happens (default ok). */
  script: Outcome[] = []
  isOnline = (): boolean => this.online
  resendsAmbiguous = (): boolean => this.dedupes
  async transmit(m: ChatMessage, e: OutboxEntry): Promise<ChatMessage> {
    await new Promise((r) => setTimeout(r, 1))
    const o = this.script.shift() ?? 'ok'
    if (o !== 'ok') throw o
    this.sent.push(`${e.clientId}:${String(m.segments[0]?.data.text)}`)
    return { ...m, id: `s-${m.id}`, localId: m.id, status: 'sent' }
  }
  classify = (err: unknown): SendFailure => err as SendFailure
}

function setup() {
  const history = new MemoryHistory()
  const outbox = new MemoryOutbox(history)
  const link = new ScriptedLink()
  const events: ChatMessage[] = []
  const pump = new OutboxPump('acc', link, outbox, history, ((_e: string, p: { message: ChatMessage }) => events.push(p.message)) as never, silentLogger)
  let n = 0
  const msg = (text: string): ChatMessage => ({ id: `l${n}`, contactId: 'c', self: true, time: ++n, segments: [{ type: 'text', data: { text } }], status: 'sending' })
  return { history, outbox, link, pump, events, msg }
}

describe('OutboxPump', () => {
  it('sends in order, one at a time, and settles each with what the link returns', async () => {
    const { pump, link, history, msg } = setup()
    const results = await Promise.all(['a', 'b', 'c'].map((t) => { const m = msg(t); return pump.enqueue(m, `id-${t}`) }))
    expect(results.map((m) => [m.id, m.status])).toEqual([['s-l0', 'sent'], ['s-l1', 'sent'], ['s-l2', 'sent']])
    expect(link.sent).toEqual(['id-a:a', 'id-b:b', 'id-c:c'])
    expect(pump.entries()).toEqual([])
    expect(history.find('acc', 'l0')).toBeUndefined() // the local copy was replaced by the server's id
  })

  it('while offline, a send resolves at once with the pending copy and goes out when pumped online', async () => {
    const { pump, link, msg } = setup()
    link.online = false
    const m = await pump.enqueue(msg('later'), 'k')
    expect(m.status).toBe('sending')
    expect(link.sent).toEqual([])
    link.online = true
    await pump.pump()
    expect(link.sent).toEqual(['k:later'])
    expect(pump.entries()).toEqual([])
  })

  it('an ambiguous send is resent under the same client id when the server dedupes, up to the cap', async () => {
    const { pump, link, msg } = setup()
    link.script = [{ kind: 'ambiguous' }, { kind: 'ambiguous' }]
    const m = await pump.enqueue(msg('again'), 'same')
    expect(m.status).toBe('sent')
    expect(link.sent).toEqual(['same:again'])
    link.script = Array.from({ length: MAX_AUTO_ATTEMPTS }, () => ({ kind: 'ambiguous' as const }))
    const stuck = await pump.enqueue(msg('never'), 'x')
    expect(stuck.status).toBe('failed')
    expect(stuck.error).toBe(AMBIGUOUS_SEND_ERROR)
  })

  it('without dedupe an ambiguous send fails with a retry, and a refusal fails with its words; the queue goes on', async () => {
    const { pump, link, msg } = setup()
    link.dedupes = false
    link.script = [{ kind: 'ambiguous' }, { kind: 'refused', message: 'Too long' }]
    const [a, b, c] = await Promise.all([pump.enqueue(msg('a'), '1'), pump.enqueue(msg('b'), '2'), pump.enqueue(msg('c'), '3')])
    expect([a.status, a.error]).toEqual(['failed', AMBIGUOUS_SEND_ERROR])
    expect([b.status, b.error]).toEqual(['failed', 'Too long'])
    expect(c.status).toBe('sent')
  })

  it('a send that never left (offline) is parked, not failed, and not counted as sent', async () => {
    const { pump, link, msg } = setup()
    link.script = [{ kind: 'offline' }]
    const m = await pump.enqueue(msg('parked'), 'p')
    expect(m.status).toBe('sending')
    expect(pump.entries()).toMatchObject([{ messageId: m.id, inFlight: false }])
    await pump.pump()
    expect(link.sent).toEqual(['p:parked'])
  })

  it('close() resolves waiting sends with the pending copy and sends nothing more', async () => {
    const { pump, link, msg } = setup()
    link.online = false
    const waiting = pump.enqueue(msg('x'), 'x')
    pump.close()
    expect((await waiting).status).toBe('sending')
    link.online = true
    await pump.pump()
    expect(link.sent).toEqual([])
  })
})
