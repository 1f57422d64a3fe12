/**
 * v2 OneBot: `{protocol:"onebot", type, request_id, id, data:[segments]}` is acked at once with
 * `{request_id, code:0, message:"ok", data:{message_id}}` (no `protocol`); a `message` goes to the shared
 * bot (server/mio/bot.ts), whose answers are pushed in the v2 shapes: to the connections of exactly the
 * sender's id (an admin's messages go out as the admin QQ, whose answers reach every admin connection),
 * forwards as node objects without `id`, deletions (`del_msg`) to everyone.
 * The two onebot shapes that crash the real server (data not an array; a segment without `data`, or
 * null) are acked and dropped here.
 */
import { ADMIN_QQ, Bot, BOT_QQ } from '../mio/bot'
import { validateSegments, type Segment } from '../mio/protocol'
import { MessageLog, type StoredMessage } from '../mio/store'
import { idText, serverRequestId, type JsonObject, type RequestId } from './protocol'
import type { V2Conn } from './replies'

export interface OneBotDeps {
  connections(): Iterable<V2Conn>
  recallDelayMs: number
  later(ms: number, fn: () => void): void
  log(line: string): void
}

/** A OneBot id on the wire: a number when it is one (user_id / group_id), else the text. */
function wireId(id: string): string | number {
  return /^\d{1,15}$/.test(id) ? Number(id) : id
}

/**
 * The bot's own segments in v2 form: a `nodes` segment holds node objects `{type:"node", data:{name, uin,
 * content}}` (the spec form holds bare segment lists), an image names its source in `data.file`.
 */
export function toV2Segments(segments: Segment[]): Segment[] {
  return segments.map((seg) => {
    if (seg.type === 'nodes' && Array.isArray(seg.data.messages)) {
      const messages = (seg.data.messages as unknown[]).map((node) =>
        Array.isArray(node) ? { type: 'node', data: { name: 'MioDesk bot', uin: BOT_QQ, content: toV2Segments(node as Segment[]) } } : node
      )
      return { type: 'nodes', data: { ...seg.data, messages } }
    }
    if (seg.type === 'image' && typeof seg.data.image === 'string' && seg.data.file === undefined) {
      const { image, ...rest } = seg.data
      return { type: 'image', data: { ...rest, file: image } }
    }
    return structuredClone(seg)
  })
}

export function createV2OneBot(deps: OneBotDeps) {
  const messages = new MessageLog()

  const deliver = (to: string, msg: StoredMessage): void => {
    const segments = toV2Segments(msg.segments)
    const content = { message: segments, message_id: msg.messageId }
    const forward = segments.some((s) => s.type === 'nodes')
    const data: JsonObject = forward ? { content, type: 'message' } : { content, id: wireId(to), type: 'message' }
    const frame = { data, protocol: 'onebot', request_id: serverRequestId() }
    for (const c of deps.connections()) if (to === ADMIN_QQ ? c.isAdmin || c.userId === ADMIN_QQ : c.userId === to) c.send(frame)
  }
  const recalled = (msg: StoredMessage): void => {
    const frame = { data: { content: { message_id: msg.messageId }, type: 'del_msg' }, protocol: 'onebot', request_id: serverRequestId() }
    for (const c of deps.connections()) c.send(frame)
  }
  const bot = new Bot({ messages, deliver, recalled, recallDelayMs: deps.recallDelayMs, later: deps.later })

  function handle(conn: V2Conn, requestId: RequestId, frame: JsonObject): void {
    const ack = (messageId: string | number): void => conn.send({ code: 0, data: { message_id: messageId }, message: 'ok', request_id: requestId })
    const data = frame.data
    if (!Array.isArray(data)) {
      ack(messages.newId())
      deps.log(`v2 onebot ${String(requestId)}: data is not an array (this crashes the real server): acked, dropped`)
      return
    }
    if (frame.type !== 'message') {
      ack(messages.newId())
      return
    }
    const bad = data.length ? validateSegments(data, 'data') : undefined
    if (bad) {
      ack(messages.newId())
      deps.log(`v2 onebot ${String(requestId)}: ${bad} (this crashes the real server): acked, dropped`)
      return
    }
    const segments = structuredClone(data) as Segment[]
    const stored = messages.add({ contactId: idText(frame.id) ?? BOT_QQ, senderId: conn.userId, fromBot: false, segments })
    ack(stored.messageId)
    if (segments.length === 0) return
    // The real server sends an admin's message as the admin QQ, a user's as a group message of its id.
    bot.onMessage(conn.isAdmin ? ADMIN_QQ : conn.userId, segments)
  }

  return { handle, messages }
}
