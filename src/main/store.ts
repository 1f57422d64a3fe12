/**
 * The Electron side of the core's persistence seams: an electron-store backed KeyValueStore and a
 * SecretBox on Electron `safeStorage`.
 *
 * Without an OS keyring (safeStorage unavailable, or Linux falling back to the `basic_text` backend)
 * the user is asked once, with a clear warning, before secrets are written to disk unencrypted. The
 * answer is remembered. Refusing keeps secrets in memory for the running session only.
 */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { app, dialog, safeStorage } from 'electron'
import Store from 'electron-store'
import { plaintextSecretBox, setAsideDamaged, type KeyValueStore, type SecretBox } from '../core/storage/storage'
import type { AppLocale } from '../shared/locale'
import { mainLocale, mainStrings } from './strings'

/** Remembered answer to the no-keyring question: 'allow' = store unencrypted, 'deny' = session only. */
export const PLAINTEXT_CONSENT_KEY = 'shell.plaintextSecretsConsent'

const KEYRING_PREFIX = 'ss:'
const PLAIN_PREFIX = 'plain:'
const SESSION_PREFIX = 'session:'

type Backend = { get(key: string): unknown; set(key: string, value: unknown): void; delete(key: string): void }

/** KeyValueStore over electron-store (keys are flat: dots are not paths). */
export class ElectronKeyValueStore implements KeyValueStore {
  constructor(private readonly backend: Backend) {}
  get<T>(key: string): T | undefined {
    const v = this.backend.get(key)
    return v === undefined ? undefined : (structuredClone(v) as T)
  }
  set(key: string, value: unknown): void {
    // electron-store refuses `undefined`; storing nothing is deleting.
    if (value === undefined) this.backend.delete(key)
    else this.backend.set(key, value)
  }
  delete(key: string): void {
    this.backend.delete(key)
  }
}

/**
 * The settings store. A damaged file (empty, not JSON) is not cleared (electron-store's clearInvalidConfig
 * would overwrite it): it is moved aside with the time in its name and a fresh store is started; `damaged`
 * says where the copy is, so the user can be told.
 */
export function createElectronStore(name = 'miodesk', StoreClass: typeof Store = Store): { store: ElectronKeyValueStore; damaged?: string } {
  const open = (): Store<Record<string, unknown>> => new StoreClass<Record<string, unknown>>({ name, accessPropertiesByDotNotation: false, clearInvalidConfig: false })
  try {
    return { store: new ElectronKeyValueStore(open() as unknown as Backend) }
  } catch (e) {
    const path = (e as { path?: string }).path ?? join(app.getPath('userData'), `${name}.json`)
    if (!(e instanceof SyntaxError) || !existsSync(path)) throw e
    const damaged = setAsideDamaged(path)
    return { store: new ElectronKeyValueStore(open() as unknown as Backend), damaged }
  }
}

export type SafeStorageLike = Pick<typeof safeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & {
  getSelectedStorageBackend?: () => string
}

/** True when safeStorage is backed by a real OS keyring (Keychain, DPAPI, libsecret, KWallet). */
export function hasOsKeyring(ss: SafeStorageLike = safeStorage, platform: NodeJS.Platform = process.platform): boolean {
  try {
    if (!ss.isEncryptionAvailable()) return false
    if (platform === 'linux' && typeof ss.getSelectedStorageBackend === 'function') {
      const backend = ss.getSelectedStorageBackend()
      if (backend === 'basic_text' || backend === 'unknown') return false
    }
    return true
  } catch {
    return false
  }
}

/**
 * Shows the no-keyring warning; returns true only when the user explicitly allows unencrypted storage.
 * Worded in `locale` (by default the system's language).
 */
export function askPlaintextConsent(locale: AppLocale = mainLocale('system')): boolean {
  const t = mainStrings(locale)
  const STORE_ANYWAY = 1
  const choice = dialog.showMessageBoxSync({
    type: 'warning',
    title: t.keyringTitle,
    message: t.keyringMessage,
    detail: t.keyringDetail,
    buttons: [t.keyringSessionOnly, t.keyringStorePlain],
    defaultId: 0,
    cancelId: 0,
    noLink: true
  })
  return choice === STORE_ANYWAY
}

export interface SafeStorageSecretBoxOptions {
  /** Where the remembered answer to the no-keyring question lives. */
  store: KeyValueStore
  safeStorage?: SafeStorageLike
  platform?: NodeJS.Platform
  /** Asks the user (once) whether to store secrets unencrypted. */
  askPlaintext?: () => boolean
}

export class SafeStorageSecretBox implements SecretBox {
  private readonly ss: SafeStorageLike
  private readonly platform: NodeJS.Platform
  private readonly store: KeyValueStore
  private readonly ask: () => boolean
  private keyring: boolean | undefined
  /** Secrets the user chose not to write to disk, for this run only. */
  private readonly sessionSecrets = new Map<string, string>()

  constructor(opts: SafeStorageSecretBoxOptions) {
    this.store = opts.store
    this.ss = opts.safeStorage ?? safeStorage
    this.platform = opts.platform ?? process.platform
    this.ask = opts.askPlaintext ?? askPlaintextConsent
  }

  get isSecure(): boolean {
    if (this.keyring === undefined) this.keyring = hasOsKeyring(this.ss, this.platform)
    return this.keyring
  }

  /** 'allow' | 'deny' once asked; asks on first need and remembers the answer. */
  private plaintextConsent(): 'allow' | 'deny' {
    const known = this.store.get<string>(PLAINTEXT_CONSENT_KEY)
    if (known === 'allow' || known === 'deny') return known
    let allowed = false
    try {
      allowed = this.ask()
    } catch {
      allowed = false
    }
    const answer = allowed ? 'allow' : 'deny'
    this.store.set(PLAINTEXT_CONSENT_KEY, answer)
    return answer
  }

  encrypt(plain: string): string {
    if (this.isSecure) return KEYRING_PREFIX + this.ss.encryptString(plain).toString('base64')
    if (this.plaintextConsent() === 'allow') return plaintextSecretBox.encrypt(plain)
    const id = SESSION_PREFIX + randomUUID()
    this.sessionSecrets.set(id, plain)
    return id
  }

  decrypt(cipher: string): string {
    if (cipher.startsWith(KEYRING_PREFIX)) {
      if (!this.isSecure) throw new Error('This secret was encrypted with the system keyring, which is not available now. Please sign in again.')
      return this.ss.decryptString(Buffer.from(cipher.slice(KEYRING_PREFIX.length), 'base64'))
    }
    if (cipher.startsWith(PLAIN_PREFIX)) return plaintextSecretBox.decrypt(cipher)
    if (cipher.startsWith(SESSION_PREFIX)) {
      const plain = this.sessionSecrets.get(cipher)
      if (plain === undefined) throw new Error('This secret was kept for an earlier session only. Please sign in again.')
      return plain
    }
    throw new Error('Unrecognised stored secret. Please sign in again.')
  }
}
