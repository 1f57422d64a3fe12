/**
 * The built-in onebot bot (contact id = bot_qq). It echoes every message back and knows three
 * commands: `/help`, `/forward` (a forward with a nested forward) and `/recall` (a message that is
 * recalled ~500 ms later). It is dialect-free: the gateway that hosts it decides which connections a
 * message goes to and in which frame (`deliver`, `recalled`); `messagePush`/`deletionPush` are the
 * spec dialect's frames.
 */
import { cloneJson, plainText, textSegment, type Segment } from './protocol'
import type { MessageLog, StoredMessage } from './store'

export const ADMIN_QQ = '10000001'
export const BOT_QQ = '20000001'

export interface BotContext {
  messages: MessageLog
  /** Shows a stored bot message to the sessions of `to` (the mio-chat-id the bot answers). */
  deliver(to: string, msg: StoredMessage): void
  /** Tells the clients that a stored message was recalled. */
  recalled(msg: StoredMessage): void
  recallDelayMs: number
  /** Schedules a callback that close() cancels. */
  later(ms: number, fn: () => void): void
}

export const HELP_TEXT = [
  'MioDesk reference bot. Commands:',
  '/help — this list',
  '/forward — a forward message with three nodes (the third one is a nested forward)',
  '/recall — a message that is recalled about half a second later',
  'Anything else is echoed back as is (images and unknown segments included).'
].join('\n')

/** A tiny inline image for demo messages (spec image segment: `data.image` is a URL). */
export const DEMO_IMAGE =
  'data:image/svg+xml;base64,' +
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" rx="12" fill="#6d5dfc"/><circle cx="32" cy="32" r="16" fill="#fff"/></svg>'
  ).toString('base64')

export function forwardSegment(): Segment {
  return {
    type: 'nodes',
    data: {
      messages: [
        [textSegment('Node 1: a plain text node.')],
        [textSegment('Node 2: text with an image.'), { type: 'image', data: { image: DEMO_IMAGE } }],
        [
          {
            type: 'nodes',
            data: { messages: [[textSegment('Nested node A')], [textSegment('Nested node B')]] }
          }
        ]
      ]
    }
  }
}

export class Bot {
  readonly id = BOT_QQ

  constructor(private readonly ctx: BotContext) {}

  /** Sends a bot message to the sessions of `chatId` and stores it in the log. */
  say(chatId: string, segments: Segment[]): StoredMessage {
    const stored = this.ctx.messages.add({ contactId: this.id, senderId: this.id, fromBot: true, to: chatId, segments })
    this.ctx.deliver(chatId, stored)
    return stored
  }

  /** Recalls a stored message: removes it and tells every client. */
  recall(messageId: string | number): boolean {
    const msg = this.ctx.messages.delete(messageId)
    if (!msg) return false
    this.ctx.recalled(msg)
    return true
  }

  /** Reacts to a message a user sent to the bot (called after the send was acknowledged). */
  onMessage(chatId: string, segments: Segment[]): void {
    const command = /^\s*\/(help|forward|recall)\b/i.exec(plainText(segments))?.[1]?.toLowerCase()
    this.ctx.later(0, () => {
      if (command === 'help') this.say(chatId, [textSegment(HELP_TEXT)])
      else if (command === 'forward') this.say(chatId, [forwardSegment()])
      else if (command === 'recall') {
        const msg = this.say(chatId, [textSegment('this will be recalled')])
        this.ctx.later(this.ctx.recallDelayMs, () => this.recall(msg.messageId))
      } else this.say(chatId, cloneJson(segments))
    })
  }
}

/** Spec dialect: the push of a stored (bot) message. */
export function messagePush(msg: StoredMessage, requestId: number): unknown {
  return {
    request_id: requestId,
    protocol: 'onebot',
    type: 'message',
    data: { id: msg.contactId, type: 'message', content: { message: cloneJson(msg.segments), message_id: msg.messageId } }
  }
}

/** Spec dialect: the push of a deletion. */
export function deletionPush(msg: StoredMessage): unknown {
  return {
    protocol: 'onebot',
    type: 'del_message',
    data: { id: msg.contactId, type: 'del_message', content: { message_id: msg.messageId } }
  }
}
