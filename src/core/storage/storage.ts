/**
 * Persistence seams of the core. The Electron shell backs them with electron-store + safeStorage
 * (src/main/store.ts); the browser host and the CLI use the JSON-file and memory versions here.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { StoreKey } from './keys'

export interface KeyValueStore {
  /** The value under a key (typed by the key: see KEYS in keys.ts), or undefined. */
  get<T>(key: StoreKey<T> | string): T | undefined
  set<T>(key: StoreKey<T> | string, value: T): void
  delete(key: string): void
}

/** Encrypts secrets at rest (tokens, access codes, passwords). */
export interface SecretBox {
  /** True when backed by an OS keyring; false means obfuscation only. */
  readonly isSecure: boolean
  encrypt(plain: string): string
  decrypt(cipher: string): string
}

export class MemoryStore implements KeyValueStore {
  private readonly data = new Map<string, unknown>()
  get<T>(key: string): T | undefined {
    const v = this.data.get(key)
    return v === undefined ? undefined : (structuredClone(v) as T)
  }
  set(key: string, value: unknown): void {
    this.data.set(key, structuredClone(value))
  }
  delete(key: string): void {
    this.data.delete(key)
  }
}

/**
 * Moves a damaged settings file (empty, not JSON, not an object) out of the way under a name with the time,
 * so that it is never overwritten and the user can be told where it is. Returns the new path.
 */
export function setAsideDamaged(file: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  let to = `${file}.damaged-${stamp}`
  for (let i = 1; existsSync(to); i++) to = `${file}.damaged-${stamp}-${i}`
  renameSync(file, to)
  return to
}

/**
 * A JSON file store written atomically (temp file + rename). A file that cannot be read as a JSON object
 * is set aside (see setAsideDamaged) rather than treated as empty and overwritten: `damaged` says where.
 */
export class JsonFileStore implements KeyValueStore {
  private data: Record<string, unknown> = {}
  /** Where a damaged file found at start was moved to. */
  readonly damaged?: string
  constructor(private readonly file: string) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
      throw e
    }
    try {
      const v = JSON.parse(text) as unknown
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object')
      this.data = v as Record<string, unknown>
    } catch {
      this.damaged = setAsideDamaged(file)
    }
  }
  get<T>(key: string): T | undefined {
    const v = this.data[key]
    return v === undefined ? undefined : (structuredClone(v) as T)
  }
  set(key: string, value: unknown): void {
    this.data[key] = structuredClone(value)
    this.flush()
  }
  delete(key: string): void {
    delete this.data[key]
    this.flush()
  }
  private flush(): void {
    mkdirSync(dirname(this.file), { recursive: true })
    const tmp = `${this.file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(this.data), { mode: 0o600 })
    renameSync(tmp, this.file)
  }
}

/** No keyring: secrets are kept base64-encoded only (the UI must warn before using this). */
export const plaintextSecretBox: SecretBox = {
  isSecure: false,
  encrypt: (p) => `plain:${Buffer.from(p, 'utf8').toString('base64')}`,
  decrypt: (c) => (c.startsWith('plain:') ? Buffer.from(c.slice(6), 'base64').toString('utf8') : c)
}
