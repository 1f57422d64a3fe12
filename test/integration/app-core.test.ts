import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { forwardNodes } from '../../src/shared/model/parts'
import { startServer, type RunningServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { MemoryStore, type SecretBox } from '../../src/core/storage/storage'
import type { MainEvents, StreamDelta } from '../../src/shared/api'
import type { ChatMessage } from '../../src/shared/mio'

/** A reversible "encryption" so the test can see that the stored secret is not the plaintext. */
const testBox: SecretBox = {
  isSecure: true,
  encrypt: (p) => `enc:${[...p].reverse().join('')}`,
  decrypt: (c) => [...c.slice(4)].reverse().join('')
}

let server: RunningServer
const cores: AppCore[] = []

beforeAll(async () => {
  server = await startServer({ port: 0, adminCode: 'admin-secret-code', userCode: 'user-secret-code', chunkDelayMs: 2, recallDelayMs: 50 })
})
afterAll(async () => {
  await server.close()
})
afterEach(async () => {
  while (cores.length) await cores.pop()!.stop()
})

function makeCore(store = new MemoryStore()): AppCore {
  const core = new AppCore({ store, secrets: testBox, host: 'browser', version: 'test', openExternal: async () => {}, streamFlushMs: 16, clientOptions: { heartbeatIntervalMs: 500 } })
  cores.push(core)
  return core
}

function waitFor<T>(core: AppCore, event: keyof MainEvents, pred: (p: any) => T | undefined, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      core.events.off(event, on as never)
      reject(new Error(`timed out waiting for ${event}`))
    }, ms)
    const on = (p: unknown): void => {
      const r = pred(p)
      if (r !== undefined) {
        clearTimeout(t)
        core.events.off(event, on as never)
        resolve(r)
      }
    }
    core.events.on(event, on as never)
  })
}

const gateway = (): string => server.url.replace('http', 'ws')

describe('AppCore against the reference server', () => {
  it('rejects a wrong access code with words, and stores nothing', async () => {
    const store = new MemoryStore()
    const core = makeCore(store)
    await expect(core.mio.add({ server: gateway(), id: '7', token: 'nope' })).rejects.toThrow(/invalid credentials/i)
    expect(core.accounts.list()).toHaveLength(0)
    expect(store.get('accounts')).toBeUndefined()
  })

  it('validates input before dialing', async () => {
    const core = makeCore()
    await expect(core.mio.add({ server: '', id: '1', token: 'x' })).rejects.toThrow(/server address/i)
    await expect(core.mio.add({ server: 'ftp://x', id: '1', token: 'x' })).rejects.toThrow(/not valid/i)
    await expect(core.mio.add({ server: gateway(), id: '', token: 'x' })).rejects.toThrow(/id/i)
  })

  it('logs in, keeps the access code encrypted, lists the bot and a default AI contact', async () => {
    const store = new MemoryStore()
    const core = makeCore(store)
    const acc = await core.mio.add({ server: gateway(), id: '1001', token: 'user-secret-code' })
    expect(acc.status.state).toBe('online')
    expect(acc.login).toMatchObject({ dialect: 'spec', isAdmin: false, botQq: expect.any(String) })
    expect(JSON.stringify(store.get('accounts'))).not.toContain('user-secret-code')
    const contacts = core.mio.contactList(acc.id)
    expect(contacts.map((c) => c.kind)).toEqual(['bot', 'llm'])
    expect(contacts[1]!.llm!.model).toBeTruthy()
  })

  it('sends a multi-part message, gets the server id, and receives the bot echo', async () => {
    const core = makeCore()
    const acc = await core.mio.add({ server: gateway(), id: '1002', token: 'user-secret-code' })
    const echo = waitFor(core, 'message', (p: MainEvents['message']) => (!p.message.self ? p.message : undefined))
    const sent = await core.accounts.send(acc.id, 'bot', [
      { type: 'text', data: { text: 'hello' } },
      { type: 'image', data: { file: 'base64://iVBORw0KGgo=' } },
      { type: 'mystery', data: { x: 1 } }
    ])
    expect(sent.status).toBe('sent')
    expect(sent.localId).toMatch(/^local-/)
    expect(sent.id).toMatch(/^\d+$/)
    const reply = (await echo) as ChatMessage
    expect(reply.segments.some((s) => s.type === 'text' && s.data.text === 'hello')).toBe(true)
    const hist = core.history.list(acc.id, 'bot')
    expect(hist.map((m) => m.id)).toContain(sent.id)
    expect(hist.some((m) => m.id === sent.localId)).toBe(false)
    const last = core.mio.contactList(acc.id)[0]!.lastMessage
    expect(last).toBeDefined()
    // The conversation list gets the last message's id and preview tokens, not the message a second time.
    const newest = hist[hist.length - 1]!
    expect(last).toEqual({ id: newest.id, time: newest.time, preview: expect.any(String), tokens: expect.any(Array) })
    expect(JSON.stringify(last)).not.toContain('segments')
  })

  it('shows a bot recall, recalls its own message, and forwards two messages', async () => {
    const core = makeCore()
    const acc = await core.mio.add({ server: gateway(), id: '1003', token: 'user-secret-code' })
    const recalled = waitFor(core, 'message', (p: MainEvents['message']) => (!p.message.self && p.message.status === 'recalled' ? p.message : undefined))
    await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: '/recall' } }])
    expect((await recalled).status).toBe('recalled')

    const a = await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'first' } }])
    const b = await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'second' } }])
    await core.accounts.recall(acc.id, 'bot', a.id)
    expect(core.history.find(acc.id, a.id)!.status).toBe('recalled')
    await expect(core.accounts.forward(acc.id, 'bot', [a.id], 'bot')).rejects.toThrow(/recalled/i)

    const c = await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'third' } }])
    const fwd = await core.accounts.forward(acc.id, 'bot', [c.id, b.id], 'bot')
    expect(fwd.segments[0]!.type).toBe('nodes')
    const nodes = forwardNodes(fwd.segments[0]!)
    expect(nodes.map((n) => n.segments[0]!.data.text)).toEqual(['second', 'third'])
    // Each node names its sender: this account by its shown name.
    expect(nodes.map((n) => n.senderName)).toEqual([acc.displayName, acc.displayName])
    expect(acc.displayName).toMatch(/^localhost:\d+$/)
  })

  it('streams an AI reply with a tool call through every state, coalescing deltas', async () => {
    const core = makeCore()
    const acc = await core.mio.add({ server: gateway(), id: '1004', token: 'admin-secret-code' })
    const llm = core.mio.contactList(acc.id).find((c) => c.kind === 'llm')!
    const deltas: StreamDelta[] = []
    core.events.on('stream', (d) => deltas.push(d))
    const { replyMessage } = await core.mio.complete(acc.id, llm.id, 'calculate 12*(3+4)')
    const final = await waitFor(core, 'message', (p: MainEvents['message']) =>
      p.message.id === replyMessage.id && p.message.ai && p.message.ai.status !== 'pending' && p.message.ai.status !== 'streaming' ? p.message : undefined
    )
    expect(final.ai!.status).toBe('completed')
    expect(final.ai!.text).toContain('84')
    expect(final.ai!.toolCalls[0]).toMatchObject({ name: 'calculator', state: 'finished' })
    expect(deltas.map((d) => d.textAppend).join('')).toBe(final.ai!.text)
    const states = deltas.flatMap((d) => d.toolCalls?.map((t) => t.state) ?? [])
    expect(states[states.length - 1]).toBe('finished')
    expect(deltas[deltas.length - 1]!.status).toBe('completed')
    // history carries the reply for the next turn
    expect(core.history.list(acc.id, llm.id).map((m) => (m.ai ? 'ai' : 'user'))).toEqual(['user', 'ai'])
  })

  it('aborts a running reply, then retries it', async () => {
    const slow = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 15 })
    const core = makeCore()
    const acc = await core.mio.add({ server: `ws://127.0.0.1:${slow.port}`, id: '1005', token: 'u' })
    const llm = core.mio.contactList(acc.id).find((c) => c.kind === 'llm')!
    const { replyMessage } = await core.mio.complete(acc.id, llm.id, 'write something long please')
    await waitFor(core, 'stream', (d: StreamDelta) => (d.messageId === replyMessage.id && d.textAppend ? true : undefined))
    core.mio.abort(acc.id, llm.id, replyMessage.id)
    const ended = await waitFor(core, 'message', (p: MainEvents['message']) => (p.message.id === replyMessage.id && p.message.ai?.status === 'aborted' ? p.message : undefined))
    expect(ended.ai!.text.length).toBeGreaterThan(0)
    await core.mio.completeRetry(acc.id, llm.id, replyMessage.id)
    const done = await waitFor(core, 'message', (p: MainEvents['message']) => (p.message.id === replyMessage.id && p.message.ai?.status === 'completed' ? p.message : undefined), 20000)
    expect(done.ai!.text.length).toBeGreaterThan(2000)
    await core.stop()
    await slow.close()
  }, 30000)

  it('shares a contact and refuses non-http links', async () => {
    const core = makeCore()
    const acc = await core.mio.add({ server: gateway(), id: '1006', token: 'user-secret-code' })
    const r = await core.mio.share(acc.id, 'bot')
    expect(r.shareUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*shareId=/)
    expect(r.previewImage).toMatch(/^data:image\//)
    await expect(core.openExternal('javascript:alert(1)')).rejects.toThrow(/http/)
    await expect(core.openExternal('file:///etc/passwd')).rejects.toThrow(/http/)
  })
})

describe('AppCore when the server dies mid-stream', () => {
  it('marks the reply interrupted, keeps the partial text, and reconnects by itself', async () => {
    const own = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 20 })
    const port = own.port
    const core = makeCore()
    const acc = await core.mio.add({ server: `ws://127.0.0.1:${port}`, id: '9', token: 'u' })
    const llm = core.mio.contactList(acc.id).find((c) => c.kind === 'llm')!
    const { replyMessage } = await core.mio.complete(acc.id, llm.id, 'a long answer please')
    await waitFor(core, 'stream', (d: StreamDelta) => (d.messageId === replyMessage.id && d.textAppend ? true : undefined))
    const reconnecting = waitFor(core, 'connection', (p: MainEvents['connection']) => (p.status.state === 'reconnecting' ? p.status : undefined))
    const interrupted = waitFor(core, 'message', (p: MainEvents['message']) => (p.message.id === replyMessage.id && p.message.ai?.status === 'interrupted' ? p.message : undefined))
    await own.close()
    const msg = await interrupted
    expect(msg.ai!.text.length).toBeGreaterThan(0)
    expect(msg.ai!.error).toMatch(/connection/i)
    const st = await reconnecting
    expect(st.retryInMs).toBeGreaterThan(0)
    expect(st.error).toBeTruthy()
    const again = await startServer({ port, adminCode: 'a', userCode: 'u', chunkDelayMs: 1 })
    try {
      await waitFor(core, 'connection', (p: MainEvents['connection']) => (p.status.state === 'online' ? true : undefined), 15000)
      const sent = await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'back' } }])
      expect(sent.status).toBe('sent')
    } finally {
      await again.close()
    }
  }, 30000)
})

describe('AppCore adding an account on an unreachable server', () => {
  it('answers at once with "cannot reach the server", stores nothing, and stops retrying', async () => {
    const probe = await startServer({ port: 0, adminCode: 'a', userCode: 'u' })
    const port = probe.port
    await probe.close()
    const store = new MemoryStore()
    const core = makeCore(store)
    const t0 = Date.now()
    await expect(core.mio.add({ server: `ws://127.0.0.1:${port}`, id: '1', token: 'u' })).rejects.toThrow(/cannot reach the server/i)
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(core.accounts.list()).toHaveLength(0)
    expect(store.get('accounts')).toBeUndefined()
  })

  it('treats null arguments from a JSON carrier as absent', async () => {
    const { createHandlers, dispatch } = await import('../../src/core/handlers')
    const core = makeCore()
    const acc = await core.mio.add({ server: gateway(), id: '1010', token: 'user-secret-code' })
    await core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: 'null-before' } }])
    const page = (await dispatch(createHandlers(core), 'history:list', [acc.id, 'bot', null, null])) as ChatMessage[]
    expect(page.some((m) => m.segments[0]?.data.text === 'null-before')).toBe(true)
  })
})
