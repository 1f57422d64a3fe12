/**
 * A Mio-Chat account on today's Socket.IO server generation, through the generic account interface, against
 * the reference server with v2 on: the user types only host:port; the generation is detected and kept; a wrong
 * code is refused in words at once; the bot answers; an AI reply streams through the one stream path; a tool that
 * asks first is approved once and denied once; the server's generation is detected per account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { MemoryStore, plaintextSecretBox } from '../../src/core/storage/storage'
import type { AccountInfo, StreamDelta } from '../../src/shared/api'
import type { ChatMessage } from '../../src/shared/mio'
import type { MioGeneration } from '../../src/core/protocols/mio/detect'
import { until } from '../unit/storage/link-helpers'

let server: RunningServer
let core: AppCore
let store: MemoryStore
const messages: ChatMessage[] = []
const deltas: StreamDelta[] = []

beforeAll(async () => {
  server = await startServer({ port: 0, adminCode: 'v2-admin', userCode: 'v2-user', chunkDelayMs: 2, mioV2: true })
  store = new MemoryStore()
  core = new AppCore({ store, secrets: plaintextSecretBox, host: 'browser', version: 'test', openExternal: async () => {}, streamFlushMs: 16 })
  core.events.on('message', (p) => messages.push(p.message))
  core.events.on('stream', (d) => deltas.push(d))
})
afterAll(async () => {
  await core?.stop()
  await server?.close()
})

const reply = async (acc: AccountInfo, contactId: string, prompt: string): Promise<ChatMessage> => {
  const { replyMessage } = await core.mio.complete(acc.id, contactId, prompt)
  return replyMessage
}
const final = (acc: AccountInfo, contactId: string, id: string): ChatMessage | undefined => {
  const m = core.history.get(acc.id, contactId, id)
  return m?.ai && m.ai.status !== 'pending' && m.ai.status !== 'streaming' ? m : undefined
}

describe('Mio-Chat v2 account', () => {
  let acc: AccountInfo
  it('a wrong code is refused in words at once; host:port finds the Socket.IO generation and keeps it', async () => {
    const t0 = Date.now()
    await expect(core.accounts.add('mio', { server: `127.0.0.1:${server.port}`, id: '15432', token: 'wrong' })).rejects.toThrow(/code|refused|credential/i)
    expect(Date.now() - t0).toBeLessThan(5000)
    acc = await core.accounts.add('mio', { server: `127.0.0.1:${server.port}`, id: '15432', token: 'v2-admin' })
    expect(acc.status.state).toBe('online')
    expect(acc.login?.dialect).toBe('v2')
    expect(acc.login?.isAdmin).toBe(true)
    expect(acc.login?.providers?.length).toBeGreaterThan(0)
    expect(store.get<{ generation?: string }[]>('accounts')![0]!.generation).toBe('v2')
  })

  it('declares what the bot conversation can do on this generation (no client recall)', () => {
    const bot = core.mio.contactList(acc.id).find((c) => c.kind === 'bot')!
    expect(bot.capabilities.recall).toBe(false)
    expect(bot.capabilities.send).toContain('text')
  })

  it('the bot answers a message sent through the outbox', async () => {
    const sent = await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'hello v2' } }])
    expect(sent.status).toBe('sent')
    await until(() => messages.some((m) => !m.self && m.contactId === 'bot' && JSON.stringify(m.segments).includes('hello v2')), 5000, 'the echo')
  })

  it('an AI reply streams as deltas through the one path and is stored whole at its end', async () => {
    const llm = core.mio.contactList(acc.id).find((c) => c.kind === 'llm')!
    const r = await reply(acc, llm.id, 'what time is it')
    await until(() => !!final(acc, llm.id, r.id), 15_000, 'the reply')
    const done = final(acc, llm.id, r.id)!
    expect(done.ai!.status).toBe('completed')
    expect(done.ai!.text.length).toBeGreaterThan(0)
    expect(deltas.some((d) => d.messageId === r.id)).toBe(true)
  })

  it('a tool that asks first: approved once (it runs), denied once (the refusal is reported), each through mio:answer', async () => {
    const llm = core.mio.contactList(acc.id).find((c) => c.kind === 'llm')!
    for (const approve of [true, false]) {
      const r = await reply(acc, llm.id, 'run `echo mio-approval-test`')
      await until(() => deltas.some((d) => d.messageId === r.id && d.approval && d.approval.state === 'waiting'), 10_000, 'the question')
      const q = deltas.filter((d) => d.messageId === r.id && d.approval).pop()!.approval!
      expect(q.command).toContain('echo mio-approval-test')
      await core.mio.answer(acc.id, llm.id, r.id, approve, approve ? undefined : 'not now')
      await until(() => !!final(acc, llm.id, r.id), 15_000, 'the reply after the answer')
      const done = final(acc, llm.id, r.id)!
      const call = done.ai!.toolCalls.find((t) => t.name.startsWith('bash'))!
      expect(call).toBeDefined()
      if (approve) {
        expect(call.state).toBe('finished')
        expect(JSON.stringify(call.result)).toContain('mio-approval-test')
      } else {
        expect(call.state).toBe('failed')
        expect(call.error).toMatch(/not now/)
      }
      await expect(core.mio.answer(acc.id, llm.id, r.id, true)).rejects.toThrow('That question is no longer open')
    }
  }, 60_000)

  it('"always for this tool": the question names the tool, the contact keeps it, and the next question is answered yes by itself', async () => {
    const llm = core.mio.contactList(acc.id).find((c) => c.kind === 'llm')!
    const first = await reply(acc, llm.id, 'run `echo always-one`')
    await until(() => deltas.some((d) => d.messageId === first.id && d.approval?.state === 'waiting'), 10_000, 'the first question')
    const q = deltas.filter((d) => d.messageId === first.id && d.approval).pop()!.approval!
    expect(q.tool).toBe('bash')
    await core.mio.answer(acc.id, llm.id, first.id, true, undefined, true)
    expect(core.mio.contactList(acc.id).find((c) => c.id === llm.id)!.llm!.alwaysAllow).toEqual(['bash'])
    await until(() => !!final(acc, llm.id, first.id), 15_000, 'the first reply')

    const second = await reply(acc, llm.id, 'run `echo always-two`')
    // Nobody answers (unanswered, the server would wait for ever): the contact's rule does, and the command runs.
    await until(() => !!final(acc, llm.id, second.id), 15_000, 'the second reply, answered by itself')
    const call = final(acc, llm.id, second.id)!.ai!.toolCalls.find((t) => t.name.startsWith('bash'))!
    expect(call.state).toBe('finished')
    expect(JSON.stringify(call.result)).toContain('always-two')
  }, 60_000)

  it('lists the server\'s presets to start a model chat with (system prompt, model, tools by base name)', async () => {
    const presets = await core.mio.presets(acc.id)
    expect(presets.map((p) => p.name)).toEqual(['MioDesk 助手', '终端演示'])
    expect(presets[1]!.tools).toEqual(['bash'])
    expect(presets[0]!.systemPrompt).toMatch(/demo assistant/)
    expect(presets[0]!.opening).toMatch(/Hello/)
    expect(core.accounts.list().find((a) => a.id === acc.id)!.capabilities.presets).toBe(true)
  })
})

describe('a server upgraded under an account', () => {
  it('an account of the raw-WebSocket generation whose server now answers as Socket.IO is re-checked and switched over', async () => {
    const srv = await startServer({ port: 0, adminCode: 'a2', userCode: 'u2', chunkDelayMs: 2, mioV2: true })
    let generation: MioGeneration = 'v1'
    const c = new AppCore({
      store: new MemoryStore(),
      secrets: plaintextSecretBox,
      host: 'browser',
      version: 'test',
      openExternal: async () => {},
      detect: async () => generation,
      recheckMs: 0,
      clientOptions: { backoff: { baseMs: 50, maxMs: 200, factor: 2, jitter: 0 } },
      v2Options: { backoff: { baseMs: 50, maxMs: 200, factor: 2, jitter: 0 } }
    })
    try {
      const a = await c.accounts.add('mio', { server: `127.0.0.1:${srv.port}`, id: '15433', token: 'u2' })
      expect(a.login?.dialect).toBe('spec')
      // The server is "upgraded": it restarts, and now answers the probe as the Socket.IO generation.
      generation = 'v2'
      await srv.close()
      const again = await startServer({ port: srv.port, adminCode: 'a2', userCode: 'u2', chunkDelayMs: 2, mioV2: true })
      try {
        await until(() => c.accounts.list()[0]?.login?.dialect === 'v2' && c.accounts.list()[0]?.status.state === 'online', 15_000, 'the switch to v2')
        const sent = await c.accounts.send(a.id, 'bot', [{ type: 'text', data: { text: 'after the upgrade' } }])
        expect(sent.status).toBe('sent')
      } finally {
        await again.close()
      }
    } finally {
      await c.stop()
    }
  }, 30_000)
})

describe('a dropped link mid-reply (v2 resume)', () => {
  it('the reply is picked back up after the reconnect and ends completed with its whole text, then acknowledged', async () => {
    const { startProxy } = await import('../unit/storage/link-helpers')
    const srv = await startServer({ port: 0, adminCode: 'a3', userCode: 'u3', chunkDelayMs: 15, mioV2: true })
    const proxy = await startProxy(srv.port)
    const c = new AppCore({
      store: new MemoryStore(),
      secrets: plaintextSecretBox,
      host: 'browser',
      version: 'test',
      openExternal: async () => {},
      v2Options: { backoff: { baseMs: 50, maxMs: 200, factor: 2, jitter: 0 } }
    })
    const seen: StreamDelta[] = []
    c.events.on('stream', (d) => seen.push(d))
    try {
      const a = await c.accounts.add('mio', { server: `127.0.0.1:${proxy.port}`, id: '15434', token: 'u3' })
      expect(a.login?.dialect).toBe('v2')
      const llm = c.mio.contactList(a.id).find((x) => x.kind === 'llm')!
      const { replyMessage } = await c.mio.complete(a.id, llm.id, 'write something long')
      await until(() => seen.filter((d) => d.messageId === replyMessage.id && d.textAppend).length >= 3, 10_000, 'the reply to start')
      proxy.cut()
      const done = (): ChatMessage | undefined => {
        const m = c.history.get(a.id, llm.id, replyMessage.id)
        return m?.ai && m.ai.status !== 'pending' && m.ai.status !== 'streaming' ? m : undefined
      }
      await until(() => !!done(), 30_000, 'the reply to end')
      expect(done()!.ai!.status).toBe('completed')
      expect(done()!.ai!.text.length).toBeGreaterThan(200)
    } finally {
      await c.stop()
      await proxy.close()
      await srv.close()
    }
  }, 60_000)
})
