/**
 * Versions of an answer against the reference server (raw-WebSocket generation), its model proxied to a
 * counting upstream that records what each completion was sent: regenerate keeps the earlier answers,
 * switching versions changes what the next completion sees, an edited prompt starts a new branch, and all
 * of it survives reopening the SQLite history.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { createHandlers, dispatch } from '../../src/core/handlers'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { MemoryStore, plaintextSecretBox } from '../../src/core/storage/storage'
import type { MainEvents } from '../../src/shared/api'
import type { ChatMessage, ChatTurn } from '../../src/shared/mio'
import { replyPosition } from '../../src/shared/versions'

interface Upstream {
  url: string
  /** The messages of every completion request, in order. */
  seen: ChatTurn[][]
  close: () => Promise<void>
}

/** An OpenAI-compatible upstream whose model `up-count` answers "answer #n" (n counts the requests). */
async function startCountingUpstream(): Promise<Upstream> {
  const seen: ChatTurn[][] = []
  const srv: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify({ object: 'list', data: [{ id: 'up-count', object: 'model' }] }))
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: ChatTurn[] }
      seen.push(body.messages)
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      for (const d of [{ role: 'assistant', content: 'answer ' }, { content: `#${seen.length}` }]) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: d, finish_reason: null }] })}\n\n`)
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`)
      res.end('data: [DONE]\n\n')
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        srv.close(() => r())
        srv.closeAllConnections()
      })
  }
}

let up: Upstream
let server: RunningServer
const dir = mkdtempSync(join(tmpdir(), 'miodesk-versions-'))

beforeAll(async () => {
  up = await startCountingUpstream()
  server = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 0, openaiBaseUrl: up.url, openaiApiKey: 'sk-test' })
})
afterAll(async () => {
  await server.close()
  await up.close()
  rmSync(dir, { recursive: true, force: true })
})

const ended = (m: ChatMessage | undefined): boolean => !!m?.ai && m.ai.status !== 'pending' && m.ai.status !== 'streaming'

/** The reply's next end (set up before asking), or, given `stored`, its end already stored. */
function finished(core: AppCore, id: string, stored?: () => ChatMessage | undefined): Promise<ChatMessage> {
  const now = stored?.()
  if (now && ended(now)) return Promise.resolve(now)
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`reply ${id} did not finish`)), 8000)
    const on = (p: MainEvents['message']): void => {
      const s = p.message.ai?.status
      if (p.message.id !== id || !s || s === 'pending' || s === 'streaming') return
      clearTimeout(t)
      core.events.off('message', on)
      resolve(p.message)
    }
    core.events.on('message', on)
  })
}

describe('versions of an answer', () => {
  it('regenerate keeps the answers, switching and editing change what the model is sent, and it all survives a reopen', async () => {
    const db = join(dir, 'h.sqlite')
    const history = new SqliteHistory(db, { indexDelayMs: -1 })
    const core = new AppCore({ store: new MemoryStore(), secrets: plaintextSecretBox, history, host: 'browser', version: 't', openExternal: async () => {} })
    const call = (ch: string, ...args: unknown[]): Promise<any> => dispatch(createHandlers(core), ch as never, args as never)
    const acc = await core.mio.add({ server: server.url.replace('http', 'ws'), id: '2001', token: 'u' })
    const llm = core.mio.contactList(acc.id).find((c) => c.kind === 'llm')!
    core.mio.saveLlm(acc.id, { ...llm.llm!, model: 'up-count', systemPrompt: '' })

    // First turn, then regenerate twice: one reply message with three versions.
    const { userMessage: q1, replyMessage: r1 } = await call('mio:complete', acc.id, llm.id, 'first question')
    await finished(core, r1.id, () => core.history.get(acc.id, llm.id, r1.id))
    for (let i = 0; i < 2; i++) {
      const p = finished(core, r1.id)
      await call('mio:complete-retry', acc.id, llm.id, r1.id)
      await p
    }
    let reply = core.history.get(acc.id, llm.id, r1.id)!
    expect(reply.ai!.versions!.map((v) => v.text)).toEqual(['answer #1', 'answer #2', 'answer #3'])
    expect(reply.ai!.text).toBe('answer #3')
    expect(replyPosition(reply.ai!)).toMatchObject({ at: 3, of: 3 })
    // Each regeneration was sent the conversation up to the reply, not the earlier answers.
    expect(up.seen[1]).toEqual([{ role: 'user', content: 'first question' }])
    expect(up.seen[2]).toEqual([{ role: 'user', content: 'first question' }])
    expect(core.history.list(acc.id, llm.id)).toHaveLength(2)

    // Show the first answer: the next completion is sent that one.
    const changed: ChatMessage[] = await call('mio:show-version', acc.id, llm.id, r1.id, 0)
    expect(changed.map((m) => m.ai?.text)).toEqual(['answer #1'])
    const { replyMessage: r2 } = await call('mio:complete', acc.id, llm.id, 'second question')
    await finished(core, r2.id, () => core.history.get(acc.id, llm.id, r2.id))
    expect(up.seen.at(-1)).toEqual([
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'answer #1' },
      { role: 'user', content: 'second question' }
    ])
    await expect(call('mio:show-version', acc.id, llm.id, r1.id, 7)).rejects.toThrow(/version/)

    // Only the last prompt can be edited; editing it starts a new branch on the same two messages.
    await expect(call('mio:edit-prompt', acc.id, llm.id, q1.id, 'changed')).rejects.toThrow(/last prompt/)
    const q2 = core.history.list(acc.id, llm.id).filter((m) => m.self).at(-1)!
    const before = up.seen.length
    const r2Ended = finished(core, r2.id)
    const edited = await call('mio:edit-prompt', acc.id, llm.id, q2.id, 'second question, better')
    expect(edited.replyMessage.id).toBe(r2.id)
    await r2Ended
    expect(up.seen.length).toBe(before + 1)
    expect(up.seen.at(-1)!.at(-1)).toEqual({ role: 'user', content: 'second question, better' })
    expect(core.history.list(acc.id, llm.id)).toHaveLength(4)
    const q2now = core.history.get(acc.id, llm.id, q2.id)!
    expect(q2now.promptVersions!.map((v) => v.text)).toEqual(['second question', 'second question, better'])
    reply = core.history.get(acc.id, llm.id, r2.id)!
    expect(reply.ai!.versions!.map((v) => [v.text, v.prompt ?? 0])).toEqual([
      ['answer #4', 0],
      ['answer #5', 1]
    ])
    // The new branch has one answer of its own.
    expect(replyPosition(reply.ai!)).toMatchObject({ at: 1, of: 1 })

    // Switching the prompt back shows the answer it had.
    const back: ChatMessage[] = await call('mio:show-version', acc.id, llm.id, q2.id, 0)
    expect(back.map((m) => (m.ai ? m.ai.text : m.segments[0]!.data.text))).toEqual(['second question', 'answer #4'])
    await core.stop()
    history.close()

    // Reopened: the versions and the shown ones are still there.
    const again = new SqliteHistory(db, { indexDelayMs: -1 })
    const r1Stored = again.get(acc.id, llm.id, r1.id)!
    expect(r1Stored.ai!.versions).toHaveLength(3)
    expect(r1Stored.ai!.text).toBe('answer #1')
    expect(again.get(acc.id, llm.id, r2.id)!.ai!.text).toBe('answer #4')
    expect(again.get(acc.id, llm.id, q2.id)!.promptVersions).toHaveLength(2)
    again.close()
  }, 30000)
})

describe('versions of an answer on the Socket.IO (v2) generation', () => {
  it('regenerate and edit go through the same stream path and keep their versions', async () => {
    const v2 = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 1, mioV2: true })
    const core = new AppCore({ store: new MemoryStore(), secrets: plaintextSecretBox, host: 'browser', version: 't', openExternal: async () => {}, streamFlushMs: 16 })
    try {
      const acc = await core.accounts.add('mio', { server: `127.0.0.1:${v2.port}`, id: '2002', token: 'u' })
      const llm = core.mio.contactList(acc.id).find((c) => c.kind === 'llm')!
      const { userMessage, replyMessage } = await core.mio.complete(acc.id, llm.id, 'hello there')
      const first = await finished(core, replyMessage.id, () => core.history.get(acc.id, llm.id, replyMessage.id))
      expect(first.ai!.status).toBe('completed')
      const again = finished(core, replyMessage.id)
      await core.mio.completeRetry(acc.id, llm.id, replyMessage.id)
      const second = await again
      expect(second.ai!.versions!.map((v) => v.status)).toEqual(['completed', 'completed'])
      expect(second.ai!.versions![0]!.text).toBe(first.ai!.text)
      const edited = finished(core, replyMessage.id)
      await core.mio.editPrompt(acc.id, llm.id, userMessage.id, 'hello again, edited')
      const third = await edited
      expect(third.ai!.text).toContain('hello again, edited')
      expect(replyPosition(third.ai!)).toMatchObject({ at: 1, of: 1 })
      const back = await core.mio.showVersion(acc.id, llm.id, userMessage.id, 0)
      expect(back.at(-1)!.ai!.text).toBe(second.ai!.text)
      expect(replyPosition(back.at(-1)!.ai!)).toMatchObject({ at: 2, of: 2 })
    } finally {
      await core.stop()
      await v2.close()
    }
  }, 30000)
})
