// A Yunhu server for the real-path stream benchmark, run as its own process (`node --import tsx`): the reference
// server's own Yunhu HTTP API (email login, user info, conversation list, messages, send) and push WebSocket, with
// its demo data, except that the stream bot answers a user's message with the configured chunks at a fixed pace:
// one push_message (empty Markdown) then one stream_message per chunk with the same msg_id, each encoded by the
// project's codec (the reference server's ChatService) and sent on the protobuf push WebSocket.
//
// Control is over the IPC channel (node's fork), the same as the Mio-Chat stub (bench/stub/mio-stream-server.mjs):
//   parent → {cmd:'config', chunks:[text…], paceMs}   the answer to the next message to the stream bot
//   parent → {cmd:'clock', id}                        → {clock:id, now}   (clock calibration)
//   parent → {cmd:'times'}                            → {times:[[endOffset, sentAt]…]} of the last stream
// On start: → {port, email, password, botId}.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '../../server/app'
import { createYunhuApi } from '../../server/yunhu/api'
import { createBots } from '../../server/yunhu/bot'
import { ChatService, type Chat } from '../../server/yunhu/chat'
import { createPushHub } from '../../server/yunhu/push'
import { STREAM_BOT_ID } from '../../server/yunhu/seed'
import { YunhuStore } from '../../server/yunhu/store'
import type { MsgRec } from '../../server/yunhu/types'
import { YunhuContentType } from '../../src/shared/yunhu'

const now = (): number => performance.timeOrigin + performance.now()
let chunks = ['Hello.']
let paceMs = 5
let times: Array<[number, number]> = []

const later = (ms: number, fn: () => void): void => void setTimeout(fn, ms)

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'miodesk-bench-yunhu-stub-'))
  const email = 'bench@miodesk.local'
  const password = 'bench-password'
  const server = await startServer({ port: 0 })
  const { store } = await YunhuStore.open({ dataDir, email, password })
  const hub = createPushHub({ store, log: () => {} })
  const chats = new ChatService(store, (userId, frame) => hub.deliver(userId, frame), () => {})
  const demo = createBots({ store, chats, chunkDelayMs: 25, followUpMs: 500, later })

  /** The stream bot's answer: push_message, then the chunks as stream_message frames, each at its own due time. */
  function stream(chat: Chat, botId: string): void {
    const m: MsgRec = chats.post(chat, { senderId: botId, senderType: 3, contentType: YunhuContentType.Markdown, content: { text: '' } })
    times = []
    const start = now()
    let i = 0
    let offset = 0
    const next = (): void => {
      // Everything that is due goes now: a late timer is caught up, not stretched.
      while (i < chunks.length && now() >= start + i * paceMs) {
        const chunk = chunks[i]!
        chats.appendStream(chat, m, chunk, i === chunks.length - 1)
        offset += chunk.length
        times.push([offset, now()])
        i++
      }
      if (i < chunks.length) setTimeout(next, Math.max(0, start + i * paceMs - now()))
    }
    next()
  }
  const bots: typeof demo = {
    ...demo,
    onUserMessage(chat, m, userId) {
      if (chat.kind === 'bot' && chat.botId === STREAM_BOT_ID) return stream(chat, chat.botId)
      demo.onUserMessage(chat, m, userId)
    }
  }
  const api = createYunhuApi({ store, chats, bots, publicUrl: () => server.url, later, log: () => {} })
  server.registerHttp('/v1/', api.handle)
  server.registerUpgrade('/ws', hub.handleUpgrade)

  process.on('message', (msg: { cmd?: string; chunks?: string[]; paceMs?: number; id?: number }) => {
    if (msg?.cmd === 'config') {
      chunks = msg.chunks!
      paceMs = msg.paceMs!
    } else if (msg?.cmd === 'clock') process.send!({ clock: msg.id, now: now() })
    else if (msg?.cmd === 'times') process.send!({ times })
  })
  process.on('disconnect', () => {
    void hub.close().finally(() => {
      rmSync(dataDir, { recursive: true, force: true })
      process.exit(0)
    })
  })
  process.send!({ port: server.port, email, password, botId: STREAM_BOT_ID })
}

void main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
