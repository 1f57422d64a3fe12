/**
 * The MioDesk backup file: one JSON header line, then the parts' bytes one after another.
 *
 *   {"format":"miodesk-backup","version":1,"appVersion":"…","createdAt":"…","secrets":"none"|"passphrase",
 *    "kdf":{…},"parts":[{"name":"store","bytes":n,"sha256":"…"},{"name":"history",…},{"name":"secrets",…}]}\n
 *   <store JSON><history SQLite database><secrets: AES-256-GCM ciphertext + 16-byte tag>
 *
 * Every part's length and SHA-256 are in the header, so a truncated or altered file is refused before anything
 * is written. With a passphrase the secrets (access codes, tokens) are encrypted with a key derived from it
 * (scrypt, random salt) under AES-256-GCM (random nonce); the authenticated data binds the header (format,
 * version, creation time, the other parts' hashes), so a wrong passphrase or an altered header is refused in
 * words. Secrets encrypted by the OS keyring never go into a backup.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto'
import { coreText } from '../../shared/core-text'

export const BACKUP_FORMAT = 'miodesk-backup'
export const BACKUP_VERSION = 1
/** The file name ending of a backup. */
export const BACKUP_EXTENSION = '.miodesk-backup'
const MAX_HEADER = 64 * 1024
const TAG_BYTES = 16

export interface KdfParams {
  name: 'scrypt'
  N: number
  r: number
  p: number
  /** base64 */
  salt: string
  /** base64 (12 bytes) */
  nonce: string
}

export interface BackupPartInfo {
  name: 'store' | 'history' | 'secrets'
  bytes: number
  sha256: string
}

export interface BackupHeader {
  format: typeof BACKUP_FORMAT
  version: number
  appVersion: string
  createdAt: string
  secrets: 'none' | 'passphrase'
  /** The message database's schema version (a newer one than this app knows is refused in words). */
  historySchema?: number
  kdf?: KdfParams
  parts: BackupPartInfo[]
}

/** What a backup holds, decoded and checked. */
export interface BackupContents {
  header: BackupHeader
  /** The key-value store's entries (account secrets blanked). */
  store: Record<string, unknown>
  /** The SQLite database's bytes. */
  history: Buffer
  /** Account id → secret (only when the backup has them and the passphrase opened them). */
  secrets?: Record<string, string>
}

/** A backup could not be read: `code` says why; the message is a core sentence. */
export class BackupError extends Error {
  constructor(
    readonly code: 'not-backup' | 'newer' | 'damaged' | 'needs-passphrase' | 'wrong-passphrase' | 'short-passphrase',
    message: string
  ) {
    super(message)
    this.name = 'BackupError'
  }
}

/** Default scrypt cost: N=2^15, r=8, p=1 (32 MiB, a fraction of a second). */
export const DEFAULT_KDF = { N: 1 << 15, r: 8, p: 1 }
const MIN_PASSPHRASE = 8

function scrypt(pass: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r + 1024 * 1024 }
  return new Promise((resolve, reject) => scryptCb(pass.normalize('NFC'), salt, 32, options, (e, key) => (e ? reject(e) : resolve(key))))
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/** The header's authenticated content: everything but the secrets part's own hash (which covers the ciphertext). */
function aad(h: BackupHeader): Buffer {
  const parts = h.parts.filter((p) => p.name !== 'secrets').map((p) => [p.name, p.bytes, p.sha256])
  return Buffer.from(JSON.stringify([h.format, h.version, h.appVersion, h.createdAt, h.secrets, h.kdf ?? null, h.historySchema ?? null, parts]), 'utf8')
}

export interface EncodeInput {
  appVersion: string
  store: Record<string, unknown>
  history: Buffer
  /** Secrets to keep (account id → secret); with no passphrase they are left out. */
  secrets?: Record<string, string>
  passphrase?: string
  historySchema?: number
  now?: Date
  /** scrypt cost (tests use a small one). */
  kdf?: { N: number; r: number; p: number }
}

/** Builds a backup file's bytes. */
export async function encodeBackup(input: EncodeInput): Promise<Buffer> {
  const store = Buffer.from(JSON.stringify(input.store), 'utf8')
  const parts: Buffer[] = [store, input.history]
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    appVersion: input.appVersion,
    createdAt: (input.now ?? new Date()).toISOString(),
    secrets: input.passphrase !== undefined ? 'passphrase' : 'none',
    ...(input.historySchema !== undefined ? { historySchema: input.historySchema } : {}),
    parts: [
      { name: 'store', bytes: store.length, sha256: sha256(store) },
      { name: 'history', bytes: input.history.length, sha256: sha256(input.history) }
    ]
  }
  if (input.passphrase !== undefined) {
    if (input.passphrase.length < MIN_PASSPHRASE) throw new BackupError('short-passphrase', coreText('backupPassphraseShort'))
    const cost = input.kdf ?? DEFAULT_KDF
    const salt = randomBytes(16)
    const nonce = randomBytes(12)
    header.kdf = { name: 'scrypt', ...cost, salt: salt.toString('base64'), nonce: nonce.toString('base64') }
    const key = await scrypt(input.passphrase, salt, cost)
    const cipher = createCipheriv('aes-256-gcm', key, nonce)
    cipher.setAAD(aad(header))
    const body = Buffer.concat([cipher.update(JSON.stringify(input.secrets ?? {}), 'utf8'), cipher.final(), cipher.getAuthTag()])
    header.parts.push({ name: 'secrets', bytes: body.length, sha256: sha256(body) })
    parts.push(body)
  }
  return Buffer.concat([Buffer.from(JSON.stringify(header) + '\n', 'utf8'), ...parts])
}

const damaged = (why: string): BackupError => new BackupError('damaged', coreText('backupDamaged', { why }))

/** Reads and checks a backup's header alone (format, version, parts), in words when it is not one we can read. */
export function readBackupHeader(file: Buffer): { header: BackupHeader; bodyStart: number } {
  const nl = file.subarray(0, MAX_HEADER).indexOf(0x0a)
  let raw: unknown
  try {
    if (nl < 0 && file.subarray(0, 40).toString('utf8').startsWith(`{"format":"${BACKUP_FORMAT}"`)) raw = undefined
    else if (nl < 0) throw new Error('no header line')
    else raw = JSON.parse(file.subarray(0, nl).toString('utf8'))
  } catch {
    throw new BackupError('not-backup', coreText('backupNotAFile'))
  }
  if (raw === undefined) throw damaged('cut short')
  const h = raw as Partial<BackupHeader> | null
  if (!h || typeof h !== 'object' || h.format !== BACKUP_FORMAT) throw new BackupError('not-backup', coreText('backupNotAFile'))
  if (typeof h.version !== 'number' || !Number.isInteger(h.version) || h.version < 1) throw damaged('header version')
  if (h.version > BACKUP_VERSION) throw new BackupError('newer', coreText('backupNewer', { version: String(h.appVersion ?? '?').slice(0, 40), format: String(h.version) }))
  if (!Array.isArray(h.parts) || typeof h.createdAt !== 'string' || typeof h.appVersion !== 'string') throw damaged('header')
  if (h.secrets !== 'none' && h.secrets !== 'passphrase') throw damaged('header secrets')
  for (const p of h.parts) {
    if (!p || !['store', 'history', 'secrets'].includes(p.name) || !Number.isSafeInteger(p.bytes) || p.bytes < 0 || typeof p.sha256 !== 'string') throw damaged('header parts')
  }
  if (h.secrets === 'passphrase') {
    const k = h.kdf
    if (!k || k.name !== 'scrypt' || ![k.N, k.r, k.p].every((x) => Number.isInteger(x) && x > 0) || k.N > 1 << 20 || k.r > 32 || k.p > 16) throw damaged('header key parameters')
    if (!h.parts.some((p) => p.name === 'secrets')) throw damaged('no secrets part')
  }
  return { header: h as BackupHeader, bodyStart: nl + 1 }
}

/**
 * Decodes a backup and checks everything (header, every part's length and hash, the secrets with the passphrase)
 * before returning: nothing is written by this call.
 */
export async function decodeBackup(file: Buffer, passphrase?: string): Promise<BackupContents> {
  const { header, bodyStart } = readBackupHeader(file)
  const parts = new Map<string, Buffer>()
  let at = bodyStart
  for (const p of header.parts) {
    if (at + p.bytes > file.length) throw damaged('cut short')
    const b = file.subarray(at, at + p.bytes)
    if (sha256(b) !== p.sha256) throw damaged(`the ${p.name} part does not match its checksum`)
    parts.set(p.name, b)
    at += p.bytes
  }
  if (at !== file.length) throw damaged('extra bytes at the end')
  const storeBytes = parts.get('store')
  const history = parts.get('history')
  if (!storeBytes || !history) throw damaged('a part is missing')
  let store: unknown
  try {
    store = JSON.parse(storeBytes.toString('utf8'))
  } catch {
    throw damaged('settings are not JSON')
  }
  if (!store || typeof store !== 'object' || Array.isArray(store)) throw damaged('settings are not an object')
  const out: BackupContents = { header, store: store as Record<string, unknown>, history: Buffer.from(history) }
  if (header.secrets === 'passphrase') {
    if (!passphrase) throw new BackupError('needs-passphrase', coreText('backupNeedsPassphrase'))
    const k = header.kdf!
    const body = parts.get('secrets')!
    if (body.length < TAG_BYTES) throw damaged('secrets')
    const key = await scrypt(passphrase, Buffer.from(k.salt, 'base64'), k)
    let plain: string
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(k.nonce, 'base64'))
      d.setAAD(aad(header))
      d.setAuthTag(body.subarray(body.length - TAG_BYTES))
      plain = Buffer.concat([d.update(body.subarray(0, body.length - TAG_BYTES)), d.final()]).toString('utf8')
    } catch {
      throw new BackupError('wrong-passphrase', coreText('backupWrongPassphrase'))
    }
    const v = JSON.parse(plain) as unknown
    if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) throw damaged('secrets')
    out.secrets = v as Record<string, string>
  }
  return out
}

/** A backup's file name: `MioDesk <date time>.miodesk-backup`. */
export function backupFileName(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  return `MioDesk ${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}${BACKUP_EXTENSION}`
}
