/**
 * Backup and restore of the whole profile (see docs/STORAGE.md "Backup and restore"). A restore checks the
 * whole file first (header, hashes, passphrase, the database opened and integrity-checked in a temp file),
 * keeps the current profile aside (`before-restore-<time>/` in the profile folder: a copy of the database and
 * of the store's entries), and only then replaces it; a failure while replacing puts the kept profile back.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { coreText } from '../../shared/core-text'
import type { BackupOutcome, RestoreOutcome, RestoreSource } from '../../shared/api'
import type { HistoryStore, OutboxStore } from '../storage/history'
import { KEYS } from '../storage/keys'
import type { KeyValueStore, SecretBox } from '../storage/storage'
import { BACKUP_EXTENSION, backupFileName, BackupError, decodeBackup, encodeBackup } from './format'
import { backupableHistory, checkStoreEntries, databaseBytes, openBackupDatabase, rawStoreEntries, removeDatabaseFiles, replaceHistory, snapshotStore, writeStoreEntries } from './profile'
import { SCHEMA_VERSION, type SqliteHistory } from '../storage/sqlite-history'
import type { Logger } from '../log'
import type { Settings } from '../../shared/api'

export interface BackupServiceDeps {
  store: KeyValueStore
  secrets: SecretBox
  /** The history the accounts write to (the guard), and the durable store behind it. */
  history: HistoryStore
  durable: HistoryStore
  outbox?: OutboxStore
  appVersion: string
  /** Where temp files and the kept-aside profile go. */
  profileDir: string
  /** Stops and restarts the accounts around a restore, and has the app read the restored settings. */
  stopAccounts: () => Promise<void>
  startAccounts: () => Promise<void>
  reloaded: () => void
  /** Where a new backup goes (a save dialog, or the backups folder); undefined: cancelled. */
  target?: (fileName: string) => Promise<{ path: string; url?: string } | undefined>
  /** A backup file the user chooses (an open dialog); undefined: cancelled. */
  source?: () => Promise<string | undefined>
  /** The folder of backups a restore may name (the browser host's). */
  backupsDir?: string
  /** scrypt cost (tests). */
  kdf?: { N: number; r: number; p: number }
  logger?: Logger
  /** Time between automatic backups, ms (default one day; tests). */
  autoEveryMs?: number
}

const MAX_UPLOAD = 512 * 1024 * 1024
/** The file names backups get (backupFileName): sortable by time. */
const AUTO_NAME = /^MioDesk \d{4}-\d\d-\d\d \d{6}\.miodesk-backup$/

export class BackupService {
  constructor(private readonly d: BackupServiceDeps) {}

  private tmp(name: string): string {
    mkdirSync(this.d.profileDir, { recursive: true })
    return join(this.d.profileDir, `.${name}-${randomBytes(6).toString('hex')}.tmp`)
  }

  private database(): SqliteHistory {
    const db = backupableHistory(this.d.durable)
    if (!db) throw new Error(coreText('backupNoDatabase'))
    return db
  }

  /** The whole profile into one file: secrets encrypted with `passphrase`, or left out without one. */
  async create(options?: unknown): Promise<BackupOutcome | null> {
    const o = (typeof options === 'object' && options !== null ? options : {}) as { passphrase?: unknown }
    const passphrase = typeof o.passphrase === 'string' && o.passphrase !== '' ? o.passphrase : undefined
    if (passphrase !== undefined && passphrase.length < 8) throw new Error(coreText('backupPassphraseShort'))
    if (!this.d.target) throw new Error(coreText('backupNotHere'))
    const db = this.database()
    const now = new Date()
    const fileName = backupFileName(now)
    const target = await this.d.target(fileName)
    if (!target) return null
    const file = await this.encode(db, passphrase, now)
    const part = `${target.path}.part`
    await writeFile(part, file, { mode: 0o600 })
    await rename(part, target.path)
    const accounts = accountIds(rawStoreEntries(this.d.store)).length
    return { fileName: basename(target.path), path: target.path, url: target.url, bytes: file.length, secrets: passphrase ? 'passphrase' : 'none', accounts }
  }

  private async encode(db: SqliteHistory, passphrase: string | undefined, now: Date): Promise<Buffer> {
    const history = await databaseBytes(db, this.tmp('backup-db'))
    const { entries, secrets } = snapshotStore(this.d.store, this.d.secrets)
    return encodeBackup({ appVersion: this.d.appVersion, store: entries, history, historySchema: db.schemaVersion, secrets: passphrase ? secrets : undefined, passphrase, now, kdf: this.d.kdf })
  }

  /** The bytes of the backup to restore: uploaded, named in the backups folder, or chosen in the host's dialog. */
  private async bytesOf(source: unknown): Promise<Buffer | null> {
    const s = (typeof source === 'object' && source !== null ? source : {}) as RestoreSource
    if (typeof s.base64 === 'string') {
      if (s.base64.length > (MAX_UPLOAD / 3) * 4 + 4) throw new BackupError('damaged', coreText('backupDamaged', { why: 'too large' }))
      return Buffer.from(s.base64, 'base64')
    }
    if (typeof s.name === 'string') {
      const dir = this.d.backupsDir
      const names = dir && existsSync(dir) ? readdirSync(dir) : []
      if (!dir || !names.includes(s.name) || basename(s.name) !== s.name) throw new Error(coreText('backupNotFound'))
      return readFile(join(dir, s.name))
    }
    if (!this.d.source) throw new Error(coreText('backupNotHere'))
    const file = await this.d.source()
    return file ? readFile(file) : null
  }

  private autoTimer?: ReturnType<typeof setTimeout>

  /**
   * An automatic backup into `folder` (secrets left out: no passphrase is stored), then only the newest `keep`
   * automatic backups stay there. Returns the new file.
   */
  async autoBackup(folder: string, keep: number, now = new Date()): Promise<string> {
    mkdirSync(folder, { recursive: true })
    const file = join(folder, backupFileName(now))
    const bytes = await this.encode(this.database(), undefined, now)
    await writeFile(`${file}.part`, bytes, { mode: 0o600 })
    await rename(`${file}.part`, file)
    const mine = readdirSync(folder).filter((n) => AUTO_NAME.test(n)).sort()
    for (const old of mine.slice(0, Math.max(0, mine.length - keep))) rmSync(join(folder, old), { force: true })
    return file
  }

  /** (Re)plans automatic backups from the settings (undefined: stop): the next one a day after the newest in the folder. */
  schedule(settings: Pick<Settings, 'autoBackupFolder' | 'autoBackupKeep'> | undefined): void {
    clearTimeout(this.autoTimer)
    this.autoTimer = undefined
    const folder = settings?.autoBackupFolder
    if (!folder) return
    const every = this.d.autoEveryMs ?? 24 * 3600_000
    let newest = 0
    try {
      for (const n of readdirSync(folder)) if (AUTO_NAME.test(n)) newest = Math.max(newest, statSync(join(folder, n)).mtimeMs)
    } catch {
      /* no folder yet: the first backup makes it */
    }
    const wait = Math.min(2 ** 31 - 1, Math.max(1000, newest + every - Date.now()))
    this.autoTimer = setTimeout(() => {
      void this.autoBackup(folder, settings.autoBackupKeep)
        .then((f) => this.d.logger?.info(`automatic backup: ${f}`))
        .catch((e) => this.d.logger?.warn(`automatic backup into ${folder} failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          if (this.autoTimer) this.schedule(settings)
        })
    }, wait)
    this.autoTimer.unref?.()
  }

  /** The backups in the backups folder, newest first (the browser host's restore list). */
  list(): { name: string }[] {
    const dir = this.d.backupsDir
    if (!dir || !existsSync(dir)) return []
    return readdirSync(dir)
      .filter((n) => n.endsWith(BACKUP_EXTENSION))
      .sort()
      .reverse()
      .map((name) => ({ name }))
  }

  /** Replaces the profile with a backup's; null when the user cancelled the open dialog. */
  async restore(source: unknown, passphrase?: unknown): Promise<RestoreOutcome | null> {
    const bytes = await this.bytesOf(source)
    if (!bytes) return null
    const contents = await decodeBackup(bytes, typeof passphrase === 'string' && passphrase !== '' ? passphrase : undefined)
    let entries: Record<string, unknown>
    try {
      entries = checkStoreEntries(contents.store)
    } catch (e) {
      throw new BackupError('damaged', coreText('backupDamaged', { why: e instanceof Error ? e.message : String(e) }))
    }
    const live = this.database()
    const schema = contents.header.historySchema
    if (typeof schema === 'number' && schema > SCHEMA_VERSION) {
      throw new BackupError('newer', coreText('backupNewerDb', { version: contents.header.appVersion.slice(0, 40), schema: String(schema) }))
    }
    const incomingFile = this.tmp('restore-db')
    let incoming: SqliteHistory
    try {
      incoming = await openBackupDatabase(contents.history, incomingFile)
    } catch (e) {
      throw new BackupError('damaged', coreText('backupDamaged', { why: e instanceof Error ? e.message : String(e) }))
    }
    try {
      // Keep the current profile aside before anything is replaced.
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      const aside = join(this.d.profileDir, `before-restore-${stamp}`)
      mkdirSync(aside, { recursive: true })
      const asideDb = join(aside, 'history.sqlite')
      await live.backupTo(asideDb)
      const asideStore = rawStoreEntries(this.d.store)
      await writeFile(join(aside, 'store.json'), JSON.stringify(asideStore), { mode: 0o600 })
      const liveIds = [...live.accounts(), ...accountIds(asideStore)]
      await this.d.stopAccounts()
      let messages: number
      try {
        messages = replaceHistory(this.d.history, this.d.outbox, incoming, liveIds)
        writeStoreEntries(this.d.store, this.d.secrets, entries, contents.secrets)
      } catch (e) {
        // Put the kept profile back, then say what went wrong.
        const kept = await openBackupDatabase(await readFile(asideDb), this.tmp('rollback-db'))
        try {
          replaceHistory(this.d.history, this.d.outbox, kept, [...incoming.accounts(), ...accountIds(entries)])
        } finally {
          kept.close()
          removeDatabaseFiles(kept.file)
        }
        writeStoreEntries(this.d.store, this.d.secrets, asideStore, undefined, true)
        throw e
      } finally {
        this.d.reloaded()
        await this.d.startAccounts()
      }
      const accounts = accountIds(entries).length
      const withSecrets = Object.keys(contents.secrets ?? {}).length
      return { createdAt: contents.header.createdAt, appVersion: contents.header.appVersion, accounts, messages, secrets: contents.header.secrets, needLogin: accounts - withSecrets, keptAside: aside }
    } finally {
      incoming.close()
      removeDatabaseFiles(incomingFile)
    }
  }
}

function accountIds(entries: Record<string, unknown>): string[] {
  return [KEYS.mioAccounts, KEYS.yunhuAccounts].flatMap((k) => ((entries[k] as { id: string }[] | undefined) ?? []).map((a) => a.id))
}
