/**
 * Durability of the outbox for every platform: a process writing a burst of messages is killed with
 * SIGKILL; a new process on the same store and history sends what was queued, and every acknowledged
 * message reaches the server exactly once, in order.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { YunhuApi } from '../../src/core/protocols/yunhu/api'
import { YunhuHttp } from '../../src/core/protocols/yunhu/http'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { JsonFileStore, plaintextSecretBox } from '../../src/core/storage/storage'
import { YunhuChatType } from '../../src/shared/yunhu'
import { settled, startObserver, until } from '../unit/storage/link-helpers'
import { KILL_TEST, contactOf, coreOptions } from './outbox-kill-shared'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

/** Runs the child until `target` sends were acknowledged, then kills it. Returns the acknowledged texts. */
async function burstAndKill(platform: 'mio' | 'yunhu', port: number, dir: string, target: number): Promise<string[]> {
  const script = fileURLToPath(new URL('./outbox-kill-child.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script, platform, String(port), dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  const acked: string[] = []
  let buf = ''
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)))
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString('utf8')
    const lines = buf.split('\n')
    buf = lines.pop()!
    for (const l of lines) if (l.startsWith('kill-')) acked.push(l)
    if (acked.length >= target && !child.killed) child.kill('SIGKILL')
  })
  expect(await exited).toBe('SIGKILL')
  return acked
}

describe.each(['mio', 'yunhu'] as const)('outbox kill test (%s)', (platform) => {
  it('every acknowledged message survives SIGKILL and reaches the server exactly once, in order, after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), `miodesk-kill-${platform}-`))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const server = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 1, dataDir: dir, yunhu: { dataDir: dir, email: KILL_TEST.email, password: KILL_TEST.password, chunkDelayMs: 1, followUpMs: 10 } })
    cleanups.push(() => server.close())
    const observer = platform === 'mio' ? await startObserver(server.port, KILL_TEST.mioId, 'u') : undefined
    if (observer) cleanups.push(() => observer.stop())

    const acked = await burstAndKill(platform, server.port, dir, 300 + Math.floor(Math.random() * 200))
    expect(acked.length).toBeGreaterThanOrEqual(300)

    // A new process (here: a new core) on the same files.
    const history = new SqliteHistory(join(dir, 'history.sqlite'))
    cleanups.push(() => history.close())
    const store = new JsonFileStore(join(dir, 'store.json'))
    const core = new AppCore({ ...coreOptions(), store, secrets: plaintextSecretBox, history })
    cleanups.push(() => core.stop())
    const [acc] = core.accounts.list()
    const contact = contactOf(platform)
    const local = (): string[] => history.list(acc!.id, contact, undefined, 1_000_000).filter((m) => m.self).map((m) => String(m.segments[0]?.data.text))
    const missing = acked.filter((t) => !local().includes(t))
    expect(missing).toEqual([])
    await core.start()
    await until(() => history.outboxList(acc!.id).length === 0, 60_000, 'the outbox to drain after the restart')
    const mine = history.list(acc!.id, contact, undefined, 1_000_000).filter((m) => m.self)
    expect(mine.filter((m) => m.status !== 'sent').map((m) => [m.status, m.error])).toEqual([])

    let received: string[]
    if (observer) {
      await settled(() => observer.order.length)
      received = observer.order.filter((t) => t.startsWith('kill-'))
    } else {
      const token = plaintextSecretBox.decrypt(store.get<{ secret: string }[]>('yunhu-accounts')![0]!.secret)
      const api = new YunhuApi(new YunhuHttp({ baseUrl: `http://127.0.0.1:${server.port}`, token }))
      const seen = new Map<string, { seq: number; text: string }>()
      let before: string | undefined
      for (;;) {
        const page = await api.listMessages({ chatId: contact, chatType: YunhuChatType.User, count: 100, beforeMsgId: before })
        for (const d of page.data) seen.set(d.msg_id!, { seq: Number(d.msg_seq), text: d.content?.text ?? '' })
        if (page.data.length < 100) break
        before = page.data.reduce((a, d) => (Number(d.msg_seq) < Number(a.msg_seq) ? d : a)).msg_id
      }
      received = [...seen.values()].sort((a, b) => a.seq - b.seq).map((x) => x.text).filter((t) => t.startsWith('kill-'))
    }
    // Exactly once each and in order: what the server holds is every stored message, sorted as written.
    const stored = mine.map((m) => String(m.segments[0]?.data.text))
    expect(received).toEqual([...stored].sort())
    expect(new Set(received).size).toBe(received.length)
    for (const t of acked) expect(received).toContain(t)
  }, 120_000)
})
