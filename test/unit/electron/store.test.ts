import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./fake-electron'))
vi.mock('electron-store', () => ({
  default: class FakeElectronStore {
    static last: FakeElectronStore | null = null
    readonly data = new Map<string, unknown>()
    constructor(readonly options: Record<string, unknown>) {
      FakeElectronStore.last = this
    }
    get(key: string): unknown {
      return this.data.get(key)
    }
    set(key: string, value: unknown): void {
      if (value === undefined) throw new TypeError('Use `delete()` to clear values')
      this.data.set(key, JSON.parse(JSON.stringify(value)))
    }
    delete(key: string): void {
      this.data.delete(key)
    }
  }
}))

import Store from 'electron-store'
import * as fake from './fake-electron'
import { MemoryStore } from '../../../src/core/storage/storage'
import { PLAINTEXT_CONSENT_KEY, SafeStorageSecretBox, askPlaintextConsent, createElectronStore, hasOsKeyring } from '../../../src/main/store'

beforeEach(() => fake.resetFakes())

describe('a damaged settings file', () => {
  it('is moved aside with the time in its name (never cleared or overwritten) and a fresh store starts', async () => {
    const { mkdtempSync, writeFileSync, readFileSync, readdirSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    fake.app.userData = mkdtempSync(join(tmpdir(), 'miodesk-damaged-'))
    writeFileSync(join(fake.app.userData, 'miodesk.json'), '{"accounts": [tru')
    let opens = 0
    class Damaged {
      constructor(readonly options: Record<string, unknown>) {
        opens++
        // electron-store without clearInvalidConfig throws what JSON.parse threw.
        if (readdirSync(fake.app.userData).includes('miodesk.json')) JSON.parse(readFileSync(join(fake.app.userData, 'miodesk.json'), 'utf8'))
      }
      get(): undefined {
        return undefined
      }
      set(): void {}
      delete(): void {}
    }
    const { damaged } = createElectronStore('miodesk', Damaged as unknown as typeof Store)
    expect(opens).toBe(2)
    expect(damaged).toMatch(/miodesk\.json\.damaged-\d{4}-\d\d-\d\dT/)
    expect(readFileSync(damaged!, 'utf8')).toBe('{"accounts": [tru')
    // The store is opened without clearInvalidConfig, so electron-store itself never wipes a file.
    expect((Store as unknown as { last?: { options: Record<string, unknown> } }).last?.options?.clearInvalidConfig ?? false).toBe(false)
  })
})

describe('electron-store KeyValueStore', () => {
  it('round-trips values with flat (dot-containing) keys and deletes on undefined', () => {
    const kv = createElectronStore('test').store
    const backend = (Store as unknown as { last: { options: Record<string, unknown>; data: Map<string, unknown> } }).last
    expect(backend.options).toMatchObject({ name: 'test', accessPropertiesByDotNotation: false })
    kv.set('accounts.v1', [{ id: 'a' }])
    expect(kv.get('accounts.v1')).toEqual([{ id: 'a' }])
    const copy = kv.get<{ id: string }[]>('accounts.v1')!
    copy[0]!.id = 'mutated'
    expect(kv.get('accounts.v1')).toEqual([{ id: 'a' }])
    kv.set('accounts.v1', undefined)
    expect(kv.get('accounts.v1')).toBeUndefined()
    expect(backend.data.has('accounts.v1')).toBe(false)
    kv.set('x', 1)
    kv.delete('x')
    expect(kv.get('x')).toBeUndefined()
  })
})

describe('keyring detection', () => {
  it('needs safeStorage available, and on Linux a real backend (basic_text is no keyring)', () => {
    expect(hasOsKeyring(fake.safeStorage, 'linux')).toBe(true)
    fake.safeStorage.backend = 'basic_text'
    expect(hasOsKeyring(fake.safeStorage, 'linux')).toBe(false)
    expect(hasOsKeyring(fake.safeStorage, 'darwin')).toBe(true)
    fake.safeStorage.available = false
    expect(hasOsKeyring(fake.safeStorage, 'darwin')).toBe(false)
    expect(hasOsKeyring(fake.safeStorage, 'win32')).toBe(false)
  })
})

describe('SafeStorageSecretBox with a keyring', () => {
  it('round-trips through safeStorage; the stored form does not contain the secret; no prompt', () => {
    const ask = vi.fn(() => true)
    const box = new SafeStorageSecretBox({ store: new MemoryStore(), safeStorage: fake.safeStorage, platform: 'linux', askPlaintext: ask })
    expect(box.isSecure).toBe(true)
    const cipher = box.encrypt('s3cret-code')
    expect(cipher).not.toContain('s3cret-code')
    expect(cipher.startsWith('ss:')).toBe(true)
    expect(fake.safeStorage.encryptString).toHaveBeenCalledWith('s3cret-code')
    expect(box.decrypt(cipher)).toBe('s3cret-code')
    expect(ask).not.toHaveBeenCalled()
  })

  it('a keyring secret cannot be read once the keyring is gone (clear error)', () => {
    const store = new MemoryStore()
    const cipher = new SafeStorageSecretBox({ store, safeStorage: fake.safeStorage, platform: 'linux' }).encrypt('abc')
    fake.safeStorage.backend = 'basic_text'
    const later = new SafeStorageSecretBox({ store, safeStorage: fake.safeStorage, platform: 'linux', askPlaintext: () => true })
    expect(() => later.decrypt(cipher)).toThrow(/keyring.*sign in again/i)
  })
})

describe('SafeStorageSecretBox without a keyring', () => {
  it('asks once before storing in plaintext, remembers "allow" across restarts', () => {
    fake.safeStorage.backend = 'basic_text'
    const store = new MemoryStore()
    const ask = vi.fn(() => true)
    const box = new SafeStorageSecretBox({ store, safeStorage: fake.safeStorage, platform: 'linux', askPlaintext: ask })
    expect(box.isSecure).toBe(false)
    const c1 = box.encrypt('code-1')
    const c2 = box.encrypt('code-2')
    expect(ask).toHaveBeenCalledTimes(1)
    expect(store.get(PLAINTEXT_CONSENT_KEY)).toBe('allow')
    expect(c1.startsWith('plain:')).toBe(true)
    expect(fake.safeStorage.encryptString).not.toHaveBeenCalled()

    const ask2 = vi.fn(() => false)
    const restarted = new SafeStorageSecretBox({ store, safeStorage: fake.safeStorage, platform: 'linux', askPlaintext: ask2 })
    expect(restarted.decrypt(c1)).toBe('code-1')
    expect(restarted.decrypt(c2)).toBe('code-2')
    restarted.encrypt('code-3')
    expect(ask2).not.toHaveBeenCalled()
  })

  it('refusing keeps secrets for this session only: nothing readable is stored, a restart cannot decrypt', () => {
    fake.safeStorage.available = false
    const store = new MemoryStore()
    const ask = vi.fn(() => false)
    const box = new SafeStorageSecretBox({ store, safeStorage: fake.safeStorage, platform: 'win32', askPlaintext: ask })
    const cipher = box.encrypt('my-access-code')
    expect(store.get(PLAINTEXT_CONSENT_KEY)).toBe('deny')
    expect(cipher).not.toContain('my-access-code')
    expect(Buffer.from(cipher.replace(/^\w+:/, ''), 'base64').toString('utf8')).not.toContain('my-access-code')
    expect(box.decrypt(cipher)).toBe('my-access-code')
    box.encrypt('second')
    expect(ask).toHaveBeenCalledTimes(1)

    const restarted = new SafeStorageSecretBox({ store, safeStorage: fake.safeStorage, platform: 'win32', askPlaintext: () => true })
    expect(() => restarted.decrypt(cipher)).toThrow(/earlier session only.*sign in again/i)
    // The remembered "deny" still holds after the restart.
    expect(restarted.encrypt('third').startsWith('session:')).toBe(true)
  })

  it('the default prompt is a warning dialog; only the explicit "store without encryption" button allows plaintext', () => {
    fake.dialog.showMessageBoxSync.mockImplementation(() => 1)
    expect(askPlaintextConsent()).toBe(true)
    const opts = fake.dialog.showMessageBoxSync.mock.calls[0]![0] as { type: string; buttons: string[]; detail: string; cancelId: number; defaultId: number }
    expect(opts.type).toBe('warning')
    expect(opts.detail).toMatch(/WITHOUT encryption/)
    expect(opts.buttons[1]).toMatch(/without encryption/i)
    expect(opts.cancelId).toBe(0)
    expect(opts.defaultId).toBe(0)
    fake.dialog.showMessageBoxSync.mockImplementation(() => 0)
    expect(askPlaintextConsent()).toBe(false)
  })

  it('the dialog speaks the given language, the same buttons in the same places', () => {
    type BoxOptions = { title: string; message: string; detail: string; buttons: string[] }
    const shown = (): BoxOptions => fake.dialog.showMessageBoxSync.mock.calls.at(-1)![0] as unknown as BoxOptions
    askPlaintextConsent('zh-CN')
    expect(shown()).toMatchObject({ title: '未找到系统密钥环', message: 'MioDesk 找不到可用来加密访问码和密码的系统密钥环。', buttons: ['仅本次运行期间保留', '不加密保存'] })
    expect(shown().detail).toMatch(/未加密的明文/)
    askPlaintextConsent('en')
    expect(shown()).toMatchObject({ title: 'No system keyring', buttons: ['Keep for this session only', 'Store without encryption'] })
    // By default, the system's language.
    fake.app.locale = 'zh-CN'
    askPlaintextConsent()
    expect(shown().title).toBe('未找到系统密钥环')
    fake.app.locale = 'en-US'
    askPlaintextConsent()
    expect(shown().title).toBe('No system keyring')
  })

  it('uses the dialog by default, asking once through the real prompt path', () => {
    fake.safeStorage.backend = 'basic_text'
    fake.dialog.showMessageBoxSync.mockImplementation(() => 0)
    const box = new SafeStorageSecretBox({ store: new MemoryStore(), safeStorage: fake.safeStorage, platform: 'linux' })
    box.encrypt('a')
    box.encrypt('b')
    expect(fake.dialog.showMessageBoxSync).toHaveBeenCalledTimes(1)
  })

  it('a prompt that throws counts as refusal', () => {
    fake.safeStorage.available = false
    const store = new MemoryStore()
    const box = new SafeStorageSecretBox({
      store,
      safeStorage: fake.safeStorage,
      platform: 'darwin',
      askPlaintext: () => {
        throw new Error('no display')
      }
    })
    expect(box.encrypt('x').startsWith('session:')).toBe(true)
    expect(store.get(PLAINTEXT_CONSENT_KEY)).toBe('deny')
  })

  it('rejects unrecognised stored values', () => {
    const box = new SafeStorageSecretBox({ store: new MemoryStore(), safeStorage: fake.safeStorage, platform: 'linux' })
    expect(() => box.decrypt('raw-token')).toThrow(/Unrecognised/)
  })
})
