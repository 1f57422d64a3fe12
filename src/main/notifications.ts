/**
 * Native notifications for new messages, and the unread count shown by the tray.
 *
 * Rules: a message notifies once (by id), only when it is someone else's, not recalled, not an AI
 * reply still streaming, the window is hidden/minimised/unfocused, notifications are on and the
 * conversation is not muted. Privacy mode hides the sender and the content. A click shows the window
 * and asks the renderer to open that conversation. Worded in the user's language (src/main/strings.ts).
 *
 * A reply that asks before running a tool notifies too; on macOS, where notifications can carry buttons,
 * the notification offers Allow / Deny when it shows the whole of what it asks about (see `ACTION_MAX_TEXT`).
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
/**
 * Allow / Deny in the notification only for a question shown whole: one line of at most this many
 * characters (about two lines of a macOS banner), never in privacy mode. Anything longer is only opened
 * in the window, so nobody approves a command they could not read.
 */
export const ACTION_MAX_TEXT = 80

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
  /**
   * Answers a reply's question (Allow / Deny pressed in the notification). Without it, question
   * notifications only open the conversation.
   */
  answer?: (accountId: string, contactId: string, messageId: string, approved: boolean) => void
  onUnreadChange?: (count: number) => void
  now?: () => number
  platform?: NodeJS.Platform
}

/** A question notification with Allow / Deny: which question it is about. */
interface OpenQuestion {
  interactionId: string
  notification: Notification
}

function replyKey(d: Pick<MainEvents['stream'], 'accountId' | 'contactId' | 'messageId'>): string {
  return `${conversationKey(d.accountId, d.contactId)}:${d.messageId}`
}

export type MessageVerdict = 'notify' | 'count' | 'ignore' | 'later'

export class MessageNotifier {
  private readonly seen = new Set<string>()
  private readonly names = new Map<string, string>()
  /** Conversations the platform mutes (`Contact.muted`, e.g. Yunhu no-notify), by conversation key. */
  private readonly serverMuted = new Set<string>()
  /** Shown notifications, kept referenced so their click handlers survive garbage collection. */
  private readonly live = new Set<Notification>()
  /** Question notifications that offer Allow / Deny, by reply, while their question waits. */
  private readonly asking = new Map<string, OpenQuestion>()
  private unread = 0

  constructor(private readonly opts: NotifierOptions) {
    opts.events.on('message', (p: MainEvents['message'] | undefined) => {
      if (p) this.handleMessage(p.accountId, p.message)
    })
    opts.events.on('contacts', (p: MainEvents['contacts'] | undefined) => {
      if (p) this.rememberContacts(p.accountId, p.contacts)
    })
    opts.events.on('stream', (d: MainEvents['stream'] | undefined) => {
      if (!d) return
      this.followQuestion(d)
      if (d.approval?.state === 'waiting') this.handleQuestion(d)
    })
  }

  /**
   * A reply stopped to ask the user (a tool wants to run a command): while the window is away, a notification
   * says so and opens the conversation, where the question waits with Allow / Deny. Once per question.
   * On macOS the notification itself can offer Allow / Deny (see `ACTION_MAX_TEXT`).
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
    const buttons = this.canAnswerInNotification(q.command || q.prompt, settings.privacyMode)
    const n = new Notification({ title, body, silent: false, ...(buttons ? { actions: [{ type: 'button', text: t.allow }, { type: 'button', text: t.deny }] } : {}) })
    if (buttons) this.offerAnswers(n, d, q.interactionId)
    this.present(n, d.accountId, d.contactId)
  }

  private canAnswerInNotification(asked: string, privacyMode: boolean): boolean {
    if (!this.opts.answer || privacyMode) return false
    if ((this.opts.platform ?? process.platform) !== 'darwin') return false
    return asked.length > 0 && asked.length <= ACTION_MAX_TEXT && !/[\r\n]/.test(asked)
  }

  /**
   * Allow (action 0) / Deny (action 1) answer the question this notification shows, if it still waits
   * (`asking` holds it until then, or until the question goes; not cleared on 'close', as Electron does
   * not promise an order between 'close' and 'action').
   */
  private offerAnswers(n: Notification, d: MainEvents['stream'], interactionId: string): void {
    const key = replyKey(d)
    const { accountId, contactId, messageId } = d
    this.asking.set(key, { interactionId, notification: n })
    n.on('action', (_event: unknown, index: number) => {
      // Answered in the window meanwhile, or the reply asks something else now: show it, answer nothing.
      if (this.asking.get(key)?.notification !== n || (index !== 0 && index !== 1)) return this.opts.openConversation(accountId, contactId)
      this.asking.delete(key)
      this.opts.answer?.(accountId, contactId, messageId, index === 0)
    })
  }

  /** A question with Allow / Deny in its notification was answered or replaced: the buttons go too. */
  private followQuestion(d: MainEvents['stream']): void {
    const key = replyKey(d)
    const open = this.asking.get(key)
    if (!open) return
    const q = d.approval
    const waits = q === undefined ? d.status === 'pending' || d.status === 'streaming' : q !== null && q.state === 'waiting' && q.interactionId === open.interactionId
    if (waits) return
    this.asking.delete(key)
    open.notification.close()
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
    for (const c of contacts ?? []) {
      const key = conversationKey(accountId, c.id)
      this.names.set(key, c.name)
      if (c.muted) this.serverMuted.add(key)
      else this.serverMuted.delete(key)
    }
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
    if (isConversationMuted(settings, accountId, message.contactId) || this.serverMuted.has(conversationKey(accountId, message.contactId))) return 'ignore'
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
    n.on('action', release)
    n.on('close', release)
    n.show()
  }
}
