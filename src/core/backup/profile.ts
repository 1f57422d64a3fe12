/**
 * The profile as a backup sees it: the key-value store's entries (settings, accounts with their secrets taken
 * out, last logins, AI contacts, Yunhu conversation lists, the device id) and the message database.
 * Snapshot for a backup; restore replaces the current profile with a backup's.
 */
import { rmSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import type { ChatMessage } from '../../shared/mio'
import type { HistoryStore, OutboxStore } from '../storage/history'
import { KEYS } from '../storage/keys'
import type { KeyValueStore, SecretBox } from '../storage/storage'
import { SqliteHistory } from '../storage/sqlite-history'

interface WithSecret {
  id: string
  secret: string
}

const ACCOUNT_KEYS = [KEYS.mioAccounts, KEYS.yunhuAccounts] as const

/** Every key of the store that belongs to the profile, for the accounts it has now. */
function profileKeys(store: KeyValueStore): string[] {
  const keys: string[] = [KEYS.settings, KEYS.yunhuDevice, ...ACCOUNT_KEYS]
  for (const a of store.get<WithSecret[]>(KEYS.mioAccounts) ?? []) keys.push(KEYS.mioLogin(a.id), KEYS.llmContacts(a.id))
  for (const a of store.get<WithSecret[]>(KEYS.yunhuAccounts) ?? []) keys.push(KEYS.yunhuContacts(a.id))
  return keys
}

/** The store's entries as they are (secrets still encrypted by this install): for keeping aside before a restore. */
export function rawStoreEntries(store: KeyValueStore): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of profileKeys(store)) {
    const v = store.get(k)
    if (v !== undefined) out[k] = v
  }
  return out
}

/**
 * The store's entries for a backup: the accounts' secrets blanked (never the keyring's blobs) and, apart,
 * the secrets in plain (account id → secret) for the caller to encrypt with the passphrase or leave out.
 */
export function snapshotStore(store: KeyValueStore, box: SecretBox): { entries: Record<string, unknown>; secrets: Record<string, string> } {
  const entries = rawStoreEntries(store)
  const secrets: Record<string, string> = {}
  for (const k of ACCOUNT_KEYS) {
    const list = entries[k] as WithSecret[] | undefined
    if (!list) continue
    entries[k] = list.map((a) => {
      try {
        if (a.secret) secrets[a.id] = box.decrypt(a.secret)
      } catch {
        /* a secret this install cannot open: the account will need a new login */
      }
      return { ...a, secret: '' }
    })
  }
  return { entries, secrets }
}

const isAccountList = (v: unknown): v is WithSecret[] =>
  Array.isArray(v) && v.every((a) => !!a && typeof a === 'object' && typeof (a as WithSecret).id === 'string' && (a as WithSecret).id.length > 0)

/**
 * Checks a backup's store entries before anything is written: the account lists are lists of accounts, and only
 * the profile's own keys are taken (anything else in the file is ignored). Returns the entries to write.
 */
export function checkStoreEntries(entries: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const mio = entries[KEYS.mioAccounts] ?? []
  const yunhu = entries[KEYS.yunhuAccounts] ?? []
  if (!isAccountList(mio) || !isAccountList(yunhu)) throw new Error('account list')
  out[KEYS.mioAccounts] = mio
  out[KEYS.yunhuAccounts] = yunhu
  const allowed = new Set<string>([KEYS.settings, KEYS.yunhuDevice])
  for (const a of mio) allowed.add(KEYS.mioLogin(a.id)).add(KEYS.llmContacts(a.id))
  for (const a of yunhu) allowed.add(KEYS.yunhuContacts(a.id))
  for (const [k, v] of Object.entries(entries)) if (allowed.has(k) && v !== undefined && v !== null) out[k] = v
  return out
}

/**
 * Replaces the profile's store entries with `entries` (checked by checkStoreEntries); each account's secret
 * is the backup's (encrypted again with this install's SecretBox) or empty (the account then asks for a login).
 */
export function writeStoreEntries(store: KeyValueStore, box: SecretBox, entries: Record<string, unknown>, secrets?: Record<string, string>, raw = false): void {
  const next = { ...entries }
  if (!raw) {
    for (const k of ACCOUNT_KEYS) {
      const list = next[k] as WithSecret[] | undefined
      if (list) next[k] = list.map((a) => ({ ...a, secret: box.encrypt(secrets?.[a.id] ?? '') }))
    }
  }
  for (const k of profileKeys(store)) if (!(k in next)) store.delete(k)
  for (const [k, v] of Object.entries(next)) store.set(k, v)
}

/** The history's database, if it can make a consistent copy of itself. */
export function backupableHistory(h: HistoryStore): SqliteHistory | undefined {
  return h instanceof SqliteHistory ? h : undefined
}

/** A consistent copy of the database, as bytes (through a temp file beside `tmpFile`). */
export async function databaseBytes(db: SqliteHistory, tmpFile: string): Promise<Buffer> {
  try {
    await db.backupTo(tmpFile)
    return await readFile(tmpFile)
  } finally {
    rmSync(tmpFile, { force: true })
  }
}

/**
 * Opens a backup's database bytes as a database (in a temp file: integrity-checked and brought to this
 * version's schema by SqliteHistory); throws when it is not a usable database. Close it, then remove the file.
 */
export async function openBackupDatabase(bytes: Buffer, tmpFile: string): Promise<SqliteHistory> {
  await writeFile(tmpFile, bytes, { mode: 0o600 })
  try {
    return new SqliteHistory(tmpFile, { indexDelayMs: -1, expectExisting: true })
  } catch (e) {
    removeDatabaseFiles(tmpFile)
    throw e
  }
}

export function removeDatabaseFiles(file: string): void {
  for (const side of ['', '-wal', '-shm']) rmSync(file + side, { force: true })
}

/**
 * Replaces every message of the live history with the source's: the live accounts' messages are cleared
 * (`clearIds`: every account either side knows), then the source's written conversation by conversation,
 * with its outbox (messages waiting to be sent) where both sides keep one. Returns the messages written.
 */
export function replaceHistory(live: HistoryStore, liveOutbox: OutboxStore | undefined, source: SqliteHistory, clearIds: Iterable<string>): number {
  const ids = new Set([...clearIds, ...source.accounts()])
  for (const a of ids) live.clearAccount(a)
  let n = 0
  for (const a of source.accounts()) {
    for (const c of source.conversations(a)) {
      for (const batch of source.iterate(a, c.contactId)) {
        if (live.putMany) live.putMany(a, batch)
        else for (const m of batch) live.put(a, m)
        n += batch.length
      }
    }
    if (liveOutbox) {
      for (const e of source.outboxList(a)) {
        const m: ChatMessage | undefined = source.get(a, e.contactId, e.messageId)
        if (m) liveOutbox.outboxAdd(a, m, e.clientId)
      }
    }
  }
  return n
}
