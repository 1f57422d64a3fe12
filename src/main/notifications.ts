/**
 * Native notifications for new messages, and the unread count shown by the tray.
 *
 * Rules: a message notifies once (by id), only when it is someone else's, not recalled, not an AI
 * reply still streaming, the window is hidden/minimised/unfocused, notifications are on and the
 * conversation is not muted. Privacy mode hides the sender and the content. A click shows the window
 * and asks the renderer to open that conversation. Worded in the user's language (src/main/strings.ts).
 */
import { Notification } from 'electron'
import type { Contact, MainEvents, Settings } from '../shared/api'
import type { AppLocale } from '../shared/locale'
import type { ChatMessage } from '../shared/mio'
import { previewSegments } from '../shared/model/parts'
import { mainStrings, notificationPreviewLabels } from './strings'

type EventSource = { on(event: string, listener: (payload: any) => void): unknown }

/** Settings as the shell reads them; `mutedConversations` (keys `accountId:contactId`) when the core provides it. */
export type NotificationSettings = Pick<Settings, 'notifications' | 'privacyMode'> & { mutedConversations?: readonly string[] }

export function conversationKey(accountId: string, contactId: string): string {
  return `${accountId}:${contactId}`
}

export function isConversationMuted(settings: NotificationSettings, accountId: string, contactId: string): boolean {
  return Array.isArray(settings.mutedConversations) && settings.mutedConversations.includes(conversationKey(accountId, contactId))
}

/** Messages older than this when first seen are history, not news. */
const MAX_AGE_MS = 10 * 60 * 1000
const MAX_PREVIEW = 200

/** One line of text for a message, for notifications (labels for images, files… in `locale`). */
export function messagePreview(message: ChatMessage, locale: AppLocale): string {
  let text = message.ai ? message.ai.text : previewSegments(message.segments ?? [], notificationPreviewLabels(locale))
  text = text.replace(/\s+/g, ' ').trim()
  if (!text) text = mainStrings(locale).newMessage
  return text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW - 1)}…` : text
}

export function notificationContent(message: ChatMessage, senderName: string | undefined, privacyMode: boolean, locale: AppLocale): { title: string; body: string } {
  const t = mainStrings(locale)
  if (privacyMode) return { title: t.appName, body: t.newMessage }
  return { title: senderName || t.newMessage, body: messagePreview(message, locale) }
}

export interface NotifierOptions {
  events: EventSource
  getSettings: () => NotificationSettings
  /** The language to word notifications in (the user's setting, 'system' resolved). */
  getLocale: () => AppLocale
  /** True when the window is visible, not minimised and focused. */
  isWindowActive: () => boolean
  /** Show the window and open the conversation (notification click). */
  openConversation: (accountId: string, contactId: string) => void
  onUnreadChange?: (count: number) => void
  now?: () => number
}

export type MessageVerdict = 'notify' | 'count' | 'ignore' | 'later'

export class MessageNotifier {
  private readonly seen = new Set<string>()
  private readonly names = new Map<string, string>()
  /** Shown notifications, kept referenced so their click handlers survive garbage collection. */
  private readonly live = new Set<Notification>()
  private unread = 0

  constructor(private readonly opts: NotifierOptions) {
    opts.events.on('message', (p: MainEvents['message'] | undefined) => {
      if (p) this.handleMessage(p.accountId, p.message)
    })
    opts.events.on('contacts', (p: MainEvents['contacts'] | undefined) => {
      if (p) this.rememberContacts(p.accountId, p.contacts)
    })
    opts.events.on('stream', (d: MainEvents['stream'] | undefined) => {
      if (d?.approval?.state === 'waiting') this.handleQuestion(d)
    })
  }

  /**
   * A reply stopped to ask the user (a tool wants to run a command): while the window is away, a notification
   * says so and opens the conversation, where the question waits with Allow / Deny. Once per question.
   */
  handleQuestion(d: MainEvents['stream']): void {
    const q = d.approval
    if (!q || q.state !== 'waiting' || typeof q.interactionId !== 'string') return
    const key = `${conversationKey(d.accountId, d.contactId)}:ask:${q.interactionId}`
    if (this.seen.has(key)) return
    this.markSeen(key)
    if (this.opts.isWindowActive()) return
    const settings = this.opts.getSettings()
    if (!settings.notifications || isConversationMuted(settings, d.accountId, d.contactId)) return
    if (!Notification.isSupported()) return
    const t = mainStrings(this.opts.getLocale())
    const name = this.names.get(conversationKey(d.accountId, d.contactId))
    const body = settings.privacyMode ? t.waitingForAnswer : q.command ? t.allowToRun(q.command.slice(0, MAX_PREVIEW)) : q.prompt.slice(0, MAX_PREVIEW)
    const title = settings.privacyMode ? t.appName : t.wantsToRunTool(name || t.someone)
    this.present(new Notification({ title, body, silent: false }), d.accountId, d.contactId)
  }

  get unreadCount(): number {
    return this.unread
  }

  /** The window became active: everything is read. */
  clearUnread(): void {
    if (this.unread === 0) return
    this.unread = 0
    this.opts.onUnreadChange?.(0)
  }

  private rememberContacts(accountId: string, contacts: Contact[]): void {
    for (const c of contacts ?? []) this.names.set(conversationKey(accountId, c.id), c.name)
  }

  /** Decides what a message event means, without side effects. */
  classify(accountId: string, message: ChatMessage): MessageVerdict {
    const key = `${conversationKey(accountId, message.contactId)}:${message.id}`
    if (this.seen.has(key)) return 'ignore'
    if (message.self || message.status === 'recalled') return 'ignore'
    if (message.ai && message.ai.status !== 'completed') {
      return message.ai.status === 'pending' || message.ai.status === 'streaming' ? 'later' : 'ignore'
    }
    const now = this.opts.now?.() ?? Date.now()
    if (typeof message.time === 'number' && now - message.time > MAX_AGE_MS) return 'ignore'
    if (this.opts.isWindowActive()) return 'ignore'
    const settings = this.opts.getSettings()
    if (isConversationMuted(settings, accountId, message.contactId)) return 'ignore'
    if (!settings.notifications) return 'count'
    return 'notify'
  }

  handleMessage(accountId: string, message: ChatMessage): void {
    if (!message || typeof message.id !== 'string') return
    const verdict = this.classify(accountId, message)
    if (verdict === 'later') return
    this.markSeen(`${conversationKey(accountId, message.contactId)}:${message.id}`)
    if (verdict === 'ignore') return
    this.unread += 1
    this.opts.onUnreadChange?.(this.unread)
    if (verdict === 'notify') this.show(accountId, message)
  }

  private markSeen(key: string): void {
    this.seen.add(key)
    if (this.seen.size > 5000) {
      const oldest = this.seen.values().next().value
      if (oldest !== undefined) this.seen.delete(oldest)
    }
  }

  private show(accountId: string, message: ChatMessage): void {
    if (!Notification.isSupported()) return
    const settings = this.opts.getSettings()
    const name = this.names.get(conversationKey(accountId, message.contactId))
    const { title, body } = notificationContent(message, name, settings.privacyMode, this.opts.getLocale())
    this.present(new Notification({ title, body, silent: false }), accountId, message.contactId)
  }

  /** Shows a notification that opens its conversation when clicked. */
  private present(n: Notification, accountId: string, contactId: string): void {
    this.live.add(n)
    const release = (): void => {
      this.live.delete(n)
    }
    n.on('click', () => {
      release()
      this.opts.openConversation(accountId, contactId)
    })
    n.on('close', release)
    n.show()
  }
}
