/**
 * A small part of the public bot open API (bot token in `?token=`), so a bot's board and messages
 * can be driven from outside the demo bots:
 *   POST /open-apis/v1/bot/board          {chatId, chatType: "user"|"group", contentType: "text"|"markdown"|"html", content}
 *   POST /open-apis/v1/bot/board-dismiss  {chatId, chatType}
 *   POST /open-apis/v1/bot/send           {recvId, recvType: "user"|"group", contentType, content: {text?, buttons?, imageUrl?, fileName?, fileUrl?}}
 * Replies: `{code:1, msg:"success", data?}`; failures code -1 with a msg, an unknown bot token
 * code 1002 "无效的token". Unknown paths and other methods: plain-text 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { HttpError, readJsonBody, requestUrl } from '../http'
import { botChat, groupChat, type Chat, type ChatService } from './chat'
import type { YunhuStore } from './store'
import type { BotRec } from './types'

const BOARD_TYPES: Record<string, 1 | 2 | 3> = { text: 1, markdown: 2, html: 3 }
const MSG_TYPES: Record<string, number> = { text: 1, image: 2, markdown: 3, file: 4, html: 8 }

class OpenApiError extends Error {
  constructor(
    msg: string,
    readonly code = -1
  ) {
    super(msg)
  }
}

function writeJson(res: ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function s(v: unknown, key: string): string {
  if (typeof v !== 'string' || v === '') throw new OpenApiError(`参数错误: ${key} 不能为空`)
  if (v.length > 20_000) throw new OpenApiError(`参数错误: ${key} 太长`)
  return v
}

export function createOpenApi(opts: { store: YunhuStore; chats: ChatService }) {
  const { store, chats } = opts

  function target(bot: BotRec, chatId: string, chatType: unknown): { chat: Chat; board: { chatType: 1 | 2; chatId: string } } {
    if (chatType === 'group') {
      const g = store.group(chatId)
      if (!g || !g.bots.includes(bot.botId)) throw new OpenApiError('机器人不在该群聊中')
      return { chat: groupChat(chatId), board: { chatType: 2, chatId } }
    }
    if (chatType === 'user') {
      if (!bot.followers.includes(chatId)) throw new OpenApiError('该用户没有添加这个机器人')
      return { chat: botChat(bot.botId, chatId), board: { chatType: 1, chatId } }
    }
    throw new OpenApiError('参数错误: chatType 只能是 user 或 group')
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = requestUrl(req)
    const action = url.pathname.slice('/open-apis/v1/bot/'.length)
    if (req.method !== 'POST' || !['board', 'board-dismiss', 'send'].includes(action)) {
      req.resume()
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('404 page not found')
      return true
    }
    try {
      const bot = store.botByToken(url.searchParams.get('token') ?? '')
      if (!bot) throw new OpenApiError('无效的token', 1002)
      let body: unknown
      try {
        body = await readJsonBody(req, 256 * 1024)
      } catch (err) {
        if (err instanceof HttpError) throw new OpenApiError(err.status === 413 ? '请求体太大' : '请求体不是合法的 JSON')
        throw err
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OpenApiError('请求体必须是 JSON 对象')
      const b = body as Record<string, unknown>
      if (action === 'board' || action === 'board-dismiss') {
        const t = target(bot, s(b.chatId, 'chatId'), b.chatType)
        if (action === 'board-dismiss') {
          chats.setBoard(bot.botId, t.board, '', 1)
        } else {
          const type = BOARD_TYPES[String(b.contentType ?? 'text')]
          if (!type) throw new OpenApiError('参数错误: contentType 只能是 text, markdown 或 html')
          chats.setBoard(bot.botId, t.board, s(b.content, 'content'), type)
        }
        writeJson(res, { code: 1, msg: 'success', data: { successCount: 1 } })
        return true
      }
      const t = target(bot, s(b.recvId, 'recvId'), b.recvType)
      const type = MSG_TYPES[String(b.contentType ?? 'text')]
      if (!type) throw new OpenApiError('参数错误: contentType 不支持')
      const c = typeof b.content === 'object' && b.content !== null ? (b.content as Record<string, unknown>) : {}
      const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v.slice(0, 20_000) : undefined)
      const content = {
        text: str(c.text),
        image_url: str(c.imageUrl),
        file_name: str(c.fileName),
        file_url: str(c.fileUrl),
        buttons: Array.isArray(c.buttons) ? JSON.stringify(c.buttons) : undefined
      }
      if (!content.text && !content.image_url && !content.file_url) throw new OpenApiError('参数错误: content 不能为空')
      const m = chats.post(t.chat, { senderId: bot.botId, senderType: 3, contentType: type, content })
      writeJson(res, { code: 1, msg: 'success', data: { messageInfo: { msgId: m.msgId, recvId: t.board.chatId, recvType: b.recvType } } })
    } catch (err) {
      if (!(err instanceof OpenApiError)) throw err
      writeJson(res, { code: err.code, msg: err.message })
    }
    return true
  }

  return { handle }
}
