/**
 * The account registry: the providers of every platform, and the one place that routes an operation on
 * an account to its provider — by account id. Untrusted arguments are checked here once (ids, paging).
 */
import { coreText } from '../../shared/core-text'
import type { AccountInfo, AccountKind, Contact, SearchHit } from '../../shared/api'
import type { ChatMessage, Segment } from '../../shared/mio'
import { pageArgs } from '../validate'
import type { AccountProvider, SendOptions } from './provider'
import type { MediaPolicy } from '../media/policy'

export class AccountRegistry {
  private readonly byKind = new Map<AccountKind, AccountProvider>()

  constructor(providers: AccountProvider[]) {
    for (const p of providers) {
      if (this.byKind.has(p.kind)) throw new Error(`Two account providers for "${p.kind}"`)
      this.byKind.set(p.kind, p)
    }
  }

  get providers(): AccountProvider[] {
    return [...this.byKind.values()]
  }

  /** The provider of an account, or an error in words. */
  of(accountId: unknown): AccountProvider {
    const id = typeof accountId === 'string' ? accountId : ''
    for (const p of this.byKind.values()) if (id && p.owns(id)) return p
    throw new Error(coreText('unknownAccount'))
  }

  /** The provider of a kind of account, or an error in words. */
  kind(kind: unknown): AccountProvider {
    const p = typeof kind === 'string' ? this.byKind.get(kind as AccountKind) : undefined
    if (!p) throw new Error(`MioDesk cannot add accounts of the kind "${String(kind)}"`)
    return p
  }

  /** The media policy of an account (undefined: its media load directly, or it is unknown). */
  mediaPolicy(accountId: string): MediaPolicy | undefined {
    const p = this.of(accountId)
    return p.capabilities.media ? p.mediaPolicy?.(accountId) : undefined
  }

  async start(): Promise<void> {
    for (const p of this.byKind.values()) await p.start()
  }

  async stop(): Promise<void> {
    for (const p of this.byKind.values()) await p.stop()
  }

  list(): AccountInfo[] {
    return this.providers.flatMap((p) => p.list())
  }

  async add(kind: unknown, input: unknown): Promise<AccountInfo> {
    return this.kind(kind).add(input)
  }

  async relogin(accountId: string, input: unknown): Promise<AccountInfo> {
    return this.of(accountId).relogin(accountId, input)
  }

  remove(accountId: string): void {
    this.of(accountId).remove(accountId)
  }

  reconnect(accountId: string): void {
    this.of(accountId).reconnect(accountId)
  }

  async contacts(accountId: string): Promise<Contact[]> {
    return this.of(accountId).contacts(accountId)
  }

  async history(accountId: string, contactId: string, before?: unknown, limit?: unknown): Promise<ChatMessage[]> {
    const page = pageArgs(before, limit)
    return this.of(accountId).history(accountId, String(contactId ?? ''), page.before, page.limit)
  }

  async send(accountId: string, contactId: string, segments: Segment[], options?: SendOptions): Promise<ChatMessage> {
    return this.of(accountId).send(accountId, String(contactId ?? ''), segments, options && typeof options === 'object' ? options : undefined)
  }

  async retry(accountId: string, contactId: string, messageId: string): Promise<ChatMessage> {
    return this.of(accountId).retry(accountId, String(contactId ?? ''), String(messageId ?? ''))
  }

  async recall(accountId: string, contactId: string, messageId: string): Promise<void> {
    return this.of(accountId).recall(accountId, String(contactId ?? ''), String(messageId ?? ''))
  }

  async edit(accountId: string, contactId: string, messageId: string, segments: Segment[]): Promise<ChatMessage> {
    return this.of(accountId).edit(accountId, String(contactId ?? ''), String(messageId ?? ''), segments)
  }

  async forward(accountId: string, fromContactId: string, messageIds: string[], toContactId: string): Promise<ChatMessage> {
    return this.of(accountId).forward(accountId, String(fromContactId ?? ''), messageIds, String(toContactId ?? ''))
  }

  /** A conversation action the account's platform may lack: refused in words where it does. */
  private optional<K extends 'markRead' | 'pin' | 'mute' | 'removeConversation' | 'search' | 'around' | 'syncDraft'>(accountId: string, what: K): NonNullable<AccountProvider[K]> {
    const p = this.of(accountId)
    const fn = p[what]
    if (!fn) throw new Error(coreText('accountCannot'))
    return fn.bind(p) as NonNullable<AccountProvider[K]>
  }

  async markRead(accountId: string, contactId: string): Promise<void> {
    return this.optional(accountId, 'markRead')(accountId, String(contactId ?? ''))
  }

  async pin(accountId: string, contactId: string, pinned: unknown): Promise<void> {
    return this.optional(accountId, 'pin')(accountId, String(contactId ?? ''), pinned === true)
  }

  async mute(accountId: string, contactId: string, muted: unknown): Promise<void> {
    return this.optional(accountId, 'mute')(accountId, String(contactId ?? ''), muted === true)
  }

  async removeConversation(accountId: string, contactId: string): Promise<void> {
    return this.optional(accountId, 'removeConversation')(accountId, String(contactId ?? ''))
  }

  async search(accountId: string, contactId: string, word: unknown, before?: unknown): Promise<SearchHit[]> {
    return this.optional(accountId, 'search')(accountId, String(contactId ?? ''), typeof word === 'string' ? word : '', typeof before === 'number' ? before : undefined)
  }

  async syncDraft(accountId: string, contactId: string, text: unknown): Promise<void> {
    return this.optional(accountId, 'syncDraft')(accountId, String(contactId ?? ''), typeof text === 'string' ? text : '')
  }

  async around(accountId: string, contactId: string, messageId: unknown): Promise<ChatMessage[]> {
    return this.optional(accountId, 'around')(accountId, String(contactId ?? ''), String(messageId ?? ''))
  }
}
