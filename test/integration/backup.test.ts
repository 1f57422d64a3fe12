/**
 * Backup and restore through AppCore (the handler table the IPC and the bridge use): a profile with a Mio-Chat
 * account on the reference server, its conversation, an AI contact and settings is backed up, then restored
 * into a fresh profile directory — everything is back, and the account logs in again with its restored secret.
 * Without a passphrase the account comes back without its access code.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { createHandlers, dispatch } from '../../src/core/handlers'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { JsonFileStore, plaintextSecretBox } from '../../src/core/storage/storage'
import type { BackupOutcome, RestoreOutcome } from '../../src/shared/api'
import type { LlmContact } from '../../src/shared/mio'
import { until } from '../unit/storage/link-helpers'

const dir = mkdtempSync(join(tmpdir(), 'miodesk-backup-int-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function core(name: string): { core: AppCore; db: SqliteHistory; call: (c: string, ...a: unknown[]) => Promise<unknown> } {
  const home = join(dir, name)
  const db = new SqliteHistory(join(home, 'history.sqlite'), { indexDelayMs: 5 })
  const c = new AppCore({
    store: new JsonFileStore(join(home, 'store.json')),
    secrets: plaintextSecretBox,
    history: db,
    host: 'browser',
    version: '0.1.0',
    openExternal: async () => {},
    profileDir: home,
    backupsDir: join(home, 'backups'),
    backupTarget: async (fileName) => ({ path: join(home, fileName) }),
    backupKdf: { N: 1024, r: 8, p: 1 }
  })
  const handlers = createHandlers(c)
  return { core: c, db, call: (ch, ...a) => dispatch(handlers, ch as never, a) }
}

describe('backup:create / backup:restore', () => {
  it('brings accounts, conversations, AI contacts and settings back in a fresh profile', async () => {
    const server = await startServer({ port: 0, adminCode: 'a', userCode: 'u', chunkDelayMs: 1 })
    const a = core('a')
    const b = core('b')
    const c = core('c')
    try {
      const acc = await a.core.accounts.add('mio', { server: `ws://127.0.0.1:${server.port}`, id: '801', token: 'u' })
      await a.core.accounts.send(acc.id, 'bot', [{ type: 'text', data: { text: '备份前的消息 before the backup' } }])
      await until(() => a.db.count(acc.id, 'bot') >= 2, 10_000, 'the echo')
      const llm = (await a.call('contacts:save-llm', acc.id, { id: '', name: '写作助手', model: 'gpt-x', systemPrompt: 'be brief', temperature: 0.5, top_p: 1, presence_penalty: 0, frequency_penalty: 0 })) as LlmContact
      await a.call('settings:set', { theme: 'dark', locale: 'zh-CN' })
      const made = (await a.call('backup:create', { passphrase: 'open sesame 1' })) as BackupOutcome
      expect(made).toMatchObject({ secrets: 'passphrase', accounts: 1 })
      const bytes = readFileSync(made.path)

      // a fresh install: nothing there; the restore brings it all back and the account logs in with its restored code
      expect(b.core.accounts.list()).toEqual([])
      await expect(b.call('backup:restore', { base64: bytes.toString('base64') }, 'wrong one!')).rejects.toThrow(/Wrong passphrase/)
      expect(b.core.accounts.list()).toEqual([])
      const r = (await b.call('backup:restore', { base64: bytes.toString('base64') }, 'open sesame 1')) as RestoreOutcome
      expect(r).toMatchObject({ accounts: 1, needLogin: 0, secrets: 'passphrase' })
      expect(r.messages).toBeGreaterThanOrEqual(2)
      expect(b.core.accounts.list().map((x) => x.id)).toEqual([acc.id])
      const texts = (b.db.list(acc.id, 'bot') as { segments: { data: { text?: string } }[] }[]).map((m) => m.segments[0]?.data.text)
      expect(texts).toContain('备份前的消息 before the backup')
      expect(((await b.call('contacts:list', acc.id)) as { id: string; name: string }[]).some((x) => x.name === '写作助手' && x.id.endsWith(llm.id))).toBe(true)
      expect(b.core.getSettings()).toMatchObject({ theme: 'dark', locale: 'zh-CN' })
      await until(() => b.core.accounts.list()[0]?.status.state === 'online', 10_000, 'the restored account online')
      // the search index of the fresh profile finds the restored message
      await until(() => b.db.searchBacklog === 0, 5000)
      expect(((await b.call('history:search', { text: '备份前' })) as unknown[]).length).toBeGreaterThan(0)

      // without a passphrase: the account is back without its access code
      const plain = (await a.call('backup:create', {})) as BackupOutcome
      expect(readFileSync(plain.path).includes(Buffer.from('"secret":"plain:'))).toBe(false)
      const r2 = (await c.call('backup:restore', { base64: readFileSync(plain.path).toString('base64') })) as RestoreOutcome
      expect(r2).toMatchObject({ accounts: 1, needLogin: 1, secrets: 'none' })
      expect(c.db.count(acc.id, 'bot')).toBeGreaterThanOrEqual(2)
    } finally {
      await a.core.stop()
      await b.core.stop()
      await c.core.stop()
      await server.close()
    }
  }, 30_000)
})

describe('automatic backup settings', () => {
  it('take an absolute folder and 1–100 backups, nothing else', () => {
    const { core: c, db } = core('settings')
    expect(c.getSettings()).toMatchObject({ autoBackupFolder: '', autoBackupKeep: 7 })
    expect(() => c.setSettings({ autoBackupFolder: 'relative/dir' })).toThrow(/Invalid value/)
    expect(() => c.setSettings({ autoBackupKeep: 0 })).toThrow(/Invalid value/)
    expect(() => c.setSettings({ autoBackupKeep: 2.5 })).toThrow(/Invalid value/)
    expect(c.setSettings({ autoBackupFolder: join(dir, 'auto'), autoBackupKeep: 3 })).toMatchObject({ autoBackupKeep: 3 })
    c.backup.schedule(undefined)
    db.close()
  })
})
