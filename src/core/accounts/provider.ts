/**
 * The one account interface. Every platform (Mio-Chat, Yunhu, …) is an `AccountProvider` that owns its
 * stored accounts and their connections; the `AccountRegistry` routes every generic operation by
 * account id, so nothing else in the core switches on an account's kind.
 *
 * A provider gets an `AccountContext` with the shared pieces: the key-value store, secrets, the
 * history and its outbox, the one clock, the event emitter and the logger.
 */
import type { AccountInfo, AccountKind, Contact, MainEventName, MainEvents, SearchHit, Settings } from '../../shared/api'
import type { ChatMessage, Segment } from '../../shared/mio'
import type { AccountCapabilities } from '../../shared/model/capabilities'
import type { MediaPolicy } from '../media/policy'
import type { Clock } from '../clock'
import type { Logger } from '../log'
import type { HistoryStore, OutboxStore } from '../storage/history'
import type { KeyValueStore, SecretBox } from '../storage/storage'

export type Emit = <E extends MainEventName>(event: E, payload: MainEvents[E]) => void

export interface AccountContext {
  store: KeyValueStore
  secrets: SecretBox
  history: HistoryStore
  outbox: OutboxStore
  logger: Logger
  clock: Clock
  emit: Emit
  /** The current settings (heartbeat interval …). */
  settings: () => Settings
  /** The account list changed (the registry emits the merged list). */
  accountsChanged: () => void
  /** Deletes an account's history and queued messages (the account was removed). */
  forgetHistory: (accountId: string) => void
  /** Interval between coalesced stream events, ms. */
  streamFlushMs?: number
}

/** Options of a message sent through the generic path. */
export interface SendOptions {
  /** Display text of the quoted message, when the platform carries it with the quote. */
  quoteText?: string
}

export interface AccountProvider {
  readonly kind: AccountKind
  readonly capabilities: AccountCapabilities
  /** True when the account id is one of this provider's (stored or being added). */
  owns(accountId: string): boolean

  /** Starts every stored account in the background; stop() ends every connection. */
  start(): Promise<void>
  stop(): Promise<void>

  list(): AccountInfo[]
  /** Adds and logs in; rejects with a sentence when the login fails (nothing is stored then). */
  add(input: unknown): Promise<AccountInfo>
  /** Logs in again after the platform refused the stored login, keeping everything on screen. */
  relogin(accountId: string, input: unknown): Promise<AccountInfo>
  remove(accountId: string): void
  reconnect(accountId: string): void

  /** The conversations (fresh from the server where it has them). */
  contacts(accountId: string): Promise<Contact[]>
  /** Messages of a conversation, oldest first, `limit` older than `before`. */
  history(accountId: string, contactId: string, before: number | undefined, limit: number): Promise<ChatMessage[]>

  /** Queues a message in the outbox; resolves once sent or failed — or at once, pending, while offline. */
  send(accountId: string, contactId: string, segments: Segment[], options?: SendOptions): Promise<ChatMessage>
  retry(accountId: string, contactId: string, messageId: string): Promise<ChatMessage>
  recall(accountId: string, contactId: string, messageId: string): Promise<void>
  edit(accountId: string, contactId: string, messageId: string, segments: Segment[]): Promise<ChatMessage>
  forward(accountId: string, fromContactId: string, messageIds: string[], toContactId: string): Promise<ChatMessage>
  /** Conversation actions a platform may have (each one where its conversations' capabilities say so). */
  markRead?(accountId: string, contactId: string): Promise<void>
  pin?(accountId: string, contactId: string, pinned: boolean): Promise<void>
  mute?(accountId: string, contactId: string, muted: boolean): Promise<void>
  removeConversation?(accountId: string, contactId: string): Promise<void>
  search?(accountId: string, contactId: string, word: string, before?: number): Promise<SearchHit[]>
  around?(accountId: string, contactId: string, messageId: string): Promise<ChatMessage[]>
  syncDraft?(accountId: string, contactId: string, text: string): Promise<void>
  /**
   * Where the account's media come from and what their hosts need (with `capabilities.media`): the
   * renderer then loads them through the app's media URL, served by the MediaService.
   */
  mediaPolicy?(accountId: string): MediaPolicy | undefined
}
