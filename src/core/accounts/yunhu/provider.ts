/**
 * YunhuAccounts: the Yunhu (云湖) accounts of the app, beside AppCore's Mio-Chat ones (AppCore owns
 * one and dispatches to it by account kind).
 *
 * - Accounts log in with email + password (the password is never stored) or a token; the token is
 *   kept encrypted with the SecretBox and never logged.
 * - Each account has a push socket (YunhuPush): pushed messages, recalls, edits, streamed bot
 *   replies (coalesced to one `message` event per `streamFlushMs`) and board changes.
 * - Conversations are Contacts (the conversation list, cached and kept current by pushes); messages
 *   are ChatMessages in the shared HistoryStore, paged from the server when the store runs out.
 * - A -101 from any HTTP call, or the push socket's login refused, marks the account "log in again":
 *   `relogin-required` is emitted, contacts and history stay, and `relogin` resumes the account.
 */
import { coreText } from '../../../shared/core-text'
import { accountDisplayName } from '../../../shared/account-name'
import { randomBytes, randomUUID } from 'node:crypto'
import type { A2uiSubmit, AccountInfo, AddYunhuAccountInput, Contact, SearchHit, YunhuBoard } from '../../../shared/api'
import type { YunhuAddressBook, YunhuProfile, YunhuRequests } from '../../../shared/yunhu-social'
import type { ConnectionStatus } from '../../../shared/connection'
import type { ChatMessage, Segment } from '../../../shared/mio'
import type { AccountCapabilities } from '../../../shared/model/capabilities'
import { YunhuContentType, type YunhuBotData, type YunhuPushMessage } from '../../../shared/yunhu'
import {
  YUNHU_DEFAULT_API,
  YUNHU_DEFAULT_WS,
  type YunhuBanner,
  type YunhuBotDetailResult,
  type YunhuBotLlmSettings,
  type YunhuCreateBotInput,
  type YunhuEditBotRequest,
  type YunhuGroupSettings,
  type YunhuLlmModel,
  type YunhuMyBotsResult,
  type YunhuPlatform,
  type YunhuPushUpdate,
  type YunhuSettingsForm,
  type YunhuSettingsValues,
  type YunhuStoreBot
} from '../../../shared/yunhu-api'
import { friendlyError } from '../../errors'
import { YunhuApi, newYunhuMsgId } from '../../protocols/yunhu/api'
import { YunhuApiError, YunhuHttp, YunhuHttpStatusError, YunhuLoggedOutError } from '../../protocols/yunhu/http'
import { YunhuPush, type YunhuPushOptions } from '../../protocols/yunhu/push'
import { YunhuSocialApi, type YunhuSticky } from '../../protocols/yunhu/social'
import { addressBookOf, applyPins, botProfileOf, requestsOf, searchHitsOf, userProfileOf } from './conversations'
import { YunhuSettingsError, validateSettingsForm, validateSettingsValues } from '../../protocols/yunhu/settings-schema'
import { putMany, type OutboxEntry } from '../../storage/history'
import { KEYS } from '../../storage/keys'
import { TransportError } from '../../transport/errors'
import { optionalText, pageArgs, requireHttpUrl, requireId } from '../../validate'
import { OutboxPump, type OutboxLink, type SendFailure } from '../outbox'
import type { AccountContext, AccountProvider, SendOptions } from '../provider'
import { lastMessageOf, previewOf } from '../preview'
import { StoredAccounts } from '../stored-accounts'
import type { MediaPolicy } from '../../media/policy'
import { yunhuMediaPolicy, yunhuMediaUrl } from './media'
import { OutgoingFiles } from '../../media/outgoing'
import type { StickerCatalog } from '../../../shared/media'
import { hasMediaPart, YunhuMediaSender, type MediaAccount } from './send-media'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { YunhuGroups } from './groups'
import { StreamCoalescer, type StreamTarget } from '../stream-coalescer'
import {
  boardOf,
  chatTypeOfKind,
  conversationToContact,
  kindOfChatType,
  messageSegments,
  msgDataToMessage,
  pushToMessage,
  textOf,
  withText,
  yunhuCapabilities,
  type NameOf,
  type YunhuContact
} from './mapping'

/** Tuning for tests and the CLI; the app uses the defaults. */
export interface YunhuAccountsTuning {
  /** Push socket options (heartbeat, backoff, login settle time …). */
  push?: Partial<Omit<YunhuPushOptions, 'url' | 'userId' | 'token' | 'deviceId' | 'logger'>>
  /** Per-call HTTP timeout, ms. */
  httpTimeoutMs?: number
  fetch?: typeof fetch
  /** How long add/relogin wait for the push socket before returning (it keeps connecting), ms. Default 8000. */
  connectWaitMs?: number
  /** How long contacts:list waits for a fresh conversation list before answering from the cache, ms. Default 3000. */
  contactsWaitMs?: number
  /**
   * How often the conversation list is read again while online, ms (unread counts read on another
   * device, pins; an unchanged list costs an md5). Default 30000 (VUE: 20 s while its socket is up); 0: never.
   */
  contactsPollMs?: number
  /** The OS the push login names (default: this process's). */
  platform?: NodeJS.Platform
  /** A stream with no new chunk for this long is stored as it is, ms. Default 5000. */
  streamIdleMs?: number
  /** Files waiting to be sent (the app's; default a folder in the system's temp folder). */
  outgoing?: OutgoingFiles
  /** The upload host for an API base (tests); default: send-media.ts defaultUploadBase. */
  uploadBase?: (api: string) => string | undefined
}

export interface StoredYunhuAccount {
  id: string
  kind: 'yunhu'
  label: string
  /** API base URL. */
  api: string
  /** Push WebSocket URL. */
  ws: string
  userId: string
  /** Whether the user gave the label (absent on accounts stored before: told from its form, see isMadeUpLabel). */
  labelGiven?: boolean
  /** The user's nickname on Yunhu (GET /v1/user/info). */
  name?: string
  avatar?: string
  /** The login email (for the relogin form); never the password. */
  email?: string
  /** The account token, encrypted with the SecretBox. */
  secret: string
}

/** A bot reply being streamed: its latest whole message (stored at the start, at checkpoints and at the end). */
interface PendingStream {
  message: ChatMessage
  /** The text the renderer has been sent so far (deltas append to it). */
  shown: string
  /** Ends the stream when no chunk comes for a while. */
  idle: ReturnType<typeof setTimeout>
}

interface LiveYunhu {
  stored: StoredYunhuAccount
  api: YunhuApi
  /** Conversations and people (read, pin, mute, address book, requests, profiles, forward, search). */
  social: YunhuSocialApi
  /** The pinned chats as sticky/list last said. */
  pins?: YunhuSticky[]
  push?: YunhuPush
  /** The token was refused (-101 / push login refused): waiting for relogin. */
  needsLogin: boolean
  closed: boolean
  /** Went online at least once with the current push socket. */
  wasOnline: boolean
  contacts: Map<string, YunhuContact>
  md5?: string
  /** Conversations whose latest page was fetched since the last (re)connect. */
  fresh: Set<string>
  /** Conversations whose first message is in the store. */
  complete: Set<string>
  streams: Map<string, PendingStream>
  outbox: OutboxPump
  contactsTimer?: ReturnType<typeof setTimeout>
  pollTimer?: ReturnType<typeof setInterval>
  refreshing?: Promise<void>
}


export const YUNHU_RELOGIN_MESSAGE = coreText('yunhuRelogin')
const MAX_TEXT = 20_000
const PAGE_MAX = 100

/** The push WebSocket URL for an API base: ws://host:port/ws for a plain-http (local) server, else the default. */
export function yunhuWsUrl(api: string): string {
  const u = new URL(api)
  if (u.protocol === 'http:') return `ws://${u.host}/ws`
  return YUNHU_DEFAULT_WS
}

/** The push platform for an OS (one of the values the server accepts). */
export function yunhuPlatformOf(p: NodeJS.Platform): YunhuPlatform {
  return p === 'win32' ? 'windows' : p === 'darwin' ? 'macos' : 'linux'
}

/** Anything thrown by the Yunhu client, as a sentence for the user. */
export function yunhuErrorText(e: unknown): string {
  if (e instanceof YunhuLoggedOutError) return YUNHU_RELOGIN_MESSAGE
  if (e instanceof YunhuSettingsError) return e.message
  if (e instanceof YunhuApiError) return coreText('yunhuRefusedWhy', { why: e.msg || coreText('yunhuServerError', { code: String(e.code) }) })
  return friendlyError(e)
}

function normalizeApi(s: string | undefined): string {
  let t = String(s ?? '').trim() || YUNHU_DEFAULT_API
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) t = `https://${t}`
  let u: URL
  try {
    u = new URL(t)
  } catch {
    throw new Error(coreText('yunhuApiInvalid'))
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(coreText('yunhuApiScheme'))
  u.search = ''
  u.hash = ''
  return u.toString().replace(/\/$/, '')
}

function normalizeWs(s: string): string {
  let u: URL
  try {
    u = new URL(s.trim())
  } catch {
    throw new Error(coreText('yunhuWsInvalid'))
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(coreText('yunhuWsScheme'))
  return u.toString()
}




const YUNHU_CONTENT_TYPES = { text: YunhuContentType.Text, markdown: YunhuContentType.Markdown, html: YunhuContentType.Html } as const

/** What a Yunhu message carries, read from its parts: one text, Markdown or HTML body and an optional quote. */
export function draftOf(segments: unknown): { contentType: keyof typeof YUNHU_CONTENT_TYPES; text: string; quoteId?: string; quoteText?: string; mentions?: string[] } {
  if (!Array.isArray(segments) || segments.length === 0) throw new Error(coreText('messageEmpty'))
  let body: { contentType: keyof typeof YUNHU_CONTENT_TYPES; text: string } | undefined
  let quoteId: string | undefined
  let quoteText: string | undefined
  const mentions: string[] = []
  for (const s of segments as Segment[]) {
    const data = s && typeof s === 'object' && s.data && typeof s.data === 'object' ? s.data : {}
    const type = s && typeof s === 'object' ? s.type : undefined
    if (type === 'reply') {
      if (typeof data.id === 'string' || typeof data.id === 'number') quoteId = String(data.id)
      if (typeof data.text === 'string') quoteText = data.text
    } else if ((type === 'text' || type === 'markdown' || type === 'html') && !body) {
      const text = type === 'html' ? data.html : data.text
      body = { contentType: type, text: typeof text === 'string' ? text : '' }
    } else if (type === 'text' && body?.contentType === 'text') {
      body.text += typeof data.text === 'string' ? data.text : ''
    } else if (type === 'at' && (!body || body.contentType === 'text')) {
      body ??= { contentType: 'text', text: '' }
      body.text += `@${String(data.name ?? data.qq ?? '')}`
      // The "@name" stays in the text; the id goes in content.mentioned_id (facts §2.3).
      const id = typeof data.qq === 'string' || typeof data.qq === 'number' ? String(data.qq) : ''
      if (id && !mentions.includes(id)) mentions.push(id)
    } else {
      throw new Error(coreText('yunhuBodyQuote'))
    }
  }
  if (!body) throw new Error(coreText('yunhuBody'))
  return { ...body, ...(quoteId ? { quoteId } : {}), ...(quoteText !== undefined ? { quoteText } : {}), ...(mentions.length ? { mentions } : {}) }
}

export class YunhuAccounts implements AccountProvider {
  readonly kind = 'yunhu' as const
  readonly capabilities: AccountCapabilities = { modelContacts: false, botConsole: true, relogin: true, ping: false, media: true, uploads: true }
  private readonly stored: StoredAccounts<StoredYunhuAccount>
  /** The accounts started in this session, by id. */
  private readonly live = new Map<string, LiveYunhu>()
  /** Bot replies streamed in pieces, coalesced like every other stream. */
  private readonly streamer: StreamCoalescer
  /** Pictures, files, voice, video and stickers (send-media.ts). */
  readonly media: YunhuMediaSender
  /** Groups (info, members, mute, remove) and bot commands: groups.ts. */
  readonly groups = new YunhuGroups({
    session: (accountId, contactId) => {
      const la = this.need(accountId)
      if (la.needsLogin) throw new Error(YUNHU_RELOGIN_MESSAGE)
      return { api: la.api, userId: la.stored.userId, chatType: this.requireChat(la, contactId), name: la.contacts.get(contactId)?.name ?? '' }
    },
    call: (accountId, fn) => this.call(accountId, (api) => fn(api)),
    record: (accountId, m) => {
      const la = this.need(accountId)
      const stored = this.put(la, m)
      this.touchContact(la, stored, false)
      return stored
    },
    now: () => this.c.clock()
  })

  constructor(
    private readonly c: AccountContext,
    private readonly o: YunhuAccountsTuning = {}
  ) {
    this.stored = new StoredAccounts(c.store, KEYS.yunhuAccounts)
    this.streamer = new StreamCoalescer((d) => c.emit('stream', d), { flushMs: c.streamFlushMs, checkpoint: (t) => this.checkpoint(t) })
    this.media = new YunhuMediaSender({
      files: o.outgoing ?? new OutgoingFiles(join(tmpdir(), 'miodesk-outgoing')),
      emit: c.emit,
      logger: c.logger,
      fetch: o.fetch,
      uploadBase: o.uploadBase
    })
  }

  private mediaAccount(la: LiveYunhu): MediaAccount {
    return { accountId: la.stored.id, api: la.api, apiBase: la.stored.api, isOnline: () => !la.closed && !la.needsLogin && la.push?.status.state === 'online', nameOf: this.nameOf(la) }
  }

  /** True when the account id is a Yunhu account (stored or live). */
  owns(accountId: string): boolean {
    return this.live.has(accountId) || this.stored.has(accountId)
  }

  /** Yunhu's media hosts answer 403 without their Referer: the app loads them through the MediaService. */
  mediaPolicy(accountId: string): MediaPolicy | undefined {
    const acc = this.live.get(accountId)?.stored ?? this.stored.get(accountId)
    return acc ? yunhuMediaPolicy(acc.api) : undefined
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts every stored account in the background (push socket + conversation list). */
  async start(): Promise<void> {
    this.stored.startAll(
      (id) => this.live.has(id),
      (acc) => {
        const la = this.spawn(acc, this.c.secrets.decrypt(acc.secret))
        la.push?.start()
        void this.refreshContacts(la).catch((e) => this.c.logger.warn(`Yunhu ${acc.label}: conversation list: ${yunhuErrorText(e)}`))
      },
      this.c.logger
    )
  }

  async stop(): Promise<void> {
    for (const la of this.live.values()) this.shutdown(la)
    this.live.clear()
  }

  private shutdown(la: LiveYunhu): void {
    la.closed = true
    la.outbox.close()
    for (const id of [...la.streams.keys()]) this.flushStream(la, id)
    if (la.contactsTimer) {
      clearTimeout(la.contactsTimer)
      la.contactsTimer = undefined
      this.saveContacts(la)
    }
    if (la.pollTimer) clearInterval(la.pollTimer)
    la.pollTimer = undefined
    this.dropPush(la)
    la.api.http.removeAllListeners()
  }

  private dropPush(la: LiveYunhu): void {
    const p = la.push
    if (!p) return
    la.push = undefined
    p.removeAllListeners()
    p.on('status', () => {})
    p.stop()
  }

  // ------------------------------------------------------------------ accounts

  private deviceId(): string {
    let id = this.c.store.get(KEYS.yunhuDevice)
    if (!id) {
      id = randomBytes(16).toString('hex')
      this.c.store.set(KEYS.yunhuDevice, id)
    }
    return id
  }

  list(): AccountInfo[] {
    return this.stored.all().map((a) => this.accountInfo(a))
  }

  private status(la: LiveYunhu | undefined): ConnectionStatus {
    if (!la) return { state: 'offline' }
    if (la.needsLogin) return { state: 'failed', errorKind: 'auth', error: YUNHU_RELOGIN_MESSAGE }
    if (!la.push) return { state: 'offline' }
    return { ...la.push.status, delayMs: la.push.socket.delayMs }
  }

  private accountInfo(a: StoredYunhuAccount): AccountInfo {
    const displayName = accountDisplayName({ label: a.label, userId: a.userId, server: a.api, platformName: a.name, labelGiven: a.labelGiven })
    const info: AccountInfo = { id: a.id, kind: 'yunhu', label: a.label, displayName, ...(a.name ? { nickname: a.name } : {}), server: a.api, userId: a.userId, status: this.status(this.live.get(a.id)), capabilities: this.capabilities }
    if (a.avatar) info.avatarUrl = a.avatar
    return info
  }

  private need(accountId: string): LiveYunhu {
    const la = this.live.get(accountId)
    if (!la) throw new Error(coreText('unknownYunhuAccount'))
    return la
  }

  private newHttp(api: string, token = ''): YunhuHttp {
    return new YunhuHttp({ baseUrl: api, token, timeoutMs: this.o.httpTimeoutMs, fetch: this.o.fetch, logger: this.c.logger })
  }

  /** Logs in (email + password, or a token) and reads the account's own id. Errors in words. */
  private async login(api: string, input: AddYunhuAccountInput): Promise<{ token: string; userId: string; name?: string; avatar?: string }> {
    const email = String(input?.email ?? '').trim()
    const password = String(input?.password ?? '')
    const given = String(input?.token ?? '').trim()
    if (!given && !(email && password)) throw new Error(email ? coreText('enterPassword') : coreText('enterEmailOrToken'))
    const client = new YunhuApi(this.newHttp(api, given))
    let token = given
    if (!given) {
      try {
        token = await client.emailLogin({ email, password, deviceId: this.deviceId(), platform: yunhuPlatformOf(this.o.platform ?? process.platform) })
      } catch (e) {
        if (e instanceof YunhuApiError && !(e instanceof YunhuLoggedOutError)) throw new Error(coreText('loginFailedWhy', { why: e.msg || coreText('wrongEmailOrPassword') }))
        throw new Error(coreText('loginFailedWhy', { why: yunhuErrorText(e) }))
      }
    }
    try {
      const me = await client.userInfo()
      if (!me.id) throw new Error(coreText('yunhuWhoUnknown'))
      return { token, userId: me.id, name: me.name || undefined, avatar: me.avatar_url || undefined }
    } catch (e) {
      if (e instanceof YunhuLoggedOutError) throw new Error(given ? coreText('yunhuTokenRefused') : coreText('yunhuNewLoginRefused'))
      throw new Error(yunhuErrorText(e))
    }
  }

  async add(raw: unknown): Promise<AccountInfo> {
    const input = (raw ?? {}) as AddYunhuAccountInput
    const api = normalizeApi(input?.api)
    const ws = typeof input.ws === 'string' && input.ws.trim() ? normalizeWs(input.ws) : yunhuWsUrl(api)
    const who = await this.login(api, input)
    const existing = this.stored.all().find((a) => a.api === api && a.userId === who.userId)
    if (existing) throw new Error(coreText('yunhuAlreadyAdded'))
    const email = String(input?.email ?? '').trim()
    const acc: StoredYunhuAccount = {
      id: randomUUID(),
      kind: 'yunhu',
      label: (typeof input.label === 'string' ? input.label.trim() : '') || (who.name ? `${who.name} (Yunhu)` : `${who.userId}@${new URL(api).host}`),
      api,
      ws,
      userId: who.userId,
      labelGiven: typeof input.label === 'string' && input.label.trim() !== '',
      secret: this.c.secrets.encrypt(who.token)
    }
    if (who.name) acc.name = who.name
    if (who.avatar) acc.avatar = who.avatar
    if (email) acc.email = email
    const la = this.spawn(acc, who.token)
    try {
      await this.connectPush(la)
    } catch (e) {
      this.shutdown(la)
      this.live.delete(acc.id)
      throw new Error(coreText('yunhuPushRefusedWhy', { why: friendlyError(e) }))
    }
    this.stored.add(acc)
    try {
      await this.refreshContacts(la)
    } catch (e) {
      this.c.logger.warn(`Yunhu ${acc.label}: conversation list: ${yunhuErrorText(e)}`)
    }
    this.c.accountsChanged()
    return this.accountInfo(acc)
  }

  /** After a -101: logs in again (the same Yunhu user) and resumes; contacts and history are kept. */
  async relogin(accountId: string, raw: unknown): Promise<AccountInfo> {
    const input = (raw ?? {}) as AddYunhuAccountInput
    const acc = this.stored.get(accountId)
    if (!acc) throw new Error(coreText('unknownYunhuAccount'))
    const who = await this.login(acc.api, input)
    if (who.userId !== acc.userId) throw new Error(coreText('yunhuOtherAccount'))
    const email = String(input?.email ?? '').trim()
    const next: StoredYunhuAccount = { ...acc, secret: this.c.secrets.encrypt(who.token) }
    if (who.name) next.name = who.name
    if (who.avatar) next.avatar = who.avatar
    if (email) next.email = email
    this.stored.replace(next)
    let la = this.live.get(accountId)
    if (la) {
      la.stored = next
      la.api.http.token = who.token
      la.needsLogin = false
      this.dropPush(la)
      la.push = this.newPush(la, who.token)
    } else {
      la = this.spawn(next, who.token)
    }
    // Messages may have arrived while logged out: fetch the latest page again on the next open.
    la.fresh.clear()
    la.md5 = undefined
    try {
      await this.connectPush(la)
    } catch (e) {
      throw new Error(coreText('yunhuPushRefusedWhy', { why: friendlyError(e) }))
    }
    try {
      await this.refreshContacts(la)
    } catch (e) {
      this.c.logger.warn(`Yunhu ${acc.label}: conversation list: ${yunhuErrorText(e)}`)
    }
    this.c.accountsChanged()
    return this.accountInfo(next)
  }

  remove(accountId: string): void {
    const la = this.live.get(accountId)
    if (la) this.shutdown(la)
    this.live.delete(accountId)
    this.stored.remove(accountId)
    this.c.store.delete(KEYS.yunhuContacts(accountId))
    this.c.forgetHistory(accountId)
    this.c.accountsChanged()
  }

  reconnect(accountId: string): void {
    const la = this.need(accountId)
    if (la.needsLogin) throw new Error(YUNHU_RELOGIN_MESSAGE)
    if (!la.push) la.push = this.newPush(la, la.api.http.token)
    la.push.stop()
    la.push.start()
  }

  private spawn(acc: StoredYunhuAccount, token: string): LiveYunhu {
    const api = new YunhuApi(this.newHttp(acc.api, token))
    const la: LiveYunhu = {
      stored: acc,
      api,
      social: new YunhuSocialApi(api.http),
      needsLogin: false,
      closed: false,
      wasOnline: false,
      contacts: new Map((this.c.store.get(KEYS.yunhuContacts(acc.id)) ?? []).map((c) => [c.id, c])),
      fresh: new Set(),
      complete: new Set(),
      streams: new Map(),
      outbox: undefined as unknown as OutboxPump
    }
    la.outbox = new OutboxPump(acc.id, this.outboxLink(la), this.c.outbox, this.c.history, this.c.emit, this.c.logger)
    const poll = this.o.contactsPollMs ?? 30_000
    if (poll > 0) {
      la.pollTimer = setInterval(() => {
        if (la.closed || la.needsLogin || la.push?.status.state !== 'online') return
        void this.refreshContacts(la).catch((e) => this.c.logger.warn(`Yunhu ${la.stored.label}: conversation list: ${yunhuErrorText(e)}`))
      }, poll)
      la.pollTimer.unref?.()
    }
    api.http.on('relogin-required', () => this.loggedOut(la))
    la.push = this.newPush(la, token)
    this.live.set(acc.id, la)
    return la
  }

  private newPush(la: LiveYunhu, token: string): YunhuPush {
    const push = new YunhuPush({
      platform: yunhuPlatformOf(this.o.platform ?? process.platform),
      ...this.o.push,
      url: la.stored.ws,
      userId: la.stored.userId,
      token,
      deviceId: this.deviceId(),
      logger: this.c.logger
    })
    la.wasOnline = false
    const accountId = la.stored.id
    let wasState = ''
    push.on('status', (s) => {
      if (la.push !== push) return
      this.c.emit('connection', { accountId, status: la.needsLogin ? this.status(la) : { ...s, delayMs: push.socket.delayMs } })
      if (s.state === 'failed' && s.errorKind === 'auth') this.loggedOut(la)
      // Each heartbeat answer says "online" again (with its delay): only coming online is news.
      if (s.state === 'online' && wasState !== 'online') this.onOnline(la)
      wasState = s.state
    })
    push.on('delay', (d) => {
      if (la.push === push) this.c.emit('connection', { accountId, status: { ...push.status, delayMs: d } })
    })
    push.on('auth-failed', () => {
      if (la.push === push) this.loggedOut(la)
    })
    push.on('update', (u) => {
      if (la.push !== push || la.closed) return
      try {
        this.onUpdate(la, u)
      } catch (e) {
        this.c.logger.error(`Yunhu push update (${u.kind}) failed: ${friendlyError(e)}`)
      }
    })
    return push
  }

  /** Starts the push socket and waits until it is online (or refused); a slow link keeps connecting in the background. */
  private async connectPush(la: LiveYunhu): Promise<void> {
    const push = la.push!
    let timer: ReturnType<typeof setTimeout> | undefined
    const wait = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.o.connectWaitMs ?? 8000)
    })
    try {
      await Promise.race([push.connect(), wait])
    } finally {
      clearTimeout(timer)
    }
  }

  private onOnline(la: LiveYunhu): void {
    // The link is (back) up: send what the outbox holds, in order.
    void la.outbox.pump()
    // The own name and avatar may have changed on another device.
    void this.refreshSelf(la).catch((e) => this.c.logger.warn(`Yunhu ${la.stored.label}: own profile: ${yunhuErrorText(e)}`))
    const again = la.wasOnline
    la.wasOnline = true
    if (!again) return
    // Back after a drop: catch up on the conversation list and on the conversations opened so far.
    const opened = [...la.fresh]
    la.fresh.clear()
    void this.refreshContacts(la).catch((e) => this.c.logger.warn(`Yunhu ${la.stored.label}: conversation list: ${yunhuErrorText(e)}`))
    for (const contactId of opened) {
      const chatType = this.chatTypeOf(la, contactId)
      if (chatType === undefined) continue
      void this.fetchPage(la, contactId, chatType, undefined, 20, true)
        .then(() => la.fresh.add(contactId))
        .catch((e) => this.c.logger.warn(`Yunhu ${la.stored.label}: catching up: ${yunhuErrorText(e)}`))
    }
  }

  /** Reads the account's own name and avatar again (/v1/user/info): changed on another device, they follow here. */
  private async refreshSelf(la: LiveYunhu): Promise<void> {
    const me = await la.api.userInfo()
    if (la.closed || !this.stored.has(la.stored.id) || me.id !== la.stored.userId) return
    const name = me.name || undefined
    const avatar = me.avatar_url ? yunhuMediaUrl(me.avatar_url) : undefined
    if (name === la.stored.name && avatar === la.stored.avatar) return
    const next: StoredYunhuAccount = { ...la.stored }
    if (name) next.name = name
    else delete next.name
    if (avatar) next.avatar = avatar
    else delete next.avatar
    la.stored = next
    this.stored.replace(next)
    this.c.accountsChanged()
  }

  /** The token was refused: ask for a new login; keep contacts and history. */
  private loggedOut(la: LiveYunhu): void {
    if (la.needsLogin || la.closed) return
    // An account being added is not asked to log in again: its add fails instead.
    if (!this.stored.has(la.stored.id)) return
    la.needsLogin = true
    this.c.logger.warn(`Yunhu ${la.stored.label}: the token was refused; waiting for a new login`)
    this.dropPush(la)
    const accountId = la.stored.id
    this.c.emit('connection', { accountId, status: this.status(la) })
    this.c.emit('relogin-required', { accountId })
    this.c.accountsChanged()
  }

  /** Runs a Yunhu call for an account; errors become sentences. */
  private async call<T>(accountId: string, fn: (api: YunhuApi, la: LiveYunhu) => Promise<T>): Promise<T> {
    const la = this.need(accountId)
    if (la.needsLogin) throw new Error(YUNHU_RELOGIN_MESSAGE)
    try {
      return await fn(la.api, la)
    } catch (e) {
      throw new Error(yunhuErrorText(e))
    }
  }

  // ------------------------------------------------------------------ contacts

  private nameOf(la: LiveYunhu): NameOf {
    const known = (id: string): string | undefined => (id === la.stored.userId ? la.stored.name : la.contacts.get(id)?.kind !== 'group' ? la.contacts.get(id)?.name : undefined)
    return (id) => known(id) ?? this.groups.memberName(la.stored.id, id)
  }

  private chatTypeOf(la: LiveYunhu, contactId: string): number | undefined {
    const c = la.contacts.get(contactId)
    return c ? chatTypeOfKind(c.kind) : undefined
  }

  /** The cached conversations, newest first (no network). */
  cachedContacts(accountId: string): Contact[] {
    const la = this.live.get(accountId)
    const list = la ? [...la.contacts.values()] : (this.c.store.get(KEYS.yunhuContacts(accountId)) ?? [])
    return list
      .map((c) => ({ ...c, capabilities: yunhuCapabilities(c.kind) }))
      .sort((a, b) => Number(!!b.pinned) - Number(!!a.pinned) || (b.lastMessage?.time ?? 0) - (a.lastMessage?.time ?? 0))
  }

  /** The conversations: refreshed from the server (waiting a little), else from the cache. */
  async contacts(accountId: string): Promise<Contact[]> {
    const la = this.need(accountId)
    if (!la.needsLogin) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const wait = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.o.contactsWaitMs ?? 3000)
      })
      try {
        await Promise.race([this.refreshContacts(la), wait])
      } catch (e) {
        this.c.logger.warn(`Yunhu ${la.stored.label}: conversation list: ${yunhuErrorText(e)}`)
      } finally {
        clearTimeout(timer)
      }
    }
    return this.cachedContacts(accountId)
  }

  /** Fetches the conversation list (one request at a time; unchanged lists cost nothing). */
  private refreshContacts(la: LiveYunhu): Promise<void> {
    if (la.needsLogin || la.closed) return Promise.resolve()
    if (la.refreshing) return la.refreshing
    const run = async (): Promise<void> => {
      const [r, pins] = await Promise.all([la.api.conversations(la.md5), this.stickyList(la)])
      if (la.closed) return
      const pinsChanged = pins !== undefined && JSON.stringify(pins) !== JSON.stringify(la.pins)
      if (pins) la.pins = pins
      if (r.data.length === 0 && r.md5 && r.md5 === la.md5) {
        if (pinsChanged) {
          applyPins(la.contacts, la.pins ?? [])
          this.contactsChanged(la, true)
        }
        return
      }
      const next = new Map<string, YunhuContact>()
      for (const conv of r.data) {
        const c = conversationToContact(conv)
        if (c) next.set(c.id, c)
      }
      if (la.pins) applyPins(next, la.pins)
      else for (const [id, c] of next) if (la.contacts.get(id)?.pinned) c.pinned = true
      la.contacts = next
      la.md5 = r.md5
      this.contactsChanged(la, true)
    }
    la.refreshing = run().finally(() => {
      la.refreshing = undefined
    })
    return la.refreshing
  }

  /** The pinned chats (undefined when the server does not say: the pins shown stay). */
  private async stickyList(la: LiveYunhu): Promise<YunhuSticky[] | undefined> {
    try {
      return await la.social.stickyList()
    } catch (e) {
      if (e instanceof YunhuLoggedOutError) throw e
      this.c.logger.warn(`Yunhu ${la.stored.label}: pinned chats: ${yunhuErrorText(e)}`)
      return undefined
    }
  }

  private saveContacts(la: LiveYunhu): void {
    this.c.store.set(KEYS.yunhuContacts(la.stored.id), [...la.contacts.values()])
  }

  /** Saves the contacts and emits them (now, or coalesced a little when many pushes arrive). */
  private contactsChanged(la: LiveYunhu, now = false): void {
    const flush = (): void => {
      la.contactsTimer = undefined
      if (la.closed) return
      this.saveContacts(la)
      this.c.emit('contacts', { accountId: la.stored.id, contacts: this.cachedContacts(la.stored.id) })
    }
    if (now) {
      if (la.contactsTimer) clearTimeout(la.contactsTimer)
      flush()
    } else if (!la.contactsTimer) la.contactsTimer = setTimeout(flush, 50)
  }

  /** Makes sure a conversation seen in a push is a contact. */
  private noteChat(la: LiveYunhu, p: YunhuPushMessage): void {
    const id = p.chat_id
    if (!id || la.contacts.has(id)) return
    const kind = kindOfChatType(p.chat_type)
    if (!kind) return
    const name = kind !== 'group' && p.sender?.chat_id === id ? p.sender.name : undefined
    const c: YunhuContact = { id, kind, name: name || id, unread: 0 }
    if (kind !== 'group' && p.sender?.chat_id === id && p.sender.avatar_url) c.avatar = p.sender.avatar_url
    la.contacts.set(id, c)
    la.md5 = undefined
    // Fetch the proper name and avatar.
    void this.refreshContacts(la).catch((e) => this.c.logger.warn(`Yunhu ${la.stored.label}: conversation list: ${yunhuErrorText(e)}`))
  }

  /** A message arrived or changed: update the conversation's preview (and unread count). */
  private touchContact(la: LiveYunhu, m: ChatMessage, unread: boolean): void {
    const c = la.contacts.get(m.contactId)
    if (!c) return
    if (m.time >= (c.lastMessage?.time ?? 0)) c.lastMessage = lastMessageOf(m)
    if (unread) c.unread = (c.unread ?? 0) + 1
    this.contactsChanged(la)
  }

  // ------------------------------------------------------------------ history

  private put(la: LiveYunhu, m: ChatMessage): ChatMessage {
    this.c.history.put(la.stored.id, m)
    this.c.emit('message', { accountId: la.stored.id, message: m })
    return m
  }

  /**
   * Messages of a conversation, oldest first. Served from the store; the latest page is fetched
   * once per session when a conversation is opened, and older pages are fetched (list-message
   * before the oldest stored message) when the store has fewer than `limit`.
   */
  async history(accountId: string, contactId: string, before: number | undefined, limit: number): Promise<ChatMessage[]> {
    const la = this.need(accountId)
    const { before: b, limit: n } = pageArgs(before, limit)
    const chatType = this.chatTypeOf(la, contactId)
    let failure: unknown
    if (chatType !== undefined && !la.needsLogin && b === undefined && !la.fresh.has(contactId)) {
      try {
        await this.fetchPage(la, contactId, chatType, undefined, Math.min(n, PAGE_MAX), false)
        la.fresh.add(contactId)
        const c = la.contacts.get(contactId)
        if (c?.unread) {
          c.unread = 0
          this.contactsChanged(la)
        }
      } catch (e) {
        failure = e
      }
    }
    let local = this.c.history.list(accountId, contactId, b, n)
    for (let round = 0; !failure && chatType !== undefined && !la.needsLogin && local.length < n && !la.complete.has(contactId) && round < 10; round++) {
      const anchor = this.oldestOnServer(accountId, contactId, local, b)
      try {
        const added = await this.fetchPage(la, contactId, chatType, anchor, Math.min(n - local.length, PAGE_MAX), false)
        if (added === 0) break
      } catch (e) {
        failure = e
        break
      }
      local = this.c.history.list(accountId, contactId, b, n)
    }
    if (failure) {
      this.c.logger.warn(`Yunhu ${la.stored.label}: history: ${yunhuErrorText(failure)}`)
      if (local.length === 0) throw new Error(yunhuErrorText(failure))
    }
    return local
  }

  /** The id of the oldest stored message the server knows (an anchor for paging backwards). */
  private oldestOnServer(accountId: string, contactId: string, local: ChatMessage[], before: number | undefined): string | undefined {
    const known = (m: ChatMessage | undefined): boolean => !!m && m.status !== 'sending' && m.status !== 'failed'
    const pick = (list: ChatMessage[]): string | undefined => list.find(known)?.id
    if (local.length) return pick(local)
    if (before !== undefined) {
      const at = this.c.history.list(accountId, contactId, before + 1, 1)
      if (at.length) return pick(at)
    }
    return pick(this.c.history.list(accountId, contactId, undefined, 100_000))
  }

  /**
   * Fetches `count` messages before `anchor` (the latest without one) and stores them. Returns how
   * many were new. With `announce`, new and changed messages are emitted as `message` events.
   */
  private async fetchPage(la: LiveYunhu, contactId: string, chatType: number, anchor: string | undefined, count: number, announce: boolean): Promise<number> {
    const accountId = la.stored.id
    const r = await la.api.listMessages({ chatId: contactId, chatType, count, beforeMsgId: anchor })
    const nameOf = this.nameOf(la)
    let added = 0
    const batch: ChatMessage[] = []
    for (const d of r.data) {
      if (!d.msg_id) continue
      let m = msgDataToMessage(d, contactId, la.stored.userId, nameOf)
      const existing = this.c.history.find(accountId, m.id)
      if (existing) {
        // Keep the time the store orders it by; a stream being assembled keeps its newer text.
        m = { ...m, time: existing.time }
        if (la.streams.has(m.id)) continue
        if (JSON.stringify(existing) === JSON.stringify(m)) continue
      } else added++
      batch.push(m)
    }
    if (batch.length) putMany(this.c.history, accountId, batch)
    if (announce) for (const m of batch) this.c.emit('message', { accountId, message: m })
    if (r.data.length < count) la.complete.add(contactId)
    return added
  }

  // ------------------------------------------------------------------ pushes

  private onUpdate(la: LiveYunhu, u: YunhuPushUpdate): void {
    const accountId = la.stored.id
    switch (u.kind) {
      case 'push_message': {
        const p = u.message
        if (!p.msg_id || !p.chat_id) return
        this.flushStream(la, p.msg_id)
        this.noteChat(la, p)
        const existing = this.c.history.find(accountId, p.msg_id)
        let m = pushToMessage(p, existing?.contactId ?? p.chat_id, la.stored.userId, this.nameOf(la))
        if (existing) m = { ...m, time: existing.time, ...(existing.localId ? { localId: existing.localId } : {}) }
        this.put(la, m)
        this.touchContact(la, m, !existing && !m.self)
        return
      }
      case 'recall': {
        const id = u.message.msg_id
        if (!id) return
        this.flushStream(la, id)
        const existing = this.c.history.find(accountId, id)
        if (!existing || existing.status === 'recalled') return
        const m = this.put(la, { ...existing, status: 'recalled' })
        this.touchContact(la, m, false)
        return
      }
      case 'edit_message': {
        const p = u.message
        if (!p.msg_id) return
        this.flushStream(la, p.msg_id)
        const existing = this.c.history.find(accountId, p.msg_id)
        if (!existing) return
        const oldReply = existing.segments.find((s) => s.type === 'reply')
        const quoteId = p.quote_msg_id ?? existing.replyTo
        let segments = messageSegments(p.content_type, p.content, quoteId, this.nameOf(la))
        if (oldReply && !p.content?.quote_msg_text && segments[0]?.type === 'reply') segments = [oldReply, ...segments.slice(1)]
        const m: ChatMessage = { ...existing, segments, editedAt: Number(p.edit_time) || Date.now() }
        if (quoteId) m.replyTo = quoteId
        this.put(la, m)
        this.touchContact(la, m, false)
        return
      }
      case 'stream_message': {
        const id = u.message.msg_id
        if (!id) return
        const pending = la.streams.get(id)
        if (pending) {
          pending.message = { ...pending.message, segments: withText(pending.message.segments, u.text) }
          this.streamed(la, pending, u.text)
          return
        }
        const base = this.c.history.find(accountId, id)
        if (base) {
          // The message is shown already (its push_message): from here it grows by deltas.
          const p: PendingStream = { message: base, shown: textOf(base.segments), idle: setTimeout(() => this.flushStream(la, id), this.o.streamIdleMs ?? 5000) }
          la.streams.set(id, p)
          p.message = { ...base, segments: withText(base.segments, u.text) }
          this.streamed(la, p, u.text)
          return
        }
        // Chunks before the message itself: store and show what is assembled so far, once.
        const contactId = u.assembled.chat_id ?? u.message.chat_id
        if (!contactId) return
        const m = pushToMessage({ ...u.assembled, timestamp: u.assembled.timestamp ?? String(this.c.clock()) }, contactId, la.stored.userId, this.nameOf(la))
        la.streams.set(id, { message: m, shown: u.text, idle: setTimeout(() => this.flushStream(la, id), this.o.streamIdleMs ?? 5000) })
        this.put(la, m)
        this.touchContact(la, m, !m.self)
        return
      }
      case 'draft_input': {
        const chatId = u.message.chat_id
        if (chatId && la.contacts.has(chatId)) this.c.emit('draft', { accountId, contactId: chatId, text: (u.message.input ?? '').slice(0, MAX_TEXT) })
        return
      }
      case 'invite_apply':
        void this.onInvite(la).catch((e) => this.c.logger.warn(`Yunhu ${la.stored.label}: requests: ${yunhuErrorText(e)}`))
        return
      case 'bot_board_message': {
        const b = u.message
        const chatId = b.chat_id
        if (!chatId) return
        this.c.emit('board', { accountId, contactId: chatId, board: boardOf(b, chatId) })
        return
      }
      default:
        return
    }
  }

  /** A chunk arrived for a stream being shown: one delta through the shared coalescer. */
  private streamed(la: LiveYunhu, p: PendingStream, text: string): void {
    const target = { accountId: la.stored.id, contactId: p.message.contactId, messageId: p.message.id }
    if (text.startsWith(p.shown)) this.streamer.change(target, { status: 'streaming', textAppend: text.slice(p.shown.length) })
    else this.streamer.change(target, { status: 'streaming', text })
    p.shown = text
    clearTimeout(p.idle)
    p.idle = setTimeout(() => this.flushStream(la, p.message.id), this.o.streamIdleMs ?? 5000)
  }

  /** Stores a growing stream as it is so far (at most every few seconds; no contacts rewrite). */
  private checkpoint(t: StreamTarget): void {
    const p = this.live.get(t.accountId)?.streams.get(t.messageId)
    if (p) this.c.history.put(t.accountId, p.message)
  }

  /** Ends a stream (a new push for the message, an edit or recall, a pause, or shutdown): stored and shown whole. */
  private flushStream(la: LiveYunhu, msgId: string): void {
    const p = la.streams.get(msgId)
    if (!p) return
    clearTimeout(p.idle)
    la.streams.delete(msgId)
    this.streamer.forget({ accountId: la.stored.id, contactId: p.message.contactId, messageId: msgId })
    this.put(la, p.message)
    this.touchContact(la, p.message, false)
  }

  // ------------------------------------------------------------------ messages

  private requireChat(la: LiveYunhu, contactId: string): number {
    const t = this.chatTypeOf(la, String(contactId ?? ''))
    if (t === undefined) throw new Error(coreText('unknownYunhuConversation'))
    return t
  }

  /**
   * Sends text, Markdown or HTML, optionally quoting a message (a `reply` part), through the outbox:
   * stored as 'sending' and sent in order when the link is up. The client-chosen msg_id goes with every
   * attempt, so a resend after a dropped link is answered once.
   */
  async send(accountId: string, contactId: string, segments: Segment[], options: SendOptions = {}): Promise<ChatMessage> {
    const la = this.need(accountId)
    if (la.needsLogin) throw new Error(YUNHU_RELOGIN_MESSAGE)
    this.requireChat(la, contactId)
    if (hasMediaPart(segments)) return this.sendMedia(la, contactId, segments, options)
    const draft = draftOf(segments)
    const body = draft.text
    if (!body.trim()) throw new Error(coreText('typeFirst'))
    if (body.length > MAX_TEXT) throw new Error(coreText('tooLong', { n: String(MAX_TEXT) }))
    const quoteMsgId = draft.quoteId ? requireId(draft.quoteId, 'quoted message id') : undefined
    let quoteText = typeof options.quoteText === 'string' ? options.quoteText.slice(0, 500) : draft.quoteText?.slice(0, 500)
    if (quoteMsgId && quoteText === undefined) {
      const q = this.c.history.get(accountId, contactId, quoteMsgId)
      if (q) quoteText = previewOf(q)
    }
    const msgId = newYunhuMsgId()
    const content: { text: string; quote_msg_text?: string; mentioned_id?: string[] } = { text: body }
    if (quoteMsgId && quoteText) content.quote_msg_text = quoteText
    if (draft.mentions) content.mentioned_id = draft.mentions
    const names = new Map(segments.filter((x) => x?.type === 'at').map((x) => [String(x.data?.qq ?? ''), String(x.data?.name ?? '')]))
    const msg: ChatMessage = { id: msgId, contactId, self: true, senderId: la.stored.userId, time: this.c.clock(), segments: messageSegments(YUNHU_CONTENT_TYPES[draft.contentType], content, quoteMsgId, (id) => names.get(id) || undefined), status: 'sending' }
    if (quoteMsgId) msg.replyTo = quoteMsgId
    const done = la.outbox.enqueue(msg, msgId)
    this.touchContact(la, msg, false)
    return done
  }

  /** A picture, file, voice message, video or sticker: queued like text; uploaded and sent by the outbox. */
  private sendMedia(la: LiveYunhu, contactId: string, segments: Segment[], options: SendOptions): Promise<ChatMessage> {
    const accountId = la.stored.id
    const given = typeof options.quoteText === 'string' ? options.quoteText : undefined
    const { draft, segments: pending } = this.media.compose(segments, (id) => {
      if (given !== undefined) return given
      const q = this.c.history.get(accountId, contactId, id)
      return q ? previewOf(q) : undefined
    })
    const msgId = newYunhuMsgId()
    const msg: ChatMessage = { id: msgId, contactId, self: true, senderId: la.stored.userId, time: this.c.clock(), segments: pending, status: 'sending' }
    if (draft.quoteId) msg.replyTo = draft.quoteId
    const done = la.outbox.enqueue(msg, msgId)
    this.touchContact(la, msg, false)
    return done
  }

  /** The user's saved stickers and sticker packs, for the picker. */
  async stickers(accountId: string): Promise<StickerCatalog> {
    return this.call(accountId, (api) => this.media.stickers(api))
  }

  /** Adds a picture (a received sticker) to the user's saved stickers. */
  async saveSticker(accountId: string, url: string): Promise<void> {
    const u = typeof url === 'string' ? url.trim() : ''
    if (!u || u.length > 2000) throw new Error(coreText('stickerNoAddress'))
    return this.call(accountId, (api) => this.media.saveSticker(api, u))
  }

  async retry(accountId: string, contactId: string, messageId: string): Promise<ChatMessage> {
    const la = this.need(accountId)
    if (la.needsLogin) throw new Error(YUNHU_RELOGIN_MESSAGE)
    const m = this.c.history.get(accountId, contactId, String(messageId ?? ''))
    if (!m) throw new Error(coreText('messageGone'))
    if (m.status !== 'failed') throw new Error(coreText('retryOnlyFailed'))
    return la.outbox.enqueue({ ...m, status: 'sending', error: undefined }, m.id)
  }

  /** Edits an own sent message (text, Markdown or HTML, keeping its quote). */
  async edit(accountId: string, contactId: string, messageId: string, segments: Segment[]): Promise<ChatMessage> {
    const la = this.need(accountId)
    const chatType = this.requireChat(la, contactId)
    const m = this.c.history.get(accountId, contactId, String(messageId ?? ''))
    if (!m) throw new Error(coreText('messageGone'))
    if (!m.self) throw new Error(coreText('editOwnOnly'))
    if (m.status !== 'sent') throw new Error(coreText('editOnlySent'))
    const draft = draftOf(segments)
    if (!draft.text.trim()) throw new Error(coreText('typeFirst'))
    if (draft.text.length > MAX_TEXT) throw new Error(coreText('tooLong', { n: String(MAX_TEXT) }))
    const old = draftOf(m.segments.filter((s) => s.type === 'reply' || s.type === 'text' || s.type === 'markdown' || s.type === 'html' || s.type === 'at'))
    const quoteId = draft.quoteId ?? old.quoteId
    const quoteText = draft.quoteText ?? old.quoteText
    const content: { text: string; quote_msg_text?: string } = { text: draft.text }
    if (quoteId && quoteText) content.quote_msg_text = quoteText
    const contentType = YUNHU_CONTENT_TYPES[draft.contentType]
    await this.call(accountId, (api) => api.editMessage({ msg_id: m.id, chat_id: contactId, chat_type: chatType, content_type: contentType, content, ...(quoteId ? { quote_msg_id: quoteId } : {}) }))
    const edited: ChatMessage = { ...m, segments: messageSegments(contentType, content, quoteId, this.nameOf(la)), editedAt: Date.now() }
    this.put(la, edited)
    this.touchContact(la, edited, false)
    return edited
  }

  /**
   * Forwards messages to another chat of the account (msg-forward: one call per message, in order). The
   * server delivers the copies; the target's latest page is fetched and its newest message returned.
   */
  async forward(accountId: string, fromContactId: string, messageIds: string[], toContactId: string): Promise<ChatMessage> {
    const la = this.need(accountId)
    const fromType = this.requireChat(la, fromContactId)
    const toType = this.requireChat(la, toContactId)
    if (!Array.isArray(messageIds) || messageIds.length === 0) throw new Error(coreText('forwardPickOne'))
    if (messageIds.length > 50) throw new Error(coreText('forwardAtMost', { n: '50' }))
    const ids = messageIds.map((id) => requireId(id, 'message id'))
    for (const id of ids) {
      const m = this.c.history.get(accountId, fromContactId, id)
      if (!m) throw new Error(coreText('messageGone'))
      if (m.status === 'sending' || m.status === 'failed' || m.status === 'recalled') throw new Error(coreText('forwardOnlySent'))
    }
    await this.call(accountId, async (_api, live) => {
      for (const id of ids) await live.social.forward(id, fromType, [{ chatId: toContactId, chatType: toType }])
    })
    await this.call(accountId, (_api, live) => this.fetchPage(live, toContactId, toType, undefined, 20, true))
    const newest = this.c.history.list(accountId, toContactId, undefined, 1)[0]
    if (!newest) throw new Error(coreText('forwardNotDelivered'))
    this.touchContact(la, newest, false)
    return newest
  }

  /** The queued messages of an account, oldest first (tests, diagnostics). */
  outboxOf(accountId: string): OutboxEntry[] {
    return this.c.outbox.outboxList(accountId)
  }

  /** How the outbox sends a queued Yunhu message: over HTTP, while the push link is up and the login good. */
  private outboxLink(la: LiveYunhu): OutboxLink {
    return {
      isOnline: () => !la.closed && !la.needsLogin && la.push?.status.state === 'online',
      // The msg_id is the client's: the server answers a repeated one once.
      resendsAmbiguous: () => true,
      transmit: async (msg: ChatMessage, e: OutboxEntry) => {
        const chatType = this.requireChat(la, msg.contactId)
        if (hasMediaPart(msg.segments)) {
          const quoted = msg.replyTo ? this.c.history.get(la.stored.id, msg.contactId, msg.replyTo) : undefined
          const sent = await this.media.transmit(this.mediaAccount(la), msg, e.clientId, chatType, quoted)
          await this.media.release(msg, (ref) => this.queuedRefs(la, msg.id).has(ref))
          const current = this.c.history.get(la.stored.id, msg.contactId, msg.id)
          if (current && current.status !== 'sending') return current
          return sent
        }
        const draft = draftOf(msg.segments)
        const content: { text: string; quote_msg_text?: string; mentioned_id?: string[] } = { text: draft.text }
        if (draft.quoteId && draft.quoteText) content.quote_msg_text = draft.quoteText
        if (draft.mentions) content.mentioned_id = draft.mentions
        const contentType = YUNHU_CONTENT_TYPES[draft.contentType]
        await la.api.sendMessage({ msg_id: e.clientId, chat_id: msg.contactId, chat_type: chatType, content_type: contentType, content, ...(draft.quoteId ? { quote_msg_id: draft.quoteId } : {}) })
        // The push of our own message may have come first: keep that (server) copy.
        const current = this.c.history.get(la.stored.id, msg.contactId, msg.id)
        if (current && current.status !== 'sending') return current
        return { ...msg, status: 'sent', error: undefined }
      },
      classify: (err: unknown): SendFailure => {
        const upload = this.media.classify(err, this.mediaAccount(la).isOnline())
        if (upload) return upload
        // Logged out: keep it queued; it goes after the new login.
        if (err instanceof YunhuLoggedOutError) return { kind: 'offline' }
        if (err instanceof YunhuHttpStatusError) return err.status >= 500 ? { kind: 'ambiguous' } : { kind: 'refused', message: yunhuErrorText(err) }
        if (err instanceof YunhuApiError) return { kind: 'refused', message: yunhuErrorText(err) }
        if (err instanceof TransportError && (err.kind === 'timeout' || err.kind === 'unreachable' || err.kind === 'closed')) return { kind: 'ambiguous' }
        if (err instanceof TransportError && err.kind === 'offline') return { kind: 'offline' }
        return { kind: 'refused', message: yunhuErrorText(err) }
      },
      settled: (final) => {
        if (this.media.takeCancelled(final.id) && final.status === 'failed') {
          this.c.history.remove(la.stored.id, final.contactId, final.id)
          this.c.emit('message-deleted', { accountId: la.stored.id, contactId: final.contactId, messageId: final.id })
          void this.media.release(final, (ref) => this.queuedRefs(la, final.id).has(ref))
          return
        }
        this.touchContact(la, final, false)
      }
    }
  }

  /** The staged files other queued messages of the account still name. */
  private queuedRefs(la: LiveYunhu, except: string): Set<string> {
    const refs = new Set<string>()
    for (const e of la.outbox.entries()) {
      if (e.messageId === except) continue
      for (const s of this.c.history.get(la.stored.id, e.contactId, e.messageId)?.segments ?? []) if (typeof s.data?.staged === 'string') refs.add(s.data.staged)
    }
    return refs
  }

  async recall(accountId: string, contactId: string, messageId: string): Promise<void> {
    const la = this.need(accountId)
    const m = this.c.history.get(accountId, contactId, String(messageId ?? ''))
    if (!m) throw new Error(coreText('messageGone'))
    if (m.status === 'recalled') return
    if (m.status === 'sending' && hasMediaPart(m.segments)) {
      // Cancel: an upload in flight is aborted (the outbox then lets go of it); a queued one is dropped here.
      if (!this.media.cancel(m.id)) {
        const inOutbox = la.outbox.entries().some((e) => e.messageId === m.id && e.inFlight)
        if (!inOutbox) {
          this.media.takeCancelled(m.id)
          this.c.outbox.outboxSettle(accountId, m.id, { ...m, status: 'failed', error: coreText('uploadCancelled') })
          this.c.history.remove(accountId, contactId, m.id)
          this.c.emit('message-deleted', { accountId, contactId, messageId: m.id })
          await this.media.release(m, (ref) => this.queuedRefs(la, m.id).has(ref))
        }
      }
      return
    }
    if (m.status === 'sending') throw new Error(coreText('stillSending'))
    if (m.status === 'failed') {
      // Never reached the server: just drop the local copy (and the file it was to send).
      this.c.history.remove(accountId, contactId, m.id)
      this.c.emit('message-deleted', { accountId, contactId, messageId: m.id })
      if (hasMediaPart(m.segments)) await this.media.release(m, (ref) => this.queuedRefs(la, m.id).has(ref))
      return
    }
    const chatType = this.requireChat(la, contactId)
    await this.call(accountId, (api) => api.recall({ chatId: contactId, chatType, msgIds: m.id }))
    const now = this.c.history.get(accountId, contactId, m.id)
    if (now && now.status !== 'recalled') this.touchContact(la, this.put(la, { ...now, status: 'recalled' }), false)
  }

  /** A click on a message button that reports its value (the bot answers with a message). */
  async button(accountId: string, contactId: string, messageId: string, value: string): Promise<void> {
    const la = this.need(accountId)
    const chatType = this.requireChat(la, contactId)
    const id = requireId(messageId, 'message id')
    const v = typeof value === 'string' ? value : ''
    if (!v) throw new Error(coreText('buttonNoValue'))
    if (v.length > 1000) throw new Error(coreText('buttonValueLong'))
    await this.call(accountId, (api) => api.buttonReport({ msg_id: id, chat_type: chatType, chat_id: contactId, user_id: la.stored.userId, button_value: v }))
  }

  /** The board of a chat (a bot's chat or a group); null when it has none. */
  async board(accountId: string, contactId: string): Promise<YunhuBoard | null> {
    const la = this.need(accountId)
    const chatType = this.requireChat(la, contactId)
    if (chatType === 1) return null
    return this.call(accountId, async (api) => boardOf(await api.board(contactId, chatType), contactId))
  }

  // ------------------------------------------------------------------ conversations and people

  private contactOf(la: LiveYunhu, contactId: string): YunhuContact {
    const c = la.contacts.get(String(contactId ?? ''))
    if (!c) throw new Error(coreText('unknownYunhuConversation'))
    return c
  }

  /** The chat was read here (dismiss-notification): its unread count drops to 0. */
  async markRead(accountId: string, contactId: string): Promise<void> {
    const la = this.need(accountId)
    const c = this.contactOf(la, contactId)
    await this.call(accountId, (_api, live) => live.social.dismissNotification(c.id))
    if (c.unread) {
      c.unread = 0
      this.contactsChanged(la, true)
    }
  }

  /** Pins or unpins a chat (sticky/add, sticky/delete); pinned chats come first. */
  async pin(accountId: string, contactId: string, pinned: boolean): Promise<void> {
    const la = this.need(accountId)
    const c = this.contactOf(la, contactId)
    const on = pinned === true
    await this.call(accountId, (_api, live) => live.social.setSticky(c.id, chatTypeOfKind(c.kind)!, on))
    if (on) c.pinned = true
    else delete c.pinned
    const others = (la.pins ?? []).filter((p) => p.chatId !== c.id)
    la.pins = on ? [{ id: '', chatId: c.id, chatType: chatTypeOfKind(c.kind)! }, ...others] : others
    this.contactsChanged(la, true)
  }

  /** Turns the server's notifications for a chat off or on (friend/no-notify). */
  async mute(accountId: string, contactId: string, muted: boolean): Promise<void> {
    const la = this.need(accountId)
    const c = this.contactOf(la, contactId)
    const on = muted === true
    await this.call(accountId, (_api, live) => live.social.noNotify(c.id, chatTypeOfKind(c.kind)!, on))
    if (on) c.muted = true
    else delete c.muted
    la.md5 = undefined
    this.contactsChanged(la, true)
  }

  /** Takes a chat off the conversation list (conversation/remove); its history stays. */
  async removeConversation(accountId: string, contactId: string): Promise<void> {
    const la = this.need(accountId)
    const c = this.contactOf(la, contactId)
    await this.call(accountId, (_api, live) => live.social.removeConversation(c.id))
    la.contacts.delete(c.id)
    la.md5 = undefined
    this.contactsChanged(la, true)
  }

  /** The platform's history search inside a chat (chat-search), newest first. */
  async search(accountId: string, contactId: string, word: string, before?: number): Promise<SearchHit[]> {
    const la = this.need(accountId)
    const chatType = this.requireChat(la, contactId)
    const w = optionalText(word, 'search words', 100).trim()
    if (!w) throw new Error(coreText('searchWhat'))
    const b = before === undefined || before === null ? undefined : Number(before)
    if (b !== undefined && !(Number.isFinite(b) && b > 0)) throw new Error(coreText('validInvalid', { what: coreText('fieldSearchPage') }))
    return this.call(accountId, async (_api, live) => searchHitsOf(await live.social.chatSearch({ word: w, chatId: contactId, chatType, before: b })))
  }

  /** The messages around one message (list-message-by-mid-seq), stored, shown and returned oldest first. */
  async around(accountId: string, contactId: string, messageId: string): Promise<ChatMessage[]> {
    const la = this.need(accountId)
    const chatType = this.requireChat(la, contactId)
    const id = requireId(messageId, 'message id')
    const r = await this.call(accountId, (api) => api.listMessagesByMidSeq({ msg_id: id, chat_id: contactId, chat_type: chatType, msg_count: 20 }))
    const nameOf = this.nameOf(la)
    const batch: ChatMessage[] = []
    for (const d of r.data) {
      if (!d.msg_id) continue
      const existing = this.c.history.find(accountId, d.msg_id)
      const m = msgDataToMessage(d, contactId, la.stored.userId, nameOf)
      batch.push(existing ? { ...m, time: existing.time } : m)
    }
    if (batch.length) putMany(this.c.history, accountId, batch)
    for (const m of batch) this.c.emit('message', { accountId, message: m })
    if (!batch.some((m) => m.id === id)) throw new Error(coreText('hitGone'))
    return batch.sort((a, b) => a.time - b.time)
  }

  /** The address book: friends, groups and bots. */
  async addressBook(accountId: string): Promise<YunhuAddressBook> {
    return this.call(accountId, async (_api, la) => addressBookOf(await la.social.addressBook()))
  }

  /** A profile card: get-user for a user, bot-info for a bot (get-user does not know bots). */
  async profile(accountId: string, id: string, kind?: 'user' | 'bot'): Promise<YunhuProfile> {
    const la = this.need(accountId)
    const who = requireId(id, 'user id')
    const isBot = kind === 'bot' || (kind === undefined && la.contacts.get(who)?.kind === 'bot')
    return this.call(accountId, async (api, live) => (isBot ? botProfileOf(await api.botInfo(who), who) : userProfileOf(await live.social.getUser(who))))
  }

  /** Friend requests and group invitations. */
  async requests(accountId: string): Promise<YunhuRequests> {
    return this.call(accountId, async (_api, la) => requestsOf(await la.social.requestList()))
  }

  /** Accepts or declines a request (agree-apply); the address book and conversations may change. */
  async answerRequest(accountId: string, requestId: string, accept: boolean): Promise<YunhuRequests> {
    const la = this.need(accountId)
    const id = Number(requireId(requestId, 'request id'))
    if (!Number.isSafeInteger(id) || id < 0) throw new Error(coreText('validInvalid', { what: coreText('fieldRequestId') }))
    await this.call(accountId, (_api, live) => live.social.agreeApply(id, accept === true))
    const list = await this.requests(accountId)
    this.c.emit('requests', { accountId, pending: list.pending })
    la.md5 = undefined
    void this.refreshContacts(la).catch((e) => this.c.logger.warn(`Yunhu ${la.stored.label}: conversation list: ${yunhuErrorText(e)}`))
    return list
  }

  /** Submits an A2UI form of a message (a2ui-form-report); the bot answers with a message, if at all. */
  async a2uiSubmit(accountId: string, contactId: string, messageId: string, submit: A2uiSubmit): Promise<void> {
    const la = this.need(accountId)
    const chatType = this.requireChat(la, contactId)
    const m = this.c.history.get(accountId, contactId, requireId(messageId, 'message id'))
    if (!m || !m.segments.some((s) => s.type === 'a2ui')) throw new Error(coreText('formGone'))
    const s = submit && typeof submit === 'object' ? submit : ({} as A2uiSubmit)
    const actionName = optionalText(s.actionName, 'action', 200)
    const sourceComponentId = optionalText(s.sourceComponentId, 'component id', 200)
    const surfaceId = optionalText(s.surfaceId, 'surface id', 200)
    if (!actionName || !sourceComponentId) throw new Error(coreText('formNoAction'))
    const context: Record<string, string | boolean> = {}
    for (const [k, v] of Object.entries(s.context && typeof s.context === 'object' ? s.context : {}).slice(0, 100)) {
      if (typeof v === 'boolean') context[k.slice(0, 100)] = v
      else if (typeof v === 'string') context[k.slice(0, 100)] = v.slice(0, 5000)
    }
    await this.call(accountId, (_api, live) => live.social.a2uiFormReport({ msgId: m.id, chatId: contactId, chatType, senderId: m.senderId ?? contactId, surfaceId, actionName, sourceComponentId, context }))
  }

  /** Sends the composer's draft to the account's other devices (cmd inputInfo); offline, nothing is sent. */
  async syncDraft(accountId: string, contactId: string, text: string): Promise<void> {
    const la = this.need(accountId)
    const c = this.contactOf(la, contactId)
    if (text.length > MAX_TEXT) throw new Error(`The message is too long (at most ${MAX_TEXT} characters)`)
    if (la.needsLogin || la.push?.status.state !== 'online') return
    la.push.sendDraft(c.id, text)
  }

  /** invite_apply carries no details: fetch the list and tell the window how many wait. */
  private async onInvite(la: LiveYunhu): Promise<void> {
    const list = requestsOf(await la.social.requestList())
    this.c.emit('requests', { accountId: la.stored.id, pending: list.pending })
  }

  // ------------------------------------------------------------------ bot store and console

  async banners(accountId: string): Promise<YunhuBanner[]> {
    return this.call(accountId, (api) => api.banners())
  }

  async store(accountId: string): Promise<YunhuStoreBot[]> {
    return this.call(accountId, (api) => api.storeList())
  }

  async botDetail(accountId: string, botId: string): Promise<YunhuBotDetailResult> {
    const id = requireId(botId, 'bot id')
    return this.call(accountId, (api) => api.botDetail(id))
  }

  async myBots(accountId: string): Promise<YunhuMyBotsResult> {
    return this.call(accountId, (api) => api.myBots())
  }

  async botInfo(accountId: string, botId: string): Promise<YunhuBotData> {
    const id = requireId(botId, 'bot id')
    return this.call(accountId, (api) => api.botInfo(id))
  }

  async createBot(accountId: string, input: YunhuCreateBotInput): Promise<YunhuBotData> {
    const name = optionalText(input?.name, 'bot name', 50).trim()
    if (!name) throw new Error(coreText('nameBot'))
    const introduction = optionalText(input?.introduction, 'introduction', 1000)
    const avatarUrl = requireHttpUrl(input?.avatarUrl, 'avatar URL', true)
    if (input?.private !== undefined && typeof input.private !== 'boolean') throw new Error(coreText('privateOnOff'))
    return this.call(accountId, (api) => api.createBot({ name, introduction, avatarUrl, private: input?.private ?? false }))
  }

  async editBot(accountId: string, input: YunhuEditBotRequest): Promise<void> {
    const botId = requireId(input?.botId, 'bot id')
    const nickname = optionalText(input?.nickname, 'bot name', 50).trim()
    if (!nickname) throw new Error(coreText('nameBot'))
    const introduction = optionalText(input?.introduction, 'introduction', 1000)
    const avatarUrl = requireHttpUrl(input?.avatarUrl, 'avatar URL', true)
    const priv = input?.private === undefined ? 0 : Number(input.private)
    if (priv !== 0 && priv !== 1) throw new Error(coreText('privateZeroOne'))
    return this.call(accountId, (api) => api.editBot({ botId, nickname, introduction, avatarUrl, private: priv }))
  }

  async resetToken(accountId: string, botId: string): Promise<string> {
    const id = requireId(botId, 'bot id')
    return this.call(accountId, (api) => api.resetBotToken(id))
  }

  /** The bot's subscription link (message webhook): an http/https URL, or "" to clear it. */
  async setLink(accountId: string, botId: string, link: string): Promise<void> {
    const id = requireId(botId, 'bot id')
    const url = requireHttpUrl(link, 'subscription link', true)
    return this.call(accountId, (api) => api.editSubscribedLink(id, url))
  }

  async removeFollower(accountId: string, botId: string, userId: string): Promise<void> {
    const id = requireId(botId, 'bot id')
    const uid = requireId(userId, 'user id')
    return this.call(accountId, (api) => api.removeFollower(id, uid))
  }

  async removeGroup(accountId: string, botId: string, groupId: string): Promise<void> {
    const id = requireId(botId, 'bot id')
    const gid = requireId(groupId, 'group id')
    return this.call(accountId, (api) => api.removeGroup(id, gid))
  }

  async llmModels(accountId: string): Promise<YunhuLlmModel[]> {
    return this.call(accountId, (api) => api.llmModels())
  }

  async llmSettings(accountId: string, botId: string): Promise<YunhuBotLlmSettings> {
    const id = requireId(botId, 'bot id')
    return this.call(accountId, (api) => api.llmSettings(id))
  }

  /** Saves a bot's settings form (checked first). */
  async editSettingForm(accountId: string, botId: string, form: YunhuSettingsForm): Promise<void> {
    const id = requireId(botId, 'bot id')
    if (!form || typeof form !== 'object' || !Array.isArray(form.fields)) throw new Error(coreText('formNoFields'))
    const issues = validateSettingsForm(form)
    if (issues.length) throw new Error(`The settings form is not valid: ${issues.map((i) => i.message).join('; ')}`)
    return this.call(accountId, (api) => api.editSettingJson(id, form))
  }

  async groupSettings(accountId: string, botId: string, groupId: string): Promise<YunhuGroupSettings> {
    const id = requireId(botId, 'bot id')
    const gid = requireId(groupId, 'group id')
    return this.call(accountId, (api) => api.groupSettings(id, gid))
  }

  /** Checks the values against the bot's form, saves them, and reads them back. */
  async saveGroupSettings(accountId: string, botId: string, groupId: string, values: YunhuSettingsValues): Promise<YunhuGroupSettings> {
    const id = requireId(botId, 'bot id')
    const gid = requireId(groupId, 'group id')
    if (!values || typeof values !== 'object' || Array.isArray(values)) throw new Error(coreText('settingsNotValues'))
    return this.call(accountId, async (api) => {
      const current = await api.groupSettings(id, gid)
      const issues = validateSettingsValues(current.form, values)
      if (issues.length) throw new YunhuSettingsError('settings values', `The settings are not valid: ${issues.map((i) => i.message).join('; ')}`, issues)
      await api.saveGroupSettings(id, gid, { form: current.form, values: { ...current.values, ...values } })
      return api.groupSettings(id, gid)
    })
  }

  /** True while the account waits for a new login (after a -101). */
  isLoggedOut(accountId: string): boolean {
    return this.live.get(accountId)?.needsLogin ?? false
  }
}

