/**
 * A Yunhu account in an AppCore against the reference server behind a cuttable proxy (HTTP, the push
 * socket and the upload stand-in all go through it), with a SQLite history: the setup of the outbox
 * and media tests. Everything is closed by the `cleanups` given.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '../../server/app'
import type { YunhuOptions } from '../../server/yunhu'
import { AppCore } from '../../src/core/app-core'
import type { YunhuAccountsTuning } from '../../src/core/accounts/yunhu/provider'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { MemoryStore, plaintextSecretBox } from '../../src/core/storage/storage'
import { startProxy } from '../unit/storage/link-helpers'

export async function proxiedYunhu(cleanups: (() => unknown)[], o: { email: string; password: string; prefix: string; server?: Partial<YunhuOptions>; mediaDir?: boolean; yunhu?: YunhuAccountsTuning }) {
  const dir = mkdtempSync(join(tmpdir(), o.prefix))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer({ port: 0, dataDir: dir, yunhu: { dataDir: dir, email: o.email, password: o.password, chunkDelayMs: 1, followUpMs: 10, ...o.server } })
  cleanups.push(() => server.close())
  const proxy = await startProxy(server.port)
  cleanups.push(() => proxy.close())
  const history = new SqliteHistory(join(dir, 'history.sqlite'))
  cleanups.push(() => history.close())
  const store = new MemoryStore()
  const core = new AppCore({
    store,
    secrets: plaintextSecretBox,
    history,
    host: 'browser',
    version: 'test',
    openExternal: async () => {},
    ...(o.mediaDir ? { mediaDir: join(dir, 'media') } : {}),
    yunhu: { push: { loginSettleMs: 50, heartbeatIntervalMs: 500, backoff: { baseMs: 40, maxMs: 200, factor: 2, jitter: 0 } }, httpTimeoutMs: 3000, connectWaitMs: 5000, ...o.yunhu }
  })
  cleanups.push(() => core.stop())
  const acc = await core.accounts.add('yunhu', { api: `http://127.0.0.1:${proxy.port}`, email: o.email, password: o.password })
  await core.accounts.contacts(acc.id)
  return { dir, server, proxy, history, store, core, acc }
}
