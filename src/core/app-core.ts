/**
 * AppCore: the main process's state without Electron — settings, app info, the events the renderer
 * receives, and the account registry (every platform's accounts behind one interface). The Electron
 * shell (ipc.ts) and the browser bridge both drive it through the same handler table (handlers.ts).
 */
import { coreText } from '../shared/core-text'
import { EventEmitter } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AppInfo, MainEventName, MainEvents, Settings, StorageFault } from '../shared/api'
import { DEFAULT_SETTINGS } from '../shared/api'
import { MioAccounts, type MioAccountsTuning } from './accounts/mio/provider'
import type { AccountContext } from './accounts/provider'
import { AccountRegistry } from './accounts/registry'
import { YunhuAccounts, type YunhuAccountsTuning } from './accounts/yunhu/provider'
import { monotonicClock } from './clock'
import { MediaError, MediaService, type MediaServiceOptions } from './media/service'
import type { MediaErrorBody } from '../shared/media'
import { silentLogger, type Logger } from './log'
import { MemoryHistory, MemoryOutbox, isOutboxStore, type HistoryStore, type OutboxStore } from './storage/history'
import { GuardedHistory } from './storage/guarded-history'
import { KEYS } from './storage/keys'
import type { KeyValueStore, SecretBox } from './storage/storage'

export type CoreEvents = { [K in MainEventName]: [MainEvents[K]] }

export interface AppCoreOptions extends MioAccountsTuning {
  store: KeyValueStore
  secrets: SecretBox
  history?: HistoryStore
  logger?: Logger
  host: 'electron' | 'browser'
  version: string
  suggestedAccount?: AppInfo['suggestedAccount']
  openExternal: (url: string) => Promise<void>
  /** Saves a remote file with the host's save dialog (Electron); absent where the host has none. */
  saveUrl?: (url: string) => Promise<void>
  /** Interval between coalesced stream events, ms (one animation frame). */
  streamFlushMs?: number
  /** Settings files found damaged at start and moved aside (their new paths), to tell the user. */
  damagedFiles?: string[]
  /** Yunhu client tuning (tests). */
  yunhu?: YunhuAccountsTuning
  /** The media cache folder (default: miodesk-media in the system's temp folder). */
  mediaDir?: string
  /** MediaService limits (tests). */
  mediaOptions?: Pick<MediaServiceOptions, 'maxFileBytes' | 'maxTotalBytes' | 'timeoutMs' | 'failureTtlMs'>
}

/** Each setting's check; a patch may only name these (own properties: "toString" is not a setting). */
const SETTING_CHECKS: { [K in keyof Settings]: (v: unknown) => boolean } = {
  locale: (v) => v === 'system' || v === 'zh-CN' || v === 'en',
  theme: (v) => v === 'system' || v === 'light' || v === 'dark',
  sendKey: (v) => v === 'enter' || v === 'ctrl-enter',
  heartbeatIntervalMs: (v) => typeof v === 'number' && v >= 500 && v <= 120_000,
  notifications: (v) => typeof v === 'boolean',
  privacyMode: (v) => typeof v === 'boolean',
  closeToTray: (v) => typeof v === 'boolean',
  mutedConversations: (v) => Array.isArray(v) && v.length <= 10_000 && v.every((x) => typeof x === 'string' && x.length < 400)
}

export class AppCore {
  readonly events = new EventEmitter<CoreEvents>()
  readonly history: GuardedHistory
  /** The last storage fault (null: none): the renderer asks for it at start, then follows `storage` events. */
  private storageFault: StorageFault | null = null
  /** The outbox: the history's own (same database, same transactions) or an in-memory one beside it. */
  readonly outbox: OutboxStore
  /** Every account, routed by id to its platform's provider. */
  readonly accounts: AccountRegistry
  /** The platforms' providers, for their protocol-only operations. */
  readonly mio: MioAccounts
  readonly yunhu: YunhuAccounts
  /** Platform media for the renderer (Yunhu's need a Referer), fetched and cached on disk. */
  readonly media: MediaService
  private readonly o: AppCoreOptions
  private settings: Settings

  constructor(options: AppCoreOptions) {
    this.o = options
    const durable = options.history ?? new MemoryHistory()
    // A failed write never loses a message: it is held in memory, shown, and written again (see GuardedHistory).
    this.history = new GuardedHistory(durable, {
      logger: options.logger,
      onFault: (fault) => {
        this.storageFault = fault
        this.emit('storage', { fault })
      }
    })
    this.outbox = isOutboxStore(durable) ? durable : new MemoryOutbox(this.history)
    this.settings = { ...DEFAULT_SETTINGS, ...(options.store.get(KEYS.settings) ?? {}) }
    const context: AccountContext = {
      store: options.store,
      secrets: options.secrets,
      history: this.history,
      outbox: this.outbox,
      logger: options.logger ?? silentLogger,
      clock: monotonicClock(),
      emit: (event, payload) => this.emit(event, payload),
      settings: () => this.getSettings(),
      accountsChanged: () => this.emit('accounts', { accounts: this.accounts.list() }),
      forgetHistory: (accountId) => {
        this.history.clearAccount(accountId)
        if (this.outbox instanceof MemoryOutbox) this.outbox.clearAccount(accountId)
      },
      streamFlushMs: options.streamFlushMs
    }
    this.mio = new MioAccounts(context, options)
    this.yunhu = new YunhuAccounts(context, options.yunhu)
    this.accounts = new AccountRegistry([this.mio, this.yunhu])
    this.media = new MediaService({
      dir: options.mediaDir ?? join(tmpdir(), 'miodesk-media'),
      policyOf: (accountId) => this.accounts.mediaPolicy(accountId),
      logger: options.logger,
      ...options.mediaOptions
    })
  }

  emit<E extends MainEventName>(event: E, payload: MainEvents[E]): void {
    ;(this.events as unknown as EventEmitter).emit(event, payload)
  }

  /** Reconnects every stored account (in the background). */
  start(): Promise<void> {
    return this.accounts.start()
  }

  async stop(): Promise<void> {
    await this.accounts.stop()
    // One more try for what a full disk held back, then stop trying.
    if (this.history.heldCount) this.history.retry()
    this.history.close()
  }

  info(): AppInfo {
    return {
      version: this.o.version,
      platform: process.platform,
      host: this.o.host,
      suggestedAccount: this.accounts.list().length === 0 ? this.o.suggestedAccount : undefined,
      storageFault: this.storageFault,
      ...(this.o.damagedFiles?.length ? { damagedFiles: [...this.o.damagedFiles] } : {})
    }
  }

  async openExternal(url: string): Promise<void> {
    await this.o.openExternal(httpUrl(url, 'links can be opened'))
  }

  /** Saves an http/https file through the host (a save dialog and progress events), where it can. */
  async saveUrl(url: string): Promise<void> {
    const u = httpUrl(url, 'files can be saved')
    if (!this.o.saveUrl) throw new Error(coreText('browserSaves'))
    await this.o.saveUrl(u)
  }

  /** Why an account's media URL does not load, in words (null: it loads). Never throws. */
  async mediaStatus(accountId: string, url: string): Promise<MediaErrorBody['error'] | null> {
    try {
      await this.media.get(String(accountId ?? ''), String(url ?? ''))
      return null
    } catch (e) {
      if (e instanceof MediaError) return { code: e.code, message: e.message }
      return { code: 'network', message: e instanceof Error ? e.message : coreText('mediaNotLoaded') }
    }
  }

  getSettings(): Settings {
    return { ...this.settings }
  }

  setSettings(patch: Partial<Settings>): Settings {
    const next: Settings = { ...this.settings }
    if (patch !== undefined && (typeof patch !== 'object' || patch === null || Array.isArray(patch))) throw new Error(coreText('settingsObject'))
    for (const [k, v] of Object.entries(patch ?? {})) {
      const check = Object.prototype.hasOwnProperty.call(SETTING_CHECKS, k) ? SETTING_CHECKS[k as keyof Settings] : undefined
      if (!check) throw new Error(`Unknown setting "${k}"`)
      if (!check(v)) throw new Error(`Invalid value for setting "${k}"`)
      ;(next as unknown as Record<string, unknown>)[k] = v
    }
    this.settings = next
    this.o.store.set(KEYS.settings, next)
    this.emit('settings', { ...next })
    return { ...next }
  }
}

/** A caller's address as a normalised http/https URL, or an error in words ("Only http and https <what>"). */
function httpUrl(url: string, what: string): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new Error(coreText('linkInvalid'))
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`Only http and https ${what}`)
  return u.toString()
}
