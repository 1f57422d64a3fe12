/**
 * Mio-Chat accounts: one MioClient (one WebSocket, dialect detected at login) per account; the bot
 * conversation, the user's AI contacts (kept by the client), the outbox (the shared OutboxPump) and
 * streamed AI replies (the shared StreamCoalescer).
 *
 * A Mio-Chat server keeps no history, so the local history is the only copy.
 */
import { coreText } from '../../../shared/core-text'
import { accountDisplayName } from '../../../shared/account-name'
import { createHash, randomUUID } from 'node:crypto'
import type { AccountInfo, AddMioAccountInput, Contact } from '../../../shared/api'
import { toolBaseName, type AiReply, type ChatMessage, type ChatTurn, type Dialect, type LlmContact, type LoginInfo, type ModelGroup, type MioPreset, type Segment, type ShareResult } from '../../../shared/mio'
import { conversationCapabilities, type AccountCapabilities, type ConversationCapabilities } from '../../../shared/model/capabilities'
import { friendlyError } from '../../errors'
import { gatewayUrl, type MioClientOptions } from '../../protocols/mio/client'
import type { MioConnection, ResumedReply, StreamHandle, StreamListener } from '../../protocols/mio/connection'
import { detectMioGeneration, type MioGeneration } from '../../protocols/mio/detect'
import { openMioConnection } from '../../protocols/mio/open'
import type { MioV2ClientOptions } from '../../protocols/mio/v2/client'
import { TransportError } from '../../transport/errors'
import type { OutboxEntry } from '../../storage/history'
import { KEYS } from '../../storage/keys'
import { OutboxPump, type OutboxLink, type SendFailure } from '../outbox'
import { lastMessageOf, replyTarget } from '../preview'
import type { AccountContext, AccountProvider } from '../provider'
import { StoredAccounts } from '../stored-accounts'
import { StreamCoalescer, type StreamTarget } from '../stream-coalescer'
import { LLM_PREFIX, LlmContacts } from './llm-contacts'
import { historyTurns } from './history-turns'
import { addReplyVersion, editPromptText, promptOfShown, replyVersionFor, replyVersions, showPromptVersion, showReplyVersion } from '../../../shared/versions'

export const BOT_CONTACT_ID = 'bot'
const HISTORY_TURNS = 20
const MAX_SEGMENTS = 100

export interface MioAccountsTuning {
  /** Client options override (tests): the raw-WebSocket generation … */
  clientOptions?: Partial<MioClientOptions>
  /** … and the Socket.IO one. */
  v2Options?: Partial<MioV2ClientOptions>
  /** Which generation a server is (tests may fix it); default: the HTTP probe. */
  detect?: (server: string) => Promise<MioGeneration>
  /** Least time between two re-checks of a server's generation after failed connections, ms. Default 30000. */
  recheckMs?: number
  /**
   * Spec servers take a client `message_id` with each message (the seed's send request carries one),
   * so a send whose outcome is unknown (the link dropped after the frame left) is resent automatically
   * under the same id and the server answers it without storing it twice (the reference server does).
   * On by default for the spec dialect; never for the field dialect, which assigns ids itself. When off,
   * such a send is marked failed ("may have been sent") with a retry button instead.
   */
  serverDedupesMessageIds?: boolean
}

export interface StoredMioAccount {
  id: string
  kind: 'mio'
  label: string
  server: string
  userId: string
  /** The access code, encrypted with the SecretBox. */
  secret: string
  /** Whether the user gave the label (absent on accounts stored before: told from its form, see isMadeUpLabel). */
  labelGiven?: boolean
  /** The server's generation found when the account was added (re-checked when connections fail): raw WebSocket or Socket.IO. */
  generation?: 'v1' | 'v2'
}

interface LiveAccount {
  stored: StoredMioAccount
  client: MioConnection
  token: string
  /** Replies being streamed, by message id, with their message as stored at the start (for checkpoints). */
  replies: Map<string, { msg: ChatMessage; handle: StreamHandle }>
  outbox: OutboxPump
  /** When the generation was last re-checked (ms). */
  checkedAt: number
}

/**
 * What the bot conversation can do on each server generation: only the seed's dialect has a client recall
 * (the real servers have none); forwards to the bot need the spec's forward frame, forwards from it are local.
 */
function botCapabilities(dialect: Dialect | undefined): ConversationCapabilities {
  return conversationCapabilities({ send: ['text', 'image', 'mention', 'quote'], recall: dialect === undefined || dialect === 'spec', forward: true, quote: true, share: true })
}
const LLM_CAPS: ConversationCapabilities = conversationCapabilities({ send: ['text'], prompt: true, recall: true, forward: true, editModel: true })

/** The onebot wire form of a stored id: a number when it is one (the server's ids are numbers). */
function wireId(id: string): string | number {
  return /^\d+$/.test(id) && id.length < 16 ? Number(id) : id
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

export function validateSegments(segments: unknown): Segment[] {
  if (!Array.isArray(segments) || segments.length === 0) throw new Error(coreText('messageEmpty'))
  if (segments.length > MAX_SEGMENTS) throw new Error(coreText('tooManyParts', { n: String(MAX_SEGMENTS) }))
  return segments.map((s) => {
    if (typeof s !== 'object' || s === null || typeof (s as Segment).type !== 'string') throw new Error(coreText('partMalformed'))
    const data = (s as Segment).data
    return { type: (s as Segment).type, data: typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {} }
  })
}

/** A reply's assembled state with the versions it had (the assembler knows only the one being generated). */
function keepVersions(prev: AiReply | undefined, reply: AiReply): AiReply {
  const ai = structuredClone(reply)
  if (prev?.versions) {
    ai.shown = prev.shown
    ai.versions = prev.versions
    ai.versions = replyVersions(ai) // the shown entry as it is now: the stored list is whole
  }
  return ai
}

function messageSegments(m: ChatMessage): Segment[] {
  if (m.ai) return [{ type: 'text', data: { text: m.ai.text } }]
  return m.segments
}

export class MioAccounts implements AccountProvider {
  readonly kind = 'mio' as const
  readonly capabilities: AccountCapabilities = { modelContacts: true, botConsole: false, relogin: false, ping: true }
  private readonly live = new Map<string, LiveAccount>()
  private readonly stored: StoredAccounts<StoredMioAccount>
  private readonly llm: LlmContacts
  private readonly streamer: StreamCoalescer

  constructor(
    private readonly c: AccountContext,
    private readonly t: MioAccountsTuning = {}
  ) {
    this.stored = new StoredAccounts(c.store, KEYS.mioAccounts)
    this.llm = new LlmContacts(c.store)
    this.streamer = new StreamCoalescer((d) => c.emit('stream', d), { flushMs: c.streamFlushMs, checkpoint: (target) => this.checkpoint(target) })
  }

  owns(accountId: string): boolean {
    return this.live.has(accountId) || this.stored.has(accountId)
  }

  // ------------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    this.stored.startAll((id) => this.live.has(id), (acc) => this.spawn(acc).client.start(), this.c.logger)
  }

  async stop(): Promise<void> {
    this.streamer.flushAll()
    for (const la of this.live.values()) this.shutdown(la)
    this.live.clear()
  }

  private shutdown(la: LiveAccount): void {
    la.outbox.close()
    la.client.stop()
    la.client.removeAllListeners()
  }

  // ------------------------------------------------------------------ accounts

  list(): AccountInfo[] {
    return this.stored.all().map((a) => this.accountInfo(a))
  }

  private accountInfo(a: StoredMioAccount): AccountInfo {
    const la = this.live.get(a.id)
    const status = la ? { ...la.client.status, delayMs: la.client.delayMs } : { state: 'offline' as const }
    const v2 = this.login(a.id)?.dialect === 'v2'
    const login = this.login(a.id)
    const nickname = login?.serverName
    const displayName = accountDisplayName({ label: a.label, userId: a.userId, server: a.server, platformName: nickname, labelGiven: a.labelGiven })
    return { id: a.id, kind: a.kind, label: a.label, displayName, ...(nickname ? { nickname } : {}), server: a.server, userId: a.userId, status, login, capabilities: { ...this.capabilities, toolApproval: v2, serverTools: v2, presets: v2 } }
  }

  /** The live login of an account, else the last one (shown while offline, e.g. after an offline start). */
  private login(accountId: string): LoginInfo | undefined {
    return this.live.get(accountId)?.client.login ?? this.c.store.get(KEYS.mioLogin(accountId))
  }

  /** A connection of the account's server generation. */
  private connection(acc: StoredMioAccount, token: string): MioConnection {
    return openMioConnection(acc.generation ?? 'v1', {
      server: acc.server,
      id: acc.userId,
      token,
      heartbeatIntervalMs: this.c.settings().heartbeatIntervalMs,
      logger: this.c.logger,
      v1: this.t.clientOptions,
      v2: this.t.v2Options
    })
  }

  private spawn(acc: StoredMioAccount, token?: string): LiveAccount {
    const secret = token ?? this.c.secrets.decrypt(acc.secret)
    const la: LiveAccount = { stored: acc, client: this.connection(acc, secret), token: secret, replies: new Map(), outbox: undefined as unknown as OutboxPump, checkedAt: Date.now() }
    la.outbox = new OutboxPump(acc.id, this.outboxLink(la), this.c.outbox, this.c.history, this.c.emit, this.c.logger)
    this.live.set(acc.id, la)
    this.attach(la)
    return la
  }

  /** Listens to the account's connection. */
  private attach(la: LiveAccount): void {
    const acc = la.stored
    const client = la.client
    client.on('status', (status) => {
      if (la.client !== client) return
      this.c.emit('connection', { accountId: acc.id, status: { ...status, delayMs: client.delayMs } })
      // The link is (back) up: send what the outbox holds, in order.
      if (status.state === 'online') void la.outbox.pump()
      if (status.state === 'reconnecting' || status.state === 'failed') void this.recheck(la)
    })
    client.on('delay', () => this.c.emit('connection', { accountId: acc.id, status: { ...client.status, delayMs: client.delayMs } }))
    client.on('login', (login) => {
      this.c.store.set(KEYS.mioLogin(acc.id), login)
      this.llm.ensureDefault(acc.id, login)
      this.c.accountsChanged()
      this.emitContacts(acc.id)
      // Replies the server kept while we were away (v2): ask for those of our model conversations that have no
      // reply open here (the connection resumes its own). After the login has finished, never inside it.
      const pending = (login.pendingTasks ?? []).filter((contactorId) => this.llm.has(acc.id, contactorId) && ![...la.replies.values()].some((r) => r.msg.contactId === contactorId))
      if (pending.length && client.resume)
        setImmediate(() => {
          for (const contactorId of pending) {
            try {
              if (la.client === client) client.resume?.(contactorId)
            } catch (e) {
              this.c.logger.warn(`Mio-Chat ${acc.label}: could not ask for the kept replies: ${friendlyError(e)}`)
            }
          }
        })
    })
    client.on('message', (m) => this.onIncoming(acc.id, m.contactId, m.messageId, m.segments))
    client.on('deleted', (id) => this.onDeleted(acc.id, id))
    client.on('resumed', (r) => this.onResumed(la, r))
    client.on('catalog', (what) => {
      if (la.client === client) this.c.emit('catalog', { accountId: acc.id, what })
    })
  }

  /**
   * Connections keep failing: the server may have been upgraded (or rolled back) to another generation.
   * Probes it (at most every `recheckMs`) and, when it answers as the other one, switches the account over.
   */
  private async recheck(la: LiveAccount): Promise<void> {
    const now = Date.now()
    if (now - la.checkedAt < (this.t.recheckMs ?? 30_000)) return
    la.checkedAt = now
    const found = await (this.t.detect ?? detectMioGeneration)(la.stored.server).catch((): MioGeneration => 'none')
    const current = la.stored.generation ?? 'v1'
    if (found === 'none' || found === current || !this.live.has(la.stored.id)) return
    this.c.logger.warn(`Mio-Chat ${la.stored.label}: the server now speaks ${found === 'v2' ? 'the Socket.IO generation' : 'the raw-WebSocket generation'}; switching`)
    const next: StoredMioAccount = { ...la.stored, generation: found }
    this.stored.replace(next)
    la.stored = next
    const old = la.client
    la.client = this.connection(next, la.token)
    old.removeAllListeners()
    old.stop()
    this.attach(la)
    la.client.start()
  }

  private outboxLink(la: LiveAccount): OutboxLink {
    const accountId = la.stored.id
    return {
      isOnline: () => la.client.isOnline,
      resendsAmbiguous: () => la.client.dialect === 'spec' && this.t.serverDedupesMessageIds !== false,
      transmit: async (msg: ChatMessage, e: OutboxEntry) => {
        const wire = la.client.dialect === 'spec' ? Number(e.clientId) : undefined
        const serverId = await la.client.sendMessage(la.client.onebotTarget(), msg.segments, wire)
        if (e.inFlight && wire !== undefined && serverId !== String(wire)) {
          this.c.logger.warn(`outbox: the server stored a resent message under a new id (${serverId}): it does not drop repeated message ids`)
        }
        if (serverId !== msg.id) this.freeId(accountId, serverId)
        return { ...msg, id: serverId, localId: msg.id, status: 'sent', error: undefined }
      },
      classify: (err: unknown): SendFailure => {
        const kind = err instanceof TransportError ? err.kind : undefined
        if (kind === 'offline') return { kind: 'offline' }
        if (kind === 'closed' || kind === 'timeout') return { kind: 'ambiguous' }
        return { kind: 'refused', message: friendlyError(err) }
      },
      settled: (final) => {
        if (final.status === 'sent') this.emitContacts(accountId)
      }
    }
  }

  async add(input: unknown): Promise<AccountInfo> {
    const i = (input ?? {}) as Partial<AddMioAccountInput>
    const server = String(i.server ?? '').trim()
    const id = String(i.id ?? '').trim()
    const token = String(i.token ?? '')
    if (!server) throw new Error(coreText('enterServer'))
    if (!id) throw new Error(coreText('enterId'))
    if (!token) throw new Error(coreText('enterCode'))
    try {
      gatewayUrl(server)
    } catch {
      throw new Error(coreText('serverAddressInvalidEg'))
    }
    if (this.stored.all().some((a) => a.server === server && a.userId === id)) throw new Error(coreText('accountAlreadyAdded'))
    // Which generation answers there: today's Socket.IO server, or a raw-WebSocket one (spec or field, told apart at login).
    const found = await (this.t.detect ?? detectMioGeneration)(server).catch((): MioGeneration => 'none')
    const acc: StoredMioAccount = {
      id: randomUUID(),
      kind: 'mio',
      label: (typeof i.label === 'string' ? i.label.trim() : '') || `${id}@${gatewayUrl(server).host}`,
      labelGiven: typeof i.label === 'string' && i.label.trim() !== '',
      server,
      userId: id,
      secret: this.c.secrets.encrypt(token),
      generation: found === 'v2' ? 'v2' : 'v1'
    }
    const la = this.spawn(acc, token)
    try {
      // The user is waiting on the login form: the first failure (unreachable, refused) is the answer.
      await la.client.connect({ failFast: true })
    } catch (e) {
      this.shutdown(la)
      this.live.delete(acc.id)
      throw new Error(friendlyError(e))
    }
    this.stored.add(acc)
    this.llm.ensureDefault(acc.id, this.login(acc.id))
    this.c.accountsChanged()
    this.emitContacts(acc.id)
    return this.accountInfo(acc)
  }

  async relogin(): Promise<AccountInfo> {
    throw new Error(coreText('mioNoRelogin'))
  }

  remove(accountId: string): void {
    const la = this.live.get(accountId)
    if (la) this.shutdown(la)
    this.live.delete(accountId)
    this.stored.remove(accountId)
    this.llm.clear(accountId)
    this.c.store.delete(KEYS.mioLogin(accountId))
    this.c.forgetHistory(accountId)
    this.c.accountsChanged()
  }

  reconnect(accountId: string): void {
    const la = this.need(accountId)
    la.client.stop()
    la.client.start()
  }

  private need(accountId: string): LiveAccount {
    const la = this.live.get(accountId)
    if (!la) throw new Error(coreText('unknownAccount'))
    return la
  }

  // ------------------------------------------------------------------ contacts

  async contacts(accountId: string): Promise<Contact[]> {
    return this.contactList(accountId)
  }

  /** The conversations, now (no server round trip: a Mio-Chat server has no contact list). */
  contactList(accountId: string): Contact[] {
    this.need(accountId)
    const withLast = (c: Contact): Contact => {
      const m = this.c.history.last(accountId, c.id)
      return m ? { ...c, lastMessage: lastMessageOf(m) } : c
    }
    const login = this.login(accountId)
    const botQq = login?.botQq
    const bot: Contact = { id: BOT_CONTACT_ID, kind: 'bot', name: botQq ? `Bot ${botQq}` : 'Bot', capabilities: botCapabilities(login?.dialect) }
    const llms = this.llm.list(accountId).map((l): Contact => ({ id: `${LLM_PREFIX}${l.id}`, kind: 'llm', name: l.name, llm: l, capabilities: LLM_CAPS }))
    // A server without a OneBot side (v2 says so at login) has no bot to talk to; its history stays stored.
    return (login?.onebotEnabled === false ? llms : [bot, ...llms]).map(withLast)
  }

  private emitContacts(accountId: string): void {
    if (this.live.has(accountId)) this.c.emit('contacts', { accountId, contacts: this.contactList(accountId) })
  }

  saveLlm(accountId: string, contact: LlmContact): LlmContact {
    this.need(accountId)
    const c = this.llm.save(accountId, contact)
    this.emitContacts(accountId)
    return c
  }

  deleteLlm(accountId: string, contactId: string): void {
    this.need(accountId)
    this.llm.delete(accountId, contactId)
    this.emitContacts(accountId)
  }

  // ------------------------------------------------------------------ messages

  async history(accountId: string, contactId: string, before: number | undefined, limit: number): Promise<ChatMessage[]> {
    return this.c.history.list(accountId, contactId, before, limit)
  }

  private store(accountId: string, m: ChatMessage): ChatMessage {
    this.c.history.put(accountId, m)
    this.c.emit('message', { accountId, message: m })
    return m
  }

  /**
   * Frees a server id for a new message. A Mio-Chat server keeps no history and may restart its id counter,
   * so an id met again in a new server session names a new message (repeated pushes within one session are
   * dropped by the client). The stored message keeps its content under `<id>@<time>`; it cannot be recalled
   * or quoted on the server any more anyway.
   */
  private freeId(accountId: string, messageId: string): void {
    const old = this.c.history.find(accountId, messageId)
    if (!old) return
    const moved: ChatMessage = { ...old, id: `${old.id}@${old.time}` }
    this.c.history.put(accountId, moved) // first the copy, then the removal: a crash in between leaves both, never neither
    this.c.history.remove(accountId, old.contactId, old.id)
    // `localId` tells the renderer to replace the copy it shows under the old id.
    this.c.emit('message', { accountId, message: { ...moved, localId: old.id } })
  }

  private onIncoming(accountId: string, wireContact: string, messageId: string, segments: Segment[]): void {
    this.freeId(accountId, messageId)
    const m: ChatMessage = { id: messageId, contactId: BOT_CONTACT_ID, self: false, senderId: wireContact, time: this.c.clock(), segments, status: 'sent', replyTo: replyTarget(segments) }
    this.store(accountId, m)
    this.emitContacts(accountId)
  }

  private onDeleted(accountId: string, messageId: string): void {
    const m = this.c.history.find(accountId, messageId)
    if (!m || m.status === 'recalled') return
    this.store(accountId, { ...m, status: 'recalled' })
    this.emitContacts(accountId)
  }

  async send(accountId: string, contactId: string, segments: Segment[]): Promise<ChatMessage> {
    const la = this.need(accountId)
    if (contactId !== BOT_CONTACT_ID) throw new Error(coreText('llmNeedsPrompt'))
    const segs = validateSegments(segments)
    const msg: ChatMessage = { id: `local-${randomUUID()}`, contactId, self: true, time: this.c.clock(), segments: segs, status: 'sending', replyTo: replyTarget(segs) }
    return la.outbox.enqueue(msg, String(clientMessageId(accountId, msg.id)))
  }

  /** The queued messages of an account, oldest first (tests, diagnostics). */
  outboxOf(accountId: string): OutboxEntry[] {
    return this.c.outbox.outboxList(accountId)
  }

  async retry(accountId: string, contactId: string, messageId: string): Promise<ChatMessage> {
    const la = this.need(accountId)
    const m = this.c.history.get(accountId, contactId, messageId)
    if (!m) throw new Error(coreText('messageGone'))
    if (m.status !== 'failed') throw new Error(coreText('retryOnlyFailed'))
    return la.outbox.enqueue({ ...m, status: 'sending', error: undefined }, String(clientMessageId(accountId, m.id)))
  }

  async recall(accountId: string, contactId: string, messageId: string): Promise<void> {
    const la = this.need(accountId)
    const m = this.c.history.get(accountId, contactId, messageId)
    if (!m) throw new Error(coreText('messageGone'))
    if (!m.self) throw new Error(coreText('recallOwnOnly'))
    if (contactId === BOT_CONTACT_ID) {
      try {
        await la.client.recall(la.client.onebotTarget(), wireId(messageId))
      } catch (e) {
        throw new Error(friendlyError(e))
      }
    }
    this.onDeleted(accountId, messageId)
  }

  async edit(): Promise<ChatMessage> {
    throw new Error(coreText('mioNoEdit'))
  }

  async forward(accountId: string, fromContactId: string, messageIds: string[], toContactId: string): Promise<ChatMessage> {
    const la = this.need(accountId)
    if (!Array.isArray(messageIds) || messageIds.length === 0) throw new Error(coreText('forwardPickOne'))
    const picked = messageIds.map((id) => {
      const m = this.c.history.get(accountId, fromContactId, id)
      if (!m) throw new Error(coreText('forwardGone'))
      if (m.status === 'recalled') throw new Error(coreText('forwardRecalled'))
      return m
    })
    picked.sort((a, b) => a.time - b.time)
    // Each node names its sender (the forward viewer shows it): this account, or the conversation forwarded from.
    const me = this.accountInfo(la.stored).displayName ?? la.stored.label
    const them = this.contactList(accountId).find((c) => c.id === fromContactId)?.name ?? ''
    const nodesSeg: Segment = { type: 'nodes', data: { messages: picked.map((m) => ({ type: 'node', data: { name: m.self ? me : them, content: messageSegments(m) } })) } }
    let id = `local-${randomUUID()}`
    if (toContactId === BOT_CONTACT_ID) {
      try {
        const serverId = await la.client.forward(
          la.client.onebotTarget(),
          picked.map((m) => ({ message_id: wireId(m.id), message: messageSegments(m) }))
        )
        if (serverId) id = serverId
      } catch (e) {
        throw new Error(friendlyError(e))
      }
    } else {
      this.llm.of(accountId, toContactId)
    }
    const msg: ChatMessage = { id, contactId: toContactId, self: true, time: this.c.clock(), segments: [nodesSeg], status: 'sent' }
    this.store(accountId, msg)
    this.emitContacts(accountId)
    return msg
  }

  // ------------------------------------------------------------------ Mio-Chat only

  async share(accountId: string, contactId: string): Promise<ShareResult> {
    const la = this.need(accountId)
    const contactor =
      contactId === BOT_CONTACT_ID
        ? { id: la.client.login?.botQq ?? '', name: 'Bot', type: 'onebot' }
        : (() => {
            const l = this.llm.of(accountId, contactId)
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

  /** The tools the server offers model contacts (by name, without the server's definition hash), where it lists them. */
  tools(accountId: string): string[] {
    const names = this.need(accountId).client.tools ?? []
    return [...new Set(names.map(toolBaseName))].sort()
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
    const llm = this.llm.of(accountId, contactId)
    const text = String(prompt ?? '')
    if (!text.trim()) throw new Error(coreText('typeFirst'))
    const userMessage = this.store(accountId, { id: `u-${randomUUID()}`, contactId, self: true, time: this.c.clock(), segments: [{ type: 'text', data: { text } }], status: 'sent' })
    const replyMessage = this.startReply(la, llm, contactId, `r-${randomUUID()}`, this.c.clock())
    this.emitContacts(accountId)
    return { userMessage, replyMessage }
  }

  async completeRetry(accountId: string, contactId: string, replyMessageId: string): Promise<{ replyMessage: ChatMessage }> {
    const la = this.need(accountId)
    const llm = this.llm.of(accountId, contactId)
    const old = this.c.history.get(accountId, contactId, replyMessageId)
    if (!old?.ai) throw new Error(coreText('replyGone'))
    if (old.ai.status === 'pending' || old.ai.status === 'streaming') throw new Error(coreText('replyStillRunning'))
    // Regenerate: a new version of the same reply (the earlier answers kept), from the conversation as shown before it.
    const next = addReplyVersion(old.ai, { time: this.c.clock(), model: llm.model, prompt: promptOfShown(old.ai), fallbackTime: old.time })
    return { replyMessage: this.startReply(la, llm, contactId, replyMessageId, old.time, next) }
  }

  /** The model reply right after a prompt, if any (the next message that is one). */
  private replyAfter(accountId: string, contactId: string, prompt: ChatMessage): ChatMessage | undefined {
    const recent = this.c.history.list(accountId, contactId, undefined, HISTORY_TURNS * 10)
    const i = recent.findIndex((m) => m.id === prompt.id)
    const next = i < 0 ? undefined : recent.slice(i + 1).find((m) => m.status !== 'recalled')
    return next?.ai ? next : undefined
  }

  /**
   * Edit and resend the last prompt of a model chat: the prompt keeps its earlier texts as versions and the
   * reply after it gets a new version that answers the new text (its earlier answers stay with the text they answered).
   */
  async editPrompt(accountId: string, contactId: string, messageId: string, text: string): Promise<{ userMessage: ChatMessage; replyMessage: ChatMessage }> {
    const la = this.need(accountId)
    const llm = this.llm.of(accountId, contactId)
    const t = String(text ?? '')
    if (!t.trim()) throw new Error(coreText('typeFirst'))
    const m = this.c.history.get(accountId, contactId, String(messageId ?? ''))
    if (!m || m.status === 'recalled') throw new Error(coreText('messageGone'))
    const lastPrompt = this.c.history.list(accountId, contactId, undefined, HISTORY_TURNS * 2).filter((x) => x.self && !x.ai && x.status !== 'recalled').pop()
    if (!m.self || m.ai || lastPrompt?.id !== m.id) throw new Error(coreText('editLastPromptOnly'))
    const reply = this.replyAfter(accountId, contactId, m)
    if (reply && la.replies.has(reply.id)) throw new Error(coreText('replyStillRunning'))
    const userMessage = this.store(accountId, editPromptText(m, t, this.c.clock()))
    const p = userMessage.promptShown ?? 0
    const replyMessage = reply?.ai
      ? this.startReply(la, llm, contactId, reply.id, reply.time, addReplyVersion(reply.ai, { time: this.c.clock(), model: llm.model, prompt: p, fallbackTime: reply.time }))
      : this.startReply(la, llm, contactId, `r-${randomUUID()}`, this.c.clock())
    this.emitContacts(accountId)
    return { userMessage, replyMessage }
  }

  /**
   * Shows another version of a reply or of an edited prompt. A prompt's version brings the answer that
   * belongs to it; a reply's version that answered another prompt text brings that text. The changed messages.
   */
  async showVersion(accountId: string, contactId: string, messageId: string, index: number): Promise<ChatMessage[]> {
    const la = this.need(accountId)
    const m = this.c.history.get(accountId, contactId, String(messageId ?? ''))
    if (!m) throw new Error(coreText('messageGone'))
    if (!Number.isInteger(index) || index < 0) throw new Error(coreText('noSuchVersion'))
    const changed: ChatMessage[] = []
    const showReply = (r: ChatMessage, i: number): void => {
      if (!r.ai || (r.ai.shown ?? 0) === i) return
      if (la.replies.has(r.id)) throw new Error(coreText('replyStillRunning'))
      changed.push(this.store(accountId, { ...r, ai: showReplyVersion(r.ai, i) }))
    }
    if (m.ai) {
      if (index >= (m.ai.versions?.length ?? 1)) throw new Error(coreText('noSuchVersion'))
      showReply(m, index)
      const p = promptOfShown(changed[0]?.ai ?? m.ai)
      const prompt = this.c.history.list(accountId, contactId, m.time, 5).filter((x) => x.self && !x.ai && x.status !== 'recalled').pop()
      if (prompt?.promptVersions && (prompt.promptShown ?? 0) !== p && p < prompt.promptVersions.length) changed.unshift(this.store(accountId, showPromptVersion(prompt, p)))
    } else {
      if (index >= (m.promptVersions?.length ?? 1)) throw new Error(coreText('noSuchVersion'))
      const reply = this.replyAfter(accountId, contactId, m)
      if (reply && la.replies.has(reply.id)) throw new Error(coreText('replyStillRunning'))
      if ((m.promptShown ?? 0) !== index) changed.push(this.store(accountId, showPromptVersion(m, index)))
      const ri = reply?.ai ? replyVersionFor(reply.ai, index) : undefined
      if (reply && ri !== undefined) showReply(reply, ri)
    }
    return changed
  }

  abort(accountId: string, _contactId: string, replyMessageId: string): void {
    this.need(accountId).replies.get(replyMessageId)?.handle.abort()
  }

  /** The conversation so far as chat turns (before `beforeTime`), as shown, with the system prompt first. */
  private turns(accountId: string, llm: LlmContact, contactId: string, beforeTime: number): ChatTurn[] {
    return historyTurns(this.c.history.list(accountId, contactId, beforeTime, HISTORY_TURNS * 2), llm.systemPrompt)
  }

  /** Persists a reply that is still growing (the coalescer asks at most every few seconds). */
  private checkpoint(target: StreamTarget): void {
    const r = this.live.get(target.accountId)?.replies.get(target.messageId)
    if (!r) return
    this.c.history.put(target.accountId, { ...r.msg, ai: keepVersions(r.msg.ai, r.handle.reply) })
  }

  /** Turns an assembled reply's changes into the one stream path's changes. */
  private replyListener(target: StreamTarget): StreamListener {
    return (reply, change) => {
      if (change.approvalChanged) this.maybeAllow(target, reply)
      this.streamer.change(target, {
        status: reply.status,
        ...(change.textReplaced ? { text: reply.text } : { textAppend: change.textAppend }),
        ...(change.reasoningReplaced ? { reasoning: reply.reasoning } : { reasoningAppend: change.reasoningAppend }),
        toolCalls: change.toolCallsChanged ? reply.toolCalls : undefined,
        approval: change.approvalChanged ? (reply.approval ?? null) : undefined,
        error: reply.error,
        errorDetail: reply.errorDetail,
        ended: change.ended
      })
    }
  }

  /** A question about a tool the user allowed once and for all (`alwaysAllow`) is answered yes at once. */
  private maybeAllow(target: StreamTarget, reply: AiReply): void {
    const q = reply.approval
    if (q?.state !== 'waiting' || !q.tool || !this.llm.has(target.accountId, target.contactId)) return
    if (!this.llm.of(target.accountId, target.contactId).alwaysAllow?.includes(q.tool)) return
    // After this change has been handed on: the answer marks the question answered (another change).
    queueMicrotask(() => {
      this.answer(target.accountId, target.contactId, target.messageId, true).catch((e) =>
        this.c.logger.warn(`Mio-Chat: could not allow ${q.tool} by itself: ${friendlyError(e)}`)
      )
    })
  }

  /** `prev`: the reply's versions so far (a new one is being generated), kept with it. */
  private startReply(la: LiveAccount, llm: LlmContact, contactId: string, messageId: string, time: number, prev?: AiReply): ChatMessage {
    const accountId = la.stored.id
    const messages = this.turns(accountId, llm, contactId, time)
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
          stream: true,
          provider: llm.provider,
          autoApprove: llm.autoApprove,
          contactorId: contactId,
          messageId
        },
        this.replyListener({ accountId, contactId, messageId })
      )
    } catch (e) {
      const failed: AiReply = keepVersions(prev, { requestId: '', status: 'failed', text: '', reasoning: '', toolCalls: [], error: friendlyError(e) })
      return this.store(accountId, { id: messageId, contactId, self: false, time, segments: [], status: 'failed', error: failed.error, ai: failed })
    }
    const msg = this.store(accountId, { id: messageId, contactId, self: false, time, segments: [], status: 'sent', ai: keepVersions(prev, handle.reply) })
    this.track(la, contactId, msg, handle)
    return msg
  }

  /** Follows a running reply to its end: checkpoints while it grows, the whole reply stored at the end, then acknowledged. */
  private track(la: LiveAccount, contactId: string, msg: ChatMessage, handle: StreamHandle): void {
    const accountId = la.stored.id
    la.replies.set(msg.id, { msg, handle })
    void handle.done.then((reply) => {
      la.replies.delete(msg.id)
      this.store(accountId, { ...msg, ai: keepVersions(msg.ai, reply) })
      this.emitContacts(accountId)
      // Stored: the server may forget it (v2 keeps replies for resume until acknowledged).
      la.client.ack?.(contactId, msg.id)
    })
  }

  /** A reply the server kept while we were away (v2 resume): show and store it where it belongs. */
  private onResumed(la: LiveAccount, r: ResumedReply): void {
    const accountId = la.stored.id
    const stored = this.c.history.get(accountId, r.contactorId, r.messageId)
    if (!stored?.ai || la.replies.has(r.messageId)) return
    const msg = this.store(accountId, { ...stored, ai: keepVersions(stored.ai, r.handle.reply) })
    r.listen(this.replyListener({ accountId, contactId: r.contactorId, messageId: r.messageId }))
    this.track(la, r.contactorId, msg, r.handle)
  }

  /** The server's presets ("agents") to start a model chat with, where the server has them (v2). */
  async presets(accountId: string): Promise<MioPreset[]> {
    const client = this.need(accountId).client
    if (!client.presets) return []
    try {
      return await client.presets()
    } catch (e) {
      throw new Error(friendlyError(e))
    }
  }

  /**
   * Answers a reply's question (v2 tool approval). `always`: allow this tool in this conversation from now
   * on (kept with the model contact; later questions about it are answered yes without asking).
   */
  async answer(accountId: string, contactId: string, replyMessageId: string, approved: boolean, reason?: string, always?: boolean): Promise<void> {
    const la = this.need(accountId)
    const handle = la.replies.get(String(replyMessageId ?? ''))?.handle
    const question = handle?.reply.approval
    if (!handle || !question || question.state !== 'waiting') throw new Error(coreText('questionClosed'))
    if (!handle.answer) throw new Error(coreText('noToolQuestions'))
    if (typeof approved !== 'boolean') throw new Error(coreText('answerYesNo'))
    const why = typeof reason === 'string' ? reason.slice(0, 500) : undefined
    if (always === true && approved && question.tool && this.llm.has(accountId, contactId)) {
      const llm = this.llm.of(accountId, contactId)
      if (!llm.alwaysAllow?.includes(question.tool)) {
        this.llm.save(accountId, { ...llm, alwaysAllow: [...(llm.alwaysAllow ?? []), question.tool] })
        this.emitContacts(accountId)
      }
    }
    try {
      await handle.answer(question.interactionId, approved, why)
    } catch (e) {
      throw new Error(friendlyError(e))
    }
  }
}
