/**
 * The backup file format and the restore's safety: round trips with and without a passphrase, a wrong
 * passphrase, a newer format, a truncated or altered file, and the current profile kept when a restore fails.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BackupError, decodeBackup, encodeBackup, readBackupHeader } from '../../../src/core/backup/format'
import { BackupService } from '../../../src/core/backup/service'
import { KEYS } from '../../../src/core/storage/keys'
import { SqliteHistory } from '../../../src/core/storage/sqlite-history'
import { MemoryStore, plaintextSecretBox, type SecretBox } from '../../../src/core/storage/storage'
import type { ChatMessage } from '../../../src/shared/mio'

const dir = mkdtempSync(join(tmpdir(), 'miodesk-backup-unit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const kdf = { N: 1024, r: 8, p: 1 }

/** A keyring-like box: its blobs must never reach a backup. */
const keyring: SecretBox = {
  isSecure: true,
  encrypt: (p) => `KEYRING:${Buffer.from(p).toString('hex')}`,
  decrypt: (c) => (c.startsWith('KEYRING:') ? Buffer.from(c.slice(8), 'hex').toString() : '')
}

const msg = (id: string, text: string, time: number): ChatMessage => ({ id, contactId: 'bot', time, self: true, status: 'sent', segments: [{ type: 'text', data: { text } }] })

function profile(name: string, box: SecretBox = keyring) {
  const store = new MemoryStore()
  const db = new SqliteHistory(join(dir, name, 'history.sqlite'), { indexDelayMs: -1 })
  let starts = 0
  const service = new BackupService({
    store,
    secrets: box,
    history: db,
    durable: db,
    outbox: db,
    appVersion: '1.2.3',
    profileDir: join(dir, name),
    stopAccounts: async () => {},
    startAccounts: async () => {
      starts++
    },
    reloaded: () => {},
    target: async (fileName) => ({ path: join(dir, name, fileName) }),
    kdf
  })
  return { store, db, service, box, starts: () => starts }
}

function fill(p: ReturnType<typeof profile>): void {
  p.store.set(KEYS.mioAccounts, [{ id: 'mio-1', kind: 'mio', label: 'Work', server: 'ws://x', userId: '7', secret: p.box.encrypt('access-code-7') }])
  p.store.set(KEYS.yunhuAccounts, [{ id: 'yh-1', kind: 'yunhu', label: 'YH', api: 'http://y', ws: 'ws://y', userId: '9', secret: p.box.encrypt('yunhu-token-9') }])
  p.store.set(KEYS.llmContacts('mio-1'), [{ id: 'c1', name: 'Helper', model: 'm' }])
  p.store.set(KEYS.settings, { theme: 'dark' })
  p.db.putMany('mio-1', [msg('m1', '你好 backup', 1000), msg('m2', 'second', 2000)])
}

describe('backup format', () => {
  it('round trips without a passphrase: no secrets in the file', async () => {
    const file = await encodeBackup({ appVersion: '1', store: { a: 1 }, history: Buffer.from('DB') })
    expect(readBackupHeader(file).header).toMatchObject({ format: 'miodesk-backup', version: 1, secrets: 'none' })
    const back = await decodeBackup(file)
    expect(back.store).toEqual({ a: 1 })
    expect(back.history.toString()).toBe('DB')
    expect(back.secrets).toBeUndefined()
  })

  it('round trips with a passphrase; a wrong or missing one is refused in words', async () => {
    const file = await encodeBackup({ appVersion: '1', store: {}, history: Buffer.from('DB'), secrets: { a: 'tok-secret' }, passphrase: 'correct horse', kdf })
    expect(file.includes(Buffer.from('tok-secret'))).toBe(false)
    expect((await decodeBackup(file, 'correct horse')).secrets).toEqual({ a: 'tok-secret' })
    await expect(decodeBackup(file, 'wrong horse!')).rejects.toThrow(/Wrong passphrase/)
    await expect(decodeBackup(file)).rejects.toThrow(/enter it to restore/)
    await expect(encodeBackup({ appVersion: '1', store: {}, history: Buffer.alloc(0), passphrase: 'short', kdf })).rejects.toThrow(/at least 8/)
  })

  it('refuses a newer version, something else, a truncated or altered file', async () => {
    const file = await encodeBackup({ appVersion: '1', store: { k: 'v' }, history: Buffer.from('database bytes') })
    const nl = file.indexOf(0x0a)
    const header = JSON.parse(file.subarray(0, nl).toString())
    const newer = Buffer.concat([Buffer.from(JSON.stringify({ ...header, version: 2, appVersion: '9.0.0' }) + '\n'), file.subarray(nl + 1)])
    await expect(decodeBackup(newer)).rejects.toThrow('This backup was made by a newer MioDesk (9.0.0, format 2): update MioDesk to restore it')
    await expect(decodeBackup(Buffer.from('PK\x03\x04 zip'))).rejects.toThrow('This is not a MioDesk backup')
    await expect(decodeBackup(Buffer.from('{"format":"other"}\n'))).rejects.toThrow('This is not a MioDesk backup')
    await expect(decodeBackup(file.subarray(0, file.length - 3))).rejects.toThrow(/damaged or incomplete \(cut short\)/)
    const altered = Buffer.from(file)
    altered[altered.length - 1] ^= 1
    await expect(decodeBackup(altered)).rejects.toThrow(/does not match its checksum/)
    // with a passphrase the header is authenticated: changing its creation time breaks the secrets' tag
    const locked = await encodeBackup({ appVersion: '1', store: {}, history: Buffer.from('DB'), secrets: { a: 'x' }, passphrase: 'correct horse', kdf })
    const ln = locked.indexOf(0x0a)
    const h2 = JSON.parse(locked.subarray(0, ln).toString())
    const moved = Buffer.concat([Buffer.from(JSON.stringify({ ...h2, createdAt: '2000-01-01T00:00:00.000Z' }) + '\n'), locked.subarray(ln + 1)])
    await expect(decodeBackup(moved, 'correct horse')).rejects.toBeInstanceOf(BackupError)
  })
})

describe('backup service', () => {
  it('restores accounts, secrets (with a passphrase), AI contacts, settings and messages into a fresh profile; never the keyring blobs', async () => {
    const a = profile('a')
    fill(a)
    const made = await a.service.create({ passphrase: 'correct horse' })
    expect(made).toMatchObject({ secrets: 'passphrase', accounts: 2 })
    const bytes = readFileSync(made!.path)
    expect(bytes.includes(Buffer.from('KEYRING:'))).toBe(false)
    expect(bytes.includes(Buffer.from('access-code-7'))).toBe(false)

    const b = profile('b', plaintextSecretBox)
    b.db.put('old-account', msg('x', 'replaced', 5))
    const r = await b.service.restore({ base64: bytes.toString('base64') }, 'correct horse')
    expect(r).toMatchObject({ accounts: 2, messages: 2, secrets: 'passphrase', needLogin: 0, appVersion: '1.2.3' })
    const mio = b.store.get<{ id: string; secret: string }[]>(KEYS.mioAccounts)!
    expect(mio.map((x) => x.id)).toEqual(['mio-1'])
    expect(plaintextSecretBox.decrypt(mio[0]!.secret)).toBe('access-code-7')
    expect(plaintextSecretBox.decrypt(b.store.get<{ secret: string }[]>(KEYS.yunhuAccounts)![0]!.secret)).toBe('yunhu-token-9')
    expect(b.store.get(KEYS.llmContacts('mio-1'))).toEqual([{ id: 'c1', name: 'Helper', model: 'm' }])
    expect(b.store.get(KEYS.settings)).toEqual({ theme: 'dark' })
    expect(b.db.list('mio-1', 'bot').map((m) => m.id)).toEqual(['m1', 'm2'])
    expect(b.db.list('old-account', 'bot')).toEqual([])
    b.db.indexNow()
    expect(b.db.search({ text: 'backup' }).map((h) => h.messageId)).toEqual(['m1'])
    expect(b.starts()).toBe(1)
    // the replaced profile is kept aside
    expect(readdirSync(r!.keptAside).sort()).toEqual(['history.sqlite', 'store.json'])
    a.db.close()
    b.db.close()
  })

  it('leaves secrets out without a passphrase: the accounts come back needing a login', async () => {
    const a = profile('c')
    fill(a)
    const made = await a.service.create({})
    const bytes = readFileSync(made!.path)
    expect(bytes.includes(Buffer.from('access-code-7'))).toBe(false)
    expect(bytes.includes(Buffer.from('KEYRING:'))).toBe(false)
    const b = profile('d')
    const r = await b.service.restore({ base64: bytes.toString('base64') })
    expect(r).toMatchObject({ accounts: 2, secrets: 'none', needLogin: 2 })
    expect(keyring.decrypt(b.store.get<{ secret: string }[]>(KEYS.mioAccounts)![0]!.secret)).toBe('')
    a.db.close()
    b.db.close()
  })

  it('keeps the current profile when the restore is refused (wrong passphrase, damaged database)', async () => {
    const a = profile('e')
    fill(a)
    const made = await a.service.create({ passphrase: 'correct horse' })
    const good = readFileSync(made!.path)
    const b = profile('f')
    b.store.set(KEYS.settings, { theme: 'light' })
    b.store.set(KEYS.mioAccounts, [{ id: 'mine', kind: 'mio', label: 'Mine', server: 'ws://m', userId: '1', secret: keyring.encrypt('mine') }])
    b.db.put('mine', msg('keep', 'keep me', 1))
    await expect(b.service.restore({ base64: good.toString('base64') }, 'not the passphrase')).rejects.toThrow(/Wrong passphrase/)
    // a file whose database part is not a database (hashes right, content wrong)
    const notDb = await encodeBackup({ appVersion: '1', store: {}, history: Buffer.from('not a sqlite database at all, no no no'.repeat(200)) })
    await expect(b.service.restore({ base64: notDb.toString('base64') })).rejects.toThrow(/damaged or incomplete/)
    await expect(b.service.restore({ base64: good.subarray(0, 500).toString('base64') }, 'correct horse')).rejects.toThrow(/damaged or incomplete/)
    expect(b.store.get(KEYS.settings)).toEqual({ theme: 'light' })
    expect(b.store.get<{ id: string }[]>(KEYS.mioAccounts)!.map((x) => x.id)).toEqual(['mine'])
    expect(b.db.list('mine', 'bot').map((m) => m.id)).toEqual(['keep'])
    expect(b.starts()).toBe(0)
    // no temp file left behind
    expect(readdirSync(join(dir, 'f')).filter((n) => n.endsWith('.tmp') || n.includes('.tmp-'))).toEqual([])
    a.db.close()
    b.db.close()
  })

  it('puts the kept profile back when writing the restored one fails', async () => {
    const a = profile('g')
    fill(a)
    const good = readFileSync((await a.service.create({}))!.path)
    const b = profile('h')
    b.store.set(KEYS.mioAccounts, [{ id: 'mine', kind: 'mio', label: 'Mine', server: 'ws://m', userId: '1', secret: keyring.encrypt('mine') }])
    b.db.put('mine', msg('keep', 'keep me', 1))
    const set = b.store.set.bind(b.store)
    let fail = true
    b.store.set = (k: string, v: unknown) => {
      if (fail && k === KEYS.llmContacts('mio-1')) {
        fail = false
        throw new Error('disk full')
      }
      set(k, v)
    }
    await expect(b.service.restore({ base64: good.toString('base64') })).rejects.toThrow('disk full')
    expect(b.store.get<{ id: string }[]>(KEYS.mioAccounts)!.map((x) => x.id)).toEqual(['mine'])
    expect(keyring.decrypt(b.store.get<{ secret: string }[]>(KEYS.mioAccounts)![0]!.secret)).toBe('mine')
    expect(b.db.list('mine', 'bot').map((m) => m.id)).toEqual(['keep'])
    expect(b.db.list('mio-1', 'bot')).toEqual([])
    expect(existsSync(join(dir, 'h'))).toBe(true)
    a.db.close()
    b.db.close()
  })

  it('refuses a backup whose database is of a newer schema, in words, before touching anything', async () => {
    const a = profile('schema')
    fill(a)
    const made = readFileSync((await a.service.create({}))!.path)
    const nl = made.indexOf(0x0a)
    const header = JSON.parse(made.subarray(0, nl).toString())
    expect(header.historySchema).toBe(a.db.schemaVersion)
    const newer = Buffer.concat([Buffer.from(JSON.stringify({ ...header, historySchema: 99, appVersion: '3.0.0' }) + '\n'), made.subarray(nl + 1)])
    const b = profile('schema-b')
    b.db.put('mine', msg('keep', 'keep me', 1))
    await expect(b.service.restore({ base64: newer.toString('base64') })).rejects.toThrow('The messages in this backup were saved by a newer MioDesk (3.0.0, database version 99): update MioDesk to restore it')
    expect(b.db.list('mine', 'bot').map((m) => m.id)).toEqual(['keep'])
    a.db.close()
    b.db.close()
  })

  it('restores by name only from the backups folder', async () => {
    const a = profile('i')
    writeFileSync(join(dir, 'i', 'outside.miodesk-backup'), 'x')
    await expect(a.service.restore({ name: '../outside.miodesk-backup' })).rejects.toThrow(/not in the backups folder/)
    a.db.close()
  })

  it('automatic backups keep the newest N in their folder, leave other files alone, and run on schedule', async () => {
    const a = profile('auto')
    fill(a)
    const folder = join(dir, 'auto-backups')
    const made: string[] = []
    for (let d = 1; d <= 4; d++) made.push(await a.service.autoBackup(folder, 2, new Date(2026, 0, d, 8, 0, 0)))
    writeFileSync(join(folder, 'notes.txt'), 'mine')
    await a.service.autoBackup(folder, 2, new Date(2026, 0, 5, 8, 0, 0))
    expect(readdirSync(folder).sort()).toEqual(['MioDesk 2026-01-04 080000.miodesk-backup', 'MioDesk 2026-01-05 080000.miodesk-backup', 'notes.txt'])
    const back = await decodeBackup(readFileSync(join(folder, 'MioDesk 2026-01-05 080000.miodesk-backup')))
    expect(back.header.secrets).toBe('none')
    expect(JSON.stringify(back.store)).not.toContain('KEYRING:')
    // scheduled: a day after the newest (here a millisecond), at the earliest a second from now
    const sched = new BackupService({ ...(a.service as unknown as { d: ConstructorParameters<typeof BackupService>[0] }).d, autoEveryMs: 1 })
    const other = join(dir, 'auto-scheduled')
    sched.schedule({ autoBackupFolder: other, autoBackupKeep: 3 })
    const t0 = Date.now()
    while (!(existsSync(other) && readdirSync(other).some((n) => n.endsWith('.miodesk-backup'))) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50))
    sched.schedule(undefined)
    expect(readdirSync(other).filter((n) => n.endsWith('.miodesk-backup')).length).toBeGreaterThanOrEqual(1)
    a.db.close()
  })
})

describe('backup sentences', () => {
  it('read in Chinese', async () => {
    const { localizeCoreText } = await import('../../../src/shared/core-text')
    expect(localizeCoreText('This backup was made by a newer MioDesk (9.0.0, format 2): update MioDesk to restore it', 'zh-CN')).toBe('这个备份由更新版本的 MioDesk 制作（9.0.0，格式 2）：请先更新 MioDesk 再恢复')
    expect(localizeCoreText('Wrong passphrase: the secrets in this backup cannot be opened with it', 'zh-CN')).toBe('口令错误：无法用它打开这个备份中的密钥')
  })
})
