/**
 * AppCore: the main process's state without Electron — accounts and their connections, contacts,
 * history, settings — and the operations the renderer calls. The Electron shell (ipc.ts) and the
 * browser bridge both drive it through the same handler table (handlers.ts).
 */
import { EventEmitter } from 'node:events'
import { createHash, randomUUID } from 'node:crypto'
import type { AccountInfo, AddMioAccountInput, AppInfo, Contact, MainEventName, MainEvents, Settings, StreamDelta } from '../shared/api'
import { DEFAULT_SETTINGS } from '../shared/api'
import type { AiReply, ChatMessage, ChatTurn, LlmContact, LoginInfo, ModelGroup, Segment, ShareResult } from '../shared/mio'
import { MioClient, gatewayUrl, type StreamHandle } from './protocols/mio/client'
import { TransportError, errorMessage } from './transport/errors'
import { silentLogger, type Logger } from './log'
import { MemoryHistory, MemoryOutbox, isOutboxStore, type HistoryStore, type OutboxEntry, type OutboxStore } from './storage/history'
import type { KeyValueStore, SecretBox } from './storage/storage'
import { previewOf, replyTarget } from './accounts/preview'
import { YunhuAccounts, type YunhuAccountsTuning } from './accounts/yunhu/provider' // Yunhu accounts (yunhu-accounts.ts)

export type CoreEvents = { [K in MainEventName]: [MainEvents[K]] }

export interface AppCoreOptions {
  store: KeyValueStore
  secrets: SecretBox
  history?: HistoryStore
  logger?: Logger
  host: 'electron' | 'browser'
  version: string
  suggestedAccount?: AppInfo['suggestedAccount']
  openExternal: (url: string) => Promise<void>
  /** Interval between coalesced stream events, ms (one animation frame). */
  streamFlushMs?: number
  /** Client options override (tests). */
  clientOptions?: Partial<ConstructorParameters<typeof MioClient>[0]>
  /** Yunhu client tuning (tests). */
  yunhu?: YunhuAccountsTuning
  /**
   * Spec servers take a client `message_id` with each message (the seed's send request carries one),
   * so a send whose outcome is unknown (the link dropped after the frame left) is resent automatically
   * under the same id and the server answers it without storing it twice (the reference server does).
   * On by default for the spec dialect; never for the field dialect, which assigns ids itself. When off,
   * such a send is marked failed ("may have been sent") with a retry button instead.
   */
  serverDedupesMessageIds?: boolean
}

interface StoredAccount {
  id: string
  kind: 'mio'
  label: string
  server: string
  userId: string
  /** The access code, encrypted with the SecretBox. */
  secret: string
}

interface LiveAccount {
  stored: StoredAccount
  client: MioClient
  streams: Map<string, StreamHandle>
  /** The outbox pump is running / was asked to run again while running. */
  pumping: boolean
  pumpAgain: boolean
  /** Set by stop/remove: attempts cut short by our own shutdown stay queued as they are. */
  closed: boolean
  /** send() calls waiting for their message to leave the outbox (or to be parked while offline). */
  waiters: Map<string, (m: ChatMessage) => void>
}

/** Why an outgoing message failed when its send may or may not have reached the server. */
/** Automatic attempts at one message before it is handed to the user as "retry". */
export const MAX_AUTO_ATTEMPTS = 5
export const AMBIGUOUS_SEND_ERROR = 'The connection dropped while sending: the server may or may not have received it. Retry to send it again.'

export const BOT_CONTACT_ID = 'bot'
const HISTORY_TURNS = 20

export class AppCore {
  readonly events = new EventEmitter<CoreEvents>()
  private readonly o: AppCoreOptions
  private readonly log: Logger
  readonly history: HistoryStore
  /** The outbox: the history's own (same database, same transactions) or an in-memory one beside it. */
  readonly outbox: OutboxStore
  /** The Yunhu accounts; AppCore dispatches to it by account kind. */
  readonly yunhu: YunhuAccounts
  private readonly live = new Map<string, LiveAccount>()
  private settings: Settings
  private seq = 0

  constructor(options: AppCoreOptions) {
    this.o = options
    this.log = options.logger ?? silentLogger
    this.history = options.history ?? new MemoryHistory()
    this.outbox = isOutboxStore(this.history) ? this.history : new MemoryOutbox(this.history)
    this.settings = { ...DEFAULT_SETTINGS, ...(options.store.get<Partial<Settings>>('settings') ?? {}) }
    // --- Yunhu hook
    this.yunhu = new YunhuAccounts({
      ...options.yunhu,
      store: options.store,
      secrets: options.secrets,
      history: this.history,
      logger: this.log,
      streamFlushMs: options.streamFlushMs,
      now: () => this.now(),
      emit: (event, payload) => this.emit(event, payload),
      onAccountsChanged: () => this.emitAccounts()
    })
  }

  emit<E extends MainEventName>(event: E, payload: MainEvents[E]): void {
    ;(this.events as unknown as EventEmitter).emit(event, payload)
  }

  /** Reconnects every stored account (in the background). */
  async start(): Promise<void> {
    await this.yunhu.start() // Yunhu hook
    for (const acc of this.storedAccounts()) {
      if (this.live.has(acc.id)) continue
      try {
        const la = this.spawn(acc)
        la.client.start()
      } catch (e) {
        this.log.error(`could not start account ${acc.label}: ${errorMessage(e)}`)
      }
    }
  }

  async stop(): Promise<void> {
    await this.yunhu.stop() // Yunhu hook
    for (const la of this.live.values()) {
      la.closed = true
      la.client.stop()
      this.releaseWaiters(la)
    }
    this.live.clear()
  }

  // ------------------------------------------------------------------ app and settings

  info(): AppInfo {
    return { version: this.o.version, platform: process.platform, host: this.o.host, suggestedAccount: this.storedAccounts().length === 0 ? this.o.suggestedAccount : undefined }
  }

  async openExternal(url: string): Promise<void> {
    let u: URL
    try {
      u = new URL(url)
    } catch {
      throw new Error('That link is not a valid address')
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('Only http and https links can be opened')
    await this.o.openExternal(u.toString())
  }

  getSettings(): Settings {
    return { ...this.settings }
  }

  setSettings(patch: Partial<Settings>): Settings {
    const next: Settings = { ...this.settings }
    const allowed: Record<keyof Settings, (v: unknown) => boolean> = {
      locale: (v) => v === 'system' || v === 'zh-CN' || v === 'en',
      theme: (v) => v === 'system' || v === 'light' || v === 'dark',
      sendKey: (v) => v === 'enter' || v === 'ctrl-enter',
      heartbeatIntervalMs: (v) => typeof v === 'number' && v >= 500 && v <= 120_000,
      notifications: (v) => typeof v === 'boolean',
      privacyMode: (v) => typeof v === 'boolean',
      closeToTray: (v) => typeof v === 'boolean',
      mutedConversations: (v) => Array.isArray(v) && v.length <= 10_000 && v.every((x) => typeof x === 'string' && x.length < 400)
    }
    for (const [k, v] of Object.entries(patch ?? {})) {
      const check = allowed[k as keyof Settings]
      if (!check) throw new Error(`Unknown setting "${k}"`)
      if (!check(v)) throw new Error(`Invalid value for setting "${k}"`)
      ;(next as unknown as Record<string, unknown>)[k] = v
    }
    this.settings = next
    this.o.store.set('settings', next)
    this.emit('settings', { ...next })
    return { ...next }
  }

  // ------------------------------------------------------------------ accounts

  private storedAccounts(): StoredAccount[] {
    return this.o.store.get<StoredAccount[]>('accounts') ?? []
  }

  private saveAccounts(list: StoredAccount[]): void {
    this.o.store.set('accounts', list)
  }

  listAccounts(): AccountInfo[] {
    return [...this.storedAccounts().map((a) => this.accountInfo(a)), ...this.yunhu.listAccounts()] // Yunhu hook: Yunhu accounts follow
  }

  private accountInfo(a: StoredAccount): AccountInfo {
    const la = this.live.get(a.id)
    const status = la ? { ...la.client.status, delayMs: la.client.socket.delayMs } : { state: 'offline' as const }
    return { id: a.id, kind: a.kind, label: a.label, server: a.server, userId: a.userId, status, login: la?.client.login ?? this.cachedLogin(a.id) }
  }

  /** The last login of an account (shown while offline, e.g. after an offline start). */
  private cachedLogin(accountId: string): LoginInfo | undefined {
    return this.o.store.get<LoginInfo>(`login:${accountId}`)
  }

  private emitAccounts(): void {
    this.emit('accounts', { accounts: this.listAccounts() })
  }

  private spawn(acc: StoredAccount, token?: string): LiveAccount {
    const client = new MioClient({
      server: acc.server,
      id: acc.userId,
      token: token ?? this.o.secrets.decrypt(acc.secret),
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
      logger: this.log,
      ...this.o.clientOptions
    })
    const la: LiveAccount = { stored: acc, client, streams: new Map(), pumping: false, pumpAgain: false, closed: false, waiters: new Map() }
    this.live.set(acc.id, la)
    client.on('status', (status) => {
      this.emit('connection', { accountId: acc.id, status: { ...status, delayMs: client.socket.delayMs } })
      // The link is (back) up: send what the outbox holds, in order.
      if (status.state === 'online') void this.pump(la)
    })
    client.on('delay', () => this.emit('connection', { accountId: acc.id, status: { ...client.status, delayMs: client.socket.delayMs } }))
    client.on('login', (login) => {
      this.o.store.set(`login:${acc.id}`, login)
      this.ensureDefaultLlm(acc.id)
      this.emitAccounts()
      this.emitContacts(acc.id)
    })
    client.on('message', (m) => this.onIncoming(acc.id, m.contactId, m.messageId, m.segments))
    client.on('deleted', (id) => this.onDeleted(acc.id, id))
    return la
  }

  async addMioAccount(input: AddMioAccountInput): Promise<AccountInfo> {
    const server = String(input?.server ?? '').trim()
    const id = String(input?.id ?? '').trim()
    const token = String(input?.token ?? '')
    if (!server) throw new Error('Enter the server address')
    if (!id) throw new Error('Enter your id')
    if (!token) throw new Error('Enter the access code')
    try {
      gatewayUrl(server)
    } catch {
      throw new Error('The server address is not valid (e.g. ws://127.0.0.1:8787)')
    }
    const existing = this.storedAccounts().find((a) => a.server === server && a.userId === id)
    if (existing) throw new Error('This account is already added')
    const acc: StoredAccount = {
      id: randomUUID(),
      kind: 'mio',
      label: input.label?.trim() || `${id}@${gatewayUrl(server).host}`,
      server,
      userId: id,
      secret: this.o.secrets.encrypt(token)
    }
    const la = this.spawn(acc, token)
    try {
      // The user is waiting on the login form: the first failure (unreachable, refused) is the answer.
      await la.client.connect({ failFast: true })
    } catch (e) {
      la.client.stop()
      la.client.removeAllListeners()
      this.live.delete(acc.id)
      throw new Error(friendlyError(e))
    }
    this.saveAccounts([...this.storedAccounts(), acc])
    this.ensureDefaultLlm(acc.id)
    this.emitAccounts()
    this.emitContacts(acc.id)
    return this.accountInfo(acc)
  }

  removeAccount(accountId: string): void {
    if (this.yunhu.owns(accountId)) return this.yunhu.removeAccount(accountId) // Yunhu hook
    const la = this.live.get(accountId)
    if (la) la.closed = true
    la?.client.stop()
    la?.client.removeAllListeners()
    this.live.delete(accountId)
    this.saveAccounts(this.storedAccounts().filter((a) => a.id !== accountId))
    this.o.store.delete(`llm:${accountId}`)
    this.o.store.delete(`login:${accountId}`)
    this.history.clearAccount(accountId)
    if (this.outbox instanceof MemoryOutbox) this.outbox.clearAccount(accountId)
    if (la) this.releaseWaiters(la)
    this.emitAccounts()
  }

  reconnect(accountId: string): void {
    if (this.yunhu.owns(accountId)) return this.yunhu.reconnect(accountId) // Yunhu hook
    const la = this.need(accountId)
    la.client.stop()
    la.client.start()
  }

  private need(accountId: string): LiveAccount {
    const la = this.live.get(accountId)
    if (!la) throw new Error('Unknown account')
    return la
  }

  // ------------------------------------------------------------------ contacts

  private llmContacts(accountId: string): LlmContact[] {
    return this.o.store.get<LlmContact[]>(`llm:${accountId}`) ?? []
  }

  private ensureDefaultLlm(accountId: string): void {
    const la = this.live.get(accountId)
    if (!la || this.o.store.get(`llm:${accountId}`) !== undefined) return
    const login = la.client.login ?? this.cachedLogin(accountId)
    const model = login?.defaultModel ?? login?.models?.[0]?.models[0]
    if (!model && login?.dialect === 'field') return
    this.o.store.set(`llm:${accountId}`, [
      { id: randomUUID(), name: 'AI', model: model ?? 'mio-demo', systemPrompt: '', temperature: 1, top_p: 1, presence_penalty: 0, frequency_penalty: 0 }
    ])
  }

  listContacts(accountId: string): Contact[] {
    if (this.yunhu.owns(accountId)) return this.yunhu.cachedContacts(accountId) // Yunhu hook (contacts:list refreshes via yunhu.listContacts)
    const la = this.need(accountId)
    const withLast = (c: Contact): Contact => {
      const m = this.history.last(accountId, c.id)
      return m ? { ...c, lastMessage: { preview: previewOf(m), time: m.time, message: m } } : c
    }
    const botQq = (la.client.login ?? this.cachedLogin(accountId))?.botQq
    const bot: Contact = { id: BOT_CONTACT_ID, kind: 'bot', name: botQq ? `Bot ${botQq}` : 'Bot' }
    return [bot, ...this.llmContacts(accountId).map((l): Contact => ({ id: `llm:${l.id}`, kind: 'llm', name: l.name, llm: l }))].map(withLast)
  }

  private emitContacts(accountId: string): void {
    if (this.live.has(accountId)) this.emit('contacts', { accountId, contacts: this.listContacts(accountId) })
  }

  saveLlm(accountId: string, contact: LlmContact): LlmContact {
    this.need(accountId)
    const c = validateLlm(contact)
    const list = this.llmContacts(accountId)
    const i = list.findIndex((x) => x.id === c.id)
    if (i >= 0) list[i] = c
    else list.push(c)
    this.o.store.set(`llm:${accountId}`, list)
    this.emitContacts(accountId)
    return c
  }

  deleteLlm(accountId: string, contactId: string): void {
    this.need(accountId)
    const id = contactId.startsWith('llm:') ? contactId.slice(4) : contactId
    this.o.store.set(`llm:${accountId}`, this.llmContacts(accountId).filter((x) => x.id !== id))
    this.emitContacts(accountId)
  }

  private llmOf(accountId: string, contactId: string): LlmContact {
    const id = contactId.startsWith('llm:') ? contactId.slice(4) : undefined
    const c = id ? this.llmContacts(accountId).find((x) => x.id === id) : undefined
    if (!c) throw new Error('This conversation is not an AI contact')
    return c
  }

  // ------------------------------------------------------------------ messages

  listHistory(accountId: string, contactId: string, before?: number, limit?: number): ChatMessage[] {
    // Over the browser bridge (JSON) an omitted `before` arrives as null: that means "the newest page".
    const b = typeof before === 'number' && Number.isFinite(before) ? before : undefined
    const n = typeof limit === 'number' && Number.isFinite(limit) ? limit : 50
    return this.history.list(accountId, contactId, b, Math.min(Math.max(1, Math.floor(n)), 500))
  }

  private now(): number {
    // Strictly increasing, so messages created in the same millisecond keep their order.
    const t = Date.now()
    this.seq = t > this.seq ? t : this.seq + 1
    return this.seq
  }

  private store(accountId: string, m: ChatMessage): ChatMessage {
    this.history.put(accountId, m)
    this.emit('message', { accountId, message: m })
    return m
  }

  /**
   * Frees a server id for a new message. A Mio-Chat server keeps no history and restarts its id counter,
   * so an id met again after a server restart names a new message (repeated pushes are already dropped by
   * the client). The stored message keeps its content under `<id>@<time>`; it cannot be recalled or
   * quoted on the server any more anyway.
   */
  private freeId(accountId: string, messageId: string): void {
    const old = this.history.find(accountId, messageId)
    if (!old) return
    const moved: ChatMessage = { ...old, id: `${old.id}@${old.time}` }
    this.history.put(accountId, moved) // first the copy, then the removal: a crash in between leaves both, never neither
    this.history.remove(accountId, old.contactId, old.id)
    // `localId` tells the renderer to replace the copy it shows under the old id.
    this.emit('message', { accountId, message: { ...moved, localId: old.id } })
  }

  private onIncoming(accountId: string, _wireContact: string, messageId: string, segments: Segment[]): void {
    this.freeId(accountId, messageId)
    const m: ChatMessage = { id: messageId, contactId: BOT_CONTACT_ID, self: false, senderId: _wireContact, time: this.now(), segments, status: 'sent', replyTo: replyTarget(segments) }
    this.store(accountId, m)
    this.emitContacts(accountId)
  }

  private onDeleted(accountId: string, messageId: string): void {
    const m = this.history.find(accountId, messageId)
    if (!m || m.status === 'recalled') return
    this.store(accountId, { ...m, status: 'recalled' })
    this.emitContacts(accountId)
  }

  /**
   * Queues a message in the outbox (stored as 'sending', durably, in the same transaction) and sends it
   * in order. Resolves with the message once sent or failed — or, while offline, at once with the
   * pending copy; it is then sent when the link is back.
   */
  async send(accountId: string, contactId: string, segments: Segment[]): Promise<ChatMessage> {
    const la = this.need(accountId)
    if (contactId !== BOT_CONTACT_ID) throw new Error('Messages to an AI contact are sent with a prompt')
    const segs = validateSegments(segments)
    const localId = `local-${randomUUID()}`
    const msg: ChatMessage = { id: localId, contactId, self: true, time: this.now(), segments: segs, status: 'sending', replyTo: replyTarget(segs) }
    return this.enqueue(la, accountId, msg)
  }

  private enqueue(la: LiveAccount, accountId: string, msg: ChatMessage): Promise<ChatMessage> {
    this.outbox.outboxAdd(accountId, msg, String(clientMessageId(accountId, msg.id)))
    this.emit('message', { accountId, message: msg })
    const done = new Promise<ChatMessage>((resolve) => la.waiters.set(msg.id, resolve))
    void this.pump(la)
    return done
  }

  /** The queued messages of an account, oldest first (tests, diagnostics). */
  outboxOf(accountId: string): OutboxEntry[] {
    return this.outbox.outboxList(accountId)
  }

  private releaseWaiters(la: LiveAccount): void {
    for (const [id, resolve] of la.waiters) {
      const m = this.history.find(la.stored.id, id)
      if (m) resolve(m)
    }
    la.waiters.clear()
  }

  private settleWaiter(la: LiveAccount, localId: string, m: ChatMessage): void {
    const w = la.waiters.get(localId)
    la.waiters.delete(localId)
    w?.(m)
  }

  /** Sends the outbox of an account in order, one message at a time, while the link is up. */
  private async pump(la: LiveAccount): Promise<void> {
    if (la.pumping) {
      la.pumpAgain = true
      return
    }
    la.pumping = true
    try {
      do {
        la.pumpAgain = false
        await this.drain(la)
      } while (la.pumpAgain && !la.closed && la.client.socket.isOnline)
    } catch (e) {
      this.log.error(`outbox: ${errorMessage(e)}`)
    } finally {
      la.pumping = false
      // Whatever is still queued waits for the link: its send() resolves now with the pending copy.
      if (!la.closed) this.releaseWaiters(la)
    }
  }

  private async drain(la: LiveAccount): Promise<void> {
    const accountId = la.stored.id
    for (;;) {
      const batch = this.outbox.outboxList(accountId)
      if (batch.length === 0) return
      for (const e of batch) {
        if (la.closed || !la.client.socket.isOnline) return
        if ((await this.attempt(la, e)) === 'parked') return
      }
    }
  }

  /** One attempt at one queued message; 'parked' = left queued until the link is back. */
  private async attempt(la: LiveAccount, e: OutboxEntry): Promise<'done' | 'parked'> {
    const accountId = la.stored.id
    const msg = this.history.get(accountId, e.contactId, e.messageId)
    const settle = (final: ChatMessage): 'done' => {
      this.outbox.outboxSettle(accountId, e.messageId, final)
      this.emit('message', { accountId, message: final })
      this.settleWaiter(la, e.messageId, final)
      return 'done'
    }
    if (!msg) {
      // Nothing left to send (should not happen: the message and its entry are written together).
      this.outbox.outboxSettle(accountId, e.messageId, { id: e.messageId, contactId: e.contactId, self: true, time: 0, segments: [], status: 'failed', error: 'Lost' })
      this.history.remove(accountId, e.contactId, e.messageId)
      return 'done'
    }
    const dialect = la.client.dialect
    // A previous attempt may have reached the server (link dropped, timeout, or the app was killed).
    if (e.inFlight && !this.resendsAmbiguous(la)) return settle({ ...msg, status: 'failed', error: AMBIGUOUS_SEND_ERROR })
    this.outbox.outboxMark(accountId, e.messageId, true)
    try {
      const wireId = dialect === 'spec' ? Number(e.clientId) : undefined
      const serverId = await la.client.sendMessage(la.client.onebotTarget(), msg.segments, wireId)
      if (e.inFlight && wireId !== undefined && serverId !== String(wireId)) {
        this.log.warn(`outbox: the server stored a resent message under a new id (${serverId}): it does not drop repeated message ids`)
      }
      if (serverId !== msg.id) this.freeId(accountId, serverId)
      settle({ ...msg, id: serverId, localId: msg.id, status: 'sent', error: undefined })
      this.emitContacts(accountId)
      return 'done'
    } catch (err) {
      if (la.closed) return 'parked' // our own shutdown: stays queued (in flight) for the next start
      const kind = err instanceof TransportError ? err.kind : undefined
      if (kind === 'offline') {
        // The frame never left: safe to send again later.
        this.outbox.outboxMark(accountId, e.messageId, false)
        return 'parked'
      }
      if (kind === 'closed' || kind === 'timeout') {
        // Resend under the same id, but not forever: a server that never answers must not block the outbox.
        const attempts = this.outbox.outboxList(accountId).find((x) => x.messageId === e.messageId)?.attempts ?? MAX_AUTO_ATTEMPTS
        if (this.resendsAmbiguous(la) && attempts < MAX_AUTO_ATTEMPTS) return la.client.socket.isOnline ? this.attempt(la, { ...e, inFlight: true }) : 'parked'
        return settle({ ...msg, status: 'failed', error: AMBIGUOUS_SEND_ERROR })
      }
      // The server refused it (or cannot take it): resending would not help.
      return settle({ ...msg, status: 'failed', error: friendlyError(err) })
    }
  }

  /** Whether an ambiguous send may be resent by itself: only with a client message_id the server deduplicates. */
  private resendsAmbiguous(la: LiveAccount): boolean {
    return la.client.dialect === 'spec' && this.o.serverDedupesMessageIds !== false
  }

  async retry(accountId: string, contactId: string, messageId: string): Promise<ChatMessage> {
    const la = this.need(accountId)
    const m = this.history.get(accountId, contactId, messageId)
    if (!m) throw new Error('That message no longer exists')
    if (m.status !== 'failed') throw new Error('Only a message that failed to send can be retried')
    return this.enqueue(la, accountId, { ...m, status: 'sending', error: undefined })
  }

  async recall(accountId: string, contactId: string, messageId: string): Promise<void> {
    const la = this.need(accountId)
    const m = this.history.get(accountId, contactId, messageId)
    if (!m) throw new Error('That message no longer exists')
    if (!m.self) throw new Error('You can only recall your own messages')
    if (contactId === BOT_CONTACT_ID) {
      try {
        await la.client.recall(la.client.onebotTarget(), /^\d+$/.test(messageId) && messageId.length < 16 ? Number(messageId) : messageId)
      } catch (e) {
        throw new Error(friendlyError(e))
      }
    }
    this.onDeleted(accountId, messageId)
  }

  async forward(accountId: string, fromContactId: string, messageIds: string[], toContactId: string): Promise<ChatMessage> {
    const la = this.need(accountId)
    if (!Array.isArray(messageIds) || messageIds.length === 0) throw new Error('Pick at least one message to forward')
    const picked = messageIds.map((id) => {
      const m = this.history.get(accountId, fromContactId, id)
      if (!m) throw new Error('A message to forward no longer exists')
      if (m.status === 'recalled') throw new Error('A recalled message cannot be forwarded')
      return m
    })
    picked.sort((a, b) => a.time - b.time)
    const nodesSeg: Segment = { type: 'nodes', data: { messages: picked.map((m) => messageSegments(m)) } }
    let id = `local-${randomUUID()}`
    if (toContactId === BOT_CONTACT_ID) {
      try {
        const serverId = await la.client.forward(
          la.client.onebotTarget(),
          picked.map((m) => ({ message_id: /^\d+$/.test(m.id) && m.id.length < 16 ? Number(m.id) : m.id, message: messageSegments(m) }))
        )
        if (serverId) id = serverId
      } catch (e) {
        throw new Error(friendlyError(e))
      }
    } else {
      this.llmOf(accountId, toContactId)
    }
    const msg: ChatMessage = { id, contactId: toContactId, self: true, time: this.now(), segments: [nodesSeg], status: 'sent' }
    this.store(accountId, msg)
    this.emitContacts(accountId)
    return msg
  }

  async share(accountId: string, contactId: string): Promise<ShareResult> {
    const la = this.need(accountId)
    const contactor =
      contactId === BOT_CONTACT_ID
        ? { id: la.client.login?.botQq ?? '', name: 'Bot', type: 'onebot' }
        : (() => {
            const l = this.llmOf(accountId, contactId)
            return { name: l.name, type: 'openai', options: { model: l.model, systemPrompt: l.systemPrompt, temperature: l.temperature, top_p: l.top_p, presence_penalty: l.presence_penalty, frequency_penalty: l.frequency_penalty } }
          })()
    try {
      return await la.client.share(contactor)
    } catch (e) {
      throw new Error(friendlyError(e))
    }
  }

  async models(accountId: string): Promise<ModelGroup[]> {
    const la = this.need(accountId)
    try {
      return await la.client.models()
    } catch (e) {
      throw new Error(friendlyError(e))
    }
  }

  async ping(accountId: string): Promise<number> {
    try {
      return await this.need(accountId).client.ping()
    } catch (e) {
      throw new Error(friendlyError(e))
    }
  }

  // ------------------------------------------------------------------ AI replies

  async complete(accountId: string, contactId: string, prompt: string): Promise<{ userMessage: ChatMessage; replyMessage: ChatMessage }> {
    const la = this.need(accountId)
    const llm = this.llmOf(accountId, contactId)
    const text = String(prompt ?? '')
    if (!text.trim()) throw new Error('Type a message first')
    const userMessage = this.store(accountId, { id: `u-${randomUUID()}`, contactId, self: true, time: this.now(), segments: [{ type: 'text', data: { text } }], status: 'sent' })
    const replyMessage = this.startReply(la, accountId, llm, contactId, `r-${randomUUID()}`, this.now())
    this.emitContacts(accountId)
    return { userMessage, replyMessage }
  }

  async completeRetry(accountId: string, contactId: string, replyMessageId: string): Promise<{ replyMessage: ChatMessage }> {
    const la = this.need(accountId)
    const llm = this.llmOf(accountId, contactId)
    const old = this.history.get(accountId, contactId, replyMessageId)
    if (!old?.ai) throw new Error('That reply no longer exists')
    if (old.ai.status === 'pending' || old.ai.status === 'streaming') throw new Error('The reply is still running')
    return { replyMessage: this.startReply(la, accountId, llm, contactId, replyMessageId, old.time) }
  }

  abort(accountId: string, _contactId: string, replyMessageId: string): void {
    const la = this.need(accountId)
    la.streams.get(replyMessageId)?.abort()
  }

  /** The conversation so far as chat turns (before `beforeTime`), with the system prompt first. */
  private turns(accountId: string, llm: LlmContact, contactId: string, beforeTime: number): ChatTurn[] {
    const msgs = this.history.list(accountId, contactId, beforeTime, HISTORY_TURNS * 2)
    const turns: ChatTurn[] = []
    if (llm.systemPrompt.trim()) turns.push({ role: 'system', content: llm.systemPrompt })
    for (const m of msgs) {
      if (m.status === 'recalled') continue
      if (m.ai) {
        if (m.ai.text) turns.push({ role: 'assistant', content: m.ai.text })
      } else {
        const t = m.segments.filter((s) => s.type === 'text').map((s) => String(s.data.text ?? '')).join('')
        if (t) turns.push({ role: 'user', content: t })
      }
    }
    return turns
  }

  private startReply(la: LiveAccount, accountId: string, llm: LlmContact, contactId: string, messageId: string, time: number): ChatMessage {
    const messages = this.turns(accountId, llm, contactId, time)
    const flushMs = this.o.streamFlushMs ?? 16
    let pending: StreamDelta | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const flush = (): void => {
      timer = undefined
      if (!pending) return
      const d = pending
      pending = undefined
      this.emit('stream', d)
    }
    let handle: StreamHandle
    try {
      handle = la.client.complete(
        {
          model: llm.model,
          messages,
          temperature: llm.temperature,
          top_p: llm.top_p,
          presence_penalty: llm.presence_penalty,
          frequency_penalty: llm.frequency_penalty,
          tools: llm.tools,
          stream: true
        },
        (reply, change) => {
          const d = (pending ??= { accountId, contactId, messageId, status: reply.status, textAppend: '', reasoningAppend: '' })
          d.status = reply.status
          if (change.textReplaced) {
            d.text = reply.text
            d.textAppend = ''
          } else if (d.text !== undefined) d.text += change.textAppend
          else d.textAppend += change.textAppend
          d.reasoningAppend += change.reasoningAppend
          if (change.toolCallsChanged) d.toolCalls = structuredClone(reply.toolCalls)
          if (reply.error) d.error = reply.error
          if (reply.errorDetail) d.errorDetail = reply.errorDetail
          if (change.ended) {
            clearTimeout(timer)
            flush()
          } else if (!timer) timer = setTimeout(flush, flushMs)
        }
      )
    } catch (e) {
      const failed: AiReply = { requestId: '', status: 'failed', text: '', reasoning: '', toolCalls: [], error: friendlyError(e) }
      return this.store(accountId, { id: messageId, contactId, self: false, time, segments: [], status: 'failed', error: failed.error, ai: failed })
    }
    la.streams.set(messageId, handle)
    const msg = this.store(accountId, { id: messageId, contactId, self: false, time, segments: [], status: 'sent', ai: structuredClone(handle.reply) })
    void handle.done.then((reply) => {
      la.streams.delete(messageId)
      this.store(accountId, { ...msg, ai: structuredClone(reply) })
      this.emitContacts(accountId)
    })
    return msg
  }
}

/**
 * The stable wire `message_id` of an outgoing message (spec dialect): derived from its local id, so every
 * attempt — after a dropped link, a restart or a manual retry — carries the same one. A 15-digit number:
 * numeric like the server's own ids, far above them, and exact as a JSON number.
 */
export function clientMessageId(accountId: string, localId: string): number {
  const h = createHash('sha256').update(`${accountId}\u0000${localId}`).digest()
  return 100_000_000_000_000 + (h.readUIntBE(0, 6) % 800_000_000_000_000)
}

function messageSegments(m: ChatMessage): Segment[] {
  if (m.ai) return [{ type: 'text', data: { text: m.ai.text } }]
  return m.segments
}

/** A message fit for a user from anything thrown by the core. */
export function friendlyError(e: unknown): string {
  if (e instanceof TransportError) return e.message
  return errorMessage(e)
}

const MAX_SEGMENTS = 100

export function validateSegments(segments: unknown): Segment[] {
  if (!Array.isArray(segments) || segments.length === 0) throw new Error('The message is empty')
  if (segments.length > MAX_SEGMENTS) throw new Error(`A message can have at most ${MAX_SEGMENTS} parts`)
  return segments.map((s) => {
    if (typeof s !== 'object' || s === null || typeof (s as Segment).type !== 'string') throw new Error('A message part is malformed')
    const data = (s as Segment).data
    return { type: (s as Segment).type, data: typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {} }
  })
}

function num(v: unknown, lo: number, hi: number, name: string, dflt: number): number {
  if (v === undefined || v === null || v === '') return dflt
  const n = Number(v)
  if (!Number.isFinite(n) || n < lo || n > hi) throw new Error(`${name} must be between ${lo} and ${hi}`)
  return n
}

export function validateLlm(c: LlmContact): LlmContact {
  if (!c || typeof c !== 'object') throw new Error('Invalid contact')
  const name = String(c.name ?? '').trim()
  if (!name) throw new Error('Give the contact a name')
  const model = String(c.model ?? '').trim()
  if (!model) throw new Error('Pick a model')
  return {
    id: typeof c.id === 'string' && c.id ? c.id.replace(/^llm:/, '') : randomUUID(),
    name: name.slice(0, 80),
    model,
    systemPrompt: String(c.systemPrompt ?? '').slice(0, 20_000),
    temperature: num(c.temperature, 0, 2, 'Temperature', 1),
    top_p: num(c.top_p, 0, 1, 'top_p', 1),
    presence_penalty: num(c.presence_penalty, -2, 2, 'Presence penalty', 0),
    frequency_penalty: num(c.frequency_penalty, -2, 2, 'Frequency penalty', 0),
    tools: Array.isArray(c.tools) ? c.tools.filter((t): t is string => typeof t === 'string') : undefined
  }
}
