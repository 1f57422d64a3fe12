/**
 * The demo bots' behaviour. In a bot's private chat every message gets a reply; in a group the
 * group's first bot answers messages starting with "/". Text containing "stream" or "流" (and every
 * message to a bot with a big model enabled) gets a streamed reply: push_message with the first
 * chunk, then stream_message frames, one per `chunkDelayMs`.
 */
import { YunhuContentType } from '../../src/shared/yunhu'
import type { Chat, ChatService } from './chat'
import { HELP_MARKDOWN } from './seed'
import type { YunhuStore } from './store'
import type { MsgRec } from './types'

export const DEMO_BUTTONS = JSON.stringify([
  [
    { text: '打开云湖', actionType: 1, url: 'https://www.yhchat.com' },
    { text: '复制口令', actionType: 2, value: 'miodesk' }
  ],
  [
    { text: '回报 A', actionType: 3, value: 'report-a' },
    { text: '回报 B', actionType: 3, value: 'report-b' }
  ]
])

export function isStreamPrompt(text: string): boolean {
  return /stream/i.test(text) || text.includes('流')
}

/** Splits text into chunks of `size` code points. */
export function chunks(text: string, size = 4): string[] {
  const chars = [...text]
  const out: string[] = []
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''))
  return out
}

export interface BotOptions {
  store: YunhuStore
  chats: ChatService
  chunkDelayMs: number
  /** Delay of the bot's own follow-ups (/recall, /edit). */
  followUpMs: number
  later: (ms: number, fn: () => void) => void
}

export function createBots(opts: BotOptions) {
  const { store, chats, later } = opts

  const say = (chat: Chat, botId: string, contentType: number, content: MsgRec['content'], quote?: MsgRec): MsgRec =>
    chats.post(chat, { senderId: botId, senderType: 3, contentType, content, quoteMsgId: quote?.msgId })

  function quoteText(m: MsgRec): string {
    return `${chats.sender(m).name ?? ''}: ${chats.preview(m)}`
  }

  function stream(chat: Chat, botId: string, prompt: string): void {
    const text = `这是一条流式回复, 文字会一段一段地追加到同一条消息里。你说的是: ${prompt}`
    const parts = chunks(text, 6)
    const m = say(chat, botId, YunhuContentType.Markdown, { text: parts[0] })
    let i = 1
    const next = (): void => {
      if (i >= parts.length) return
      const last = i === parts.length - 1
      chats.appendStream(chat, m, parts[i++], last)
      if (!last) later(opts.chunkDelayMs, next)
    }
    later(opts.chunkDelayMs, next)
  }

  function boardTarget(chat: Chat): { chatType: 1 | 2; chatId: string } | undefined {
    if (chat.kind === 'group') return { chatType: 2, chatId: chat.groupId }
    if (chat.kind === 'bot') return { chatType: 1, chatId: chat.userId }
    return undefined
  }

  function command(chat: Chat, botId: string, userId: string, text: string): boolean {
    const head = text.split(/\s+/)[0]
    const arg = text.slice(head.length).trim()
    switch (head.toLowerCase()) {
      case '/help':
        say(chat, botId, YunhuContentType.Markdown, { text: HELP_MARKDOWN })
        return true
      case '/buttons':
        say(chat, botId, YunhuContentType.Text, { text: '请选择一个操作:', buttons: DEMO_BUTTONS })
        return true
      case '/board': {
        const target = boardTarget(chat)
        if (!target) return false
        chats.setBoard(botId, target, arg, /^[#*\-`]/.test(arg) ? 2 : 1)
        say(chat, botId, YunhuContentType.Text, { text: arg ? '看板已更新' : '看板已清除' })
        return true
      }
      case '/markdown':
        say(chat, botId, YunhuContentType.Markdown, { text: '# 标题\n**粗体** *斜体* `代码`\n\n```js\nconsole.log("云湖")\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |' })
        return true
      case '/html':
        say(chat, botId, YunhuContentType.Html, { text: '<div style="color:#3a8cff"><h3>HTML 消息</h3><p>来自<b>回声机器人</b></p></div>' })
        return true
      case '/image':
        say(chat, botId, YunhuContentType.Image, { image_url: 'https://chat-img.jwznb.com/miodesk-demo/cat.png', width: 640, height: 480, file_size: '52311' })
        return true
      case '/file':
        say(chat, botId, YunhuContentType.File, { file_name: 'demo.zip', file_url: 'https://chat-file.jwznb.com/miodesk-demo/demo.zip', file_size: '1048576' })
        return true
      case '/mention':
        say(chat, botId, YunhuContentType.Text, { text: `@${store.user(userId)?.name ?? userId} 你好`, mentioned_id: [userId] })
        return true
      case '/recall': {
        const r = say(chat, botId, YunhuContentType.Text, { text: '这条消息马上会被撤回' })
        later(opts.followUpMs, () => {
          if (!r.recallTimeMs) chats.recall(chat, r)
        })
        return true
      }
      case '/edit': {
        const e = say(chat, botId, YunhuContentType.Text, { text: '编辑前的文字' })
        later(opts.followUpMs, () => {
          if (!e.recallTimeMs) chats.edit(chat, e, { contentType: YunhuContentType.Text, content: { text: '编辑后的文字' } })
        })
        return true
      }
      default:
        return false
    }
  }

  /** A user's message arrived in a chat with bots: answer it. */
  function onUserMessage(chat: Chat, m: MsgRec, userId: string): void {
    let botId: string | undefined
    if (chat.kind === 'bot') botId = chat.botId
    else if (chat.kind === 'group') botId = store.group(chat.groupId)?.bots[0]
    if (!botId) return
    const bot = store.bot(botId)
    if (!bot || bot.isStop) return
    const text = (m.content.text ?? '').trim()
    const isText = m.contentType === YunhuContentType.Text || m.contentType === YunhuContentType.Markdown || m.contentType === YunhuContentType.Html
    if (chat.kind === 'group' && !(isText && text.startsWith('/'))) return
    if (isText && text.startsWith('/') && command(chat, botId, userId, text)) return
    if (isText && (isStreamPrompt(text) || bot.llm.isBigModel === 1)) return stream(chat, botId, text)
    let reply: string
    if (isText) reply = `收到: ${text}`
    else if (m.contentType === YunhuContentType.Image) reply = '收到一张图片'
    else if (m.contentType === YunhuContentType.File) reply = `收到文件: ${m.content.file_name ?? ''}`
    else reply = `收到一条消息 (类型 ${m.contentType})`
    say(chat, botId, YunhuContentType.Text, { text: reply, quote_msg_text: quoteText(m) }, m)
  }

  /** A button of a bot message was pressed (button-report). */
  function onButton(chat: Chat, m: MsgRec, userId: string, value: string): void {
    if (m.senderType !== 3) return
    const bot = store.bot(m.senderId)
    if (!bot || bot.isStop) return
    const who = store.user(userId)?.name ?? userId
    say(chat, bot.botId, YunhuContentType.Text, { text: `${who} 点击了按钮: ${value}` })
  }

  return { onUserMessage, onButton }
}
