/**
 * AppCore: the main process's state without Electron — settings, app info, the events the renderer
 * receives, and the account registry (every platform's accounts behind one interface). The Electron
 * shell (ipc.ts) and the browser bridge both drive it through the same handler table (handlers.ts).
 */
import { coreText } from '../shared/core-text'
import { EventEmitter } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChatMessage } from '../shared/mio'
import type { AppInfo, ExportOutcome, MainEventName, MainEvents, Settings, StorageFault } from '../shared/api'
import { DEFAULT_SETTINGS } from '../shared/api'
import { MioAccounts, type MioAccountsTuning } from './accounts/mio/provider'
import type { AccountContext } from './accounts/provider'
import { optionalText, requireId } from './validate'
import { AccountRegistry } from './accounts/registry'
import { YunhuAccounts, type YunhuAccountsTuning } from './accounts/yunhu/provider'
import { monotonicClock } from './clock'
import { MediaError, MediaService, type MediaServiceOptions } from './media/service'
import { OutgoingFiles } from './media/outgoing'
import type { MediaErrorBody } from '../shared/media'
import { silentLogger, type Logger } from './log'
import { MemoryHistory, MemoryOutbox, isOutboxStore, type HistoryStore, type OutboxStore } from './storage/history'
import { readFile } from 'node:fs/promises'
import { EXPORT_FORMATS, exportConversation, exportFileName, writeExportFile, type ExportFormat } from './export'
import { serverHttpBase } from '../shared/model/media-values'
import { resolveLocale } from '../shared/locale'
import { searchQueryOf } from './storage/search'
import type { HistorySearchHit } from '../shared/search'
import { GuardedHistory } from './storage/guarded-history'
import { KEYS } from './storage/keys'
import type { KeyValueStore, SecretBox } from './storage/storage'
import { BackupService } from './backup/service'
import { dirname, isAbsolute } from 'node:path'

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
  /**
   * Where an export goes: the host asks (Electron's save dialog) or picks (the browser host's exports
   * folder, with a URL the page may open); undefined when the user cancelled. Absent: exports are refused.
   */
  exportTarget?: (fileName: string, format: ExportFormat) => Promise<{ path: string; url?: string } | undefined>
  /** Where a new backup goes (a save dialog, or the backups folder with a URL); undefined: cancelled. Absent: refused. */
  backupTarget?: (fileName: string) => Promise<{ path: string; url?: string } | undefined>
  /** The backup file to restore, chosen in the host's open dialog; undefined: cancelled. */
  backupSource?: () => Promise<string | undefined>
  /** The profile's backups folder, whose files a restore may name (browser host). */
  backupsDir?: string
  /** The profile folder (temp files and the profile kept aside on a restore); default: the database's folder. */
  profileDir?: string
  /** scrypt cost for backups (tests). */
  backupKdf?: { N: number; r: number; p: number }
  /** The system's preferred languages (for `locale: 'system'`). */
  systemLanguages?: () => readonly unknown[]
  /** Interval between coalesced stream events, ms (one animation frame). */
  streamFlushMs?: number
  /** Settings files found damaged at start and moved aside (their new paths), to tell the user. */
  damagedFiles?: string[]
  /** Yunhu client tuning (tests). */
  yunhu?: YunhuAccountsTuning
  /** The media cache folder (default: miodesk-media in the system's temp folder). */
  mediaDir?: string
  /** Files waiting to be sent (default: beside the media cache, `<mediaDir>-outgoing`). */
  outgoingDir?: string
  /** MediaService limits (tests). */
  mediaOptions?: Pick<MediaServiceOptions, 'maxFileBytes' | 'maxTotalBytes' | 'timeoutMs' | 'failureTtlMs'>
}

/** A list of `accountId:contactId` keys (muted conversations, conversations whose remote images load). */
function conversationKeys(v: unknown): boolean {
  return Array.isArray(v) && v.length <= 10_000 && v.every((x) => typeof x === 'string' && x.length < 400)
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
  mutedConversations: conversationKeys,
  remoteMedia: (v) => v === 'ask' || v === 'always',
  remoteMediaConversations: conversationKeys,
  autoBackupFolder: (v) => typeof v === 'string' && v.length < 1000 && (v === '' || isAbsolute(v)),
  autoBackupKeep: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100
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
  /** Files handed over to be sent (pictures, files, voice, video), kept until their message is sent. */
  readonly outgoing: OutgoingFiles
  /** Backup and restore of the whole profile. */
  readonly backup: BackupService
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
    const mediaDir = options.mediaDir ?? join(tmpdir(), 'miodesk-media')
    this.outgoing = new OutgoingFiles(options.outgoingDir ?? `${mediaDir.replace(/[\\/]+$/, '')}-outgoing`)
    this.yunhu = new YunhuAccounts(context, { ...options.yunhu, outgoing: this.outgoing })
    this.accounts = new AccountRegistry([this.mio, this.yunhu])
    this.backup = new BackupService({
      store: options.store,
      secrets: options.secrets,
      history: this.history,
      durable,
      outbox: this.outbox,
      appVersion: options.version,
      profileDir: options.profileDir ?? ('file' in durable && typeof durable.file === 'string' && durable.file !== ':memory:' ? dirname(durable.file) : join(tmpdir(), 'miodesk-profile')),
      stopAccounts: () => this.accounts.stop(),
      startAccounts: () => this.accounts.start(),
      reloaded: () => {
        const stored = options.store.get(KEYS.settings) ?? {}
        const ok = Object.entries(stored).filter(([k, v]) => Object.prototype.hasOwnProperty.call(SETTING_CHECKS, k) && SETTING_CHECKS[k as keyof Settings](v))
        this.settings = { ...DEFAULT_SETTINGS, ...Object.fromEntries(ok) }
        options.store.set(KEYS.settings, this.settings)
        this.emit('settings', { ...this.settings })
        this.emit('accounts', { accounts: this.accounts.list() })
        this.backup.schedule(this.settings)
      },
      target: options.backupTarget,
      source: options.backupSource,
      backupsDir: options.backupsDir,
      kdf: options.backupKdf,
      logger: options.logger
    })
    this.media = new MediaService({
      dir: mediaDir,
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
    this.backup.schedule(this.settings)
    return this.accounts.start()
  }

  async stop(): Promise<void> {
    this.backup.schedule(undefined)
    await this.accounts.stop()
    // One more try for what a full disk held back, then stop trying.
    if (this.history.heldCount) this.history.retry()
    this.history.close()
  }

  /**
   * Exports a conversation (or the chosen messages of it) to where the host says, streamed from the
   * history; null when the user cancelled the save dialog.
   */
  async exportConversation(accountId: unknown, contactId: unknown, format: unknown, options?: unknown): Promise<ExportOutcome | null> {
    const a = requireId(accountId, 'account')
    const c = optionalText(contactId, 'conversation', 400)
    if (!c) throw new Error(coreText('conversationMissing'))
    if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format)) throw new Error(coreText('exportChooseFormat'))
    const fmt = format as ExportFormat
    const o = (typeof options === 'object' && options !== null ? options : {}) as { messageIds?: unknown }
    const messageIds = Array.isArray(o.messageIds) ? o.messageIds.filter((x): x is string => typeof x === 'string').slice(0, 100_000) : undefined
    if (!this.o.exportTarget) throw new Error(coreText('exportNotHere'))
    const account = this.accounts.list().find((x) => x.id === a)
    if (!account) throw new Error(coreText('accountGone'))
    let contactName = c
    try {
      // (AbortSignal.timeout keeps no process alive and needs no clearing)
      const late = new Promise<undefined>((r) => AbortSignal.timeout(3000).addEventListener('abort', () => r(undefined)))
      const contacts = await Promise.race([this.accounts.contacts(a), late])
      contactName = contacts?.find((x) => x.id === c)?.name || c
    } catch {
      /* offline: the id stands in for the name */
    }
    const now = new Date()
    const fileName = exportFileName(contactName, fmt, now)
    const target = await this.o.exportTarget(fileName, fmt)
    if (!target) return null
    const locale = resolveLocale(this.getSettings().locale, this.o.systemLanguages ?? (() => []))
    const meta = { accountId: a, accountName: account.displayName || account.label || account.userId, platform: account.kind, contactId: c, contactName, locale, now, serverBase: serverHttpBase(account.server) }
    const fetchImage = (url: string) => this.exportImage(a, url, meta.serverBase)
    const r = await writeExportFile(target.path, (sink) => exportConversation(this.history.iterate(a, c), meta, fmt, sink, { messageIds, fetchImage }))
    return { fileName, path: target.path, url: target.url, format: fmt, messages: r.messages, bytes: r.bytes }
  }

  /** An image for an export: through the media service where the account has one, else from its own server only. */
  private async exportImage(accountId: string, url: string, serverBase: string): Promise<{ mime: string; bytes: Uint8Array } | undefined> {
    if (this.accounts.mediaPolicy(accountId)) {
      const got = await this.media.get(accountId, url)
      return { mime: got.contentType, bytes: await readFile(got.path) }
    }
    if (!serverBase || new URL(url).origin !== new URL(serverBase).origin) return undefined
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' })
    if (!res.ok) return undefined
    const bytes = new Uint8Array(await res.arrayBuffer())
    return { mime: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(), bytes }
  }

  /**
   * The messages around one (a search hit, a quote): from the local history when it has the message (20
   * before, 20 after), else from the platform where it can fetch them (Yunhu: list-message-by-mid-seq).
   */
  async historyAround(accountId: unknown, contactId: unknown, messageId: unknown): Promise<ChatMessage[]> {
    const a = requireId(accountId, 'account')
    const c = optionalText(contactId, 'conversation', 400)
    const id = optionalText(messageId, 'message id', 400)
    const m = c && id ? this.history.get(a, c, id) : undefined
    if (m) return [...this.history.list(a, c, m.time, 20), m, ...this.history.listAfter(a, c, m.time, 20).filter((x) => x.id !== m.id)]
    return this.accounts.around(a, c, id)
  }

  /** The local full-text search over every stored message (the query is checked: it comes from the renderer). */
  searchHistory(query: unknown): HistorySearchHit[] {
    return this.history.search(searchQueryOf(query))
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
    if ('autoBackupFolder' in (patch ?? {}) || 'autoBackupKeep' in (patch ?? {})) this.backup.schedule(next)
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
