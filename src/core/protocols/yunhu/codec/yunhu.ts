/**
 * Yunhu (云湖) protobuf codec: server WebSocket frames and protobuf HTTP bodies.
 *
 * Thin layer over the static protobuf.js code generated from proto/*.proto (see
 * scripts/gen-proto.mjs). Outputs are plain JS objects with the schema's snake_case names,
 * proto3 defaults absent, 64-bit integers as exact decimal strings. Every failure is a CodecError.
 * Plain Node: never import electron here.
 */
import protobuf from 'protobufjs/minimal.js'
import { yunhu } from './generated/yunhu.js'
import { yunhuFieldMeta, type YunhuFieldInfo } from './generated/yunhu-meta.js'
import { CodecError, type CodecErrorPart } from './errors'
import type {
  YunhuBodyName,
  YunhuBodyTypes,
  YunhuBotBoardMessage,
  YunhuButton,
  YunhuCmd,
  YunhuTag,
  YunhuLiveMessage,
  YunhuMsgInput,
  YunhuPushEvent,
  YunhuPushEventKind,
  YunhuPushMessage,
  YunhuStreamMessage,
  YunhuWsWrapper
} from '../../../../shared/yunhu'

export { CodecError, isCodecError, type CodecErrorPart } from './errors'

// ---------------------------------------------------------------------------------------------
// 64-bit integers

interface LongLike {
  low: number
  high: number
  unsigned: boolean
  toString(radix?: number): string
}
interface LongStatic {
  fromString(str: string, unsigned?: boolean): LongLike
  fromNumber(n: number, unsigned?: boolean): LongLike
}

const Long = (protobuf.util as unknown as { Long: LongStatic | null }).Long
if (!Long) {
  // protobufjs falls back to lossy JS numbers for int64 without `long` (its own dependency).
  throw new Error('Yunhu codec: the `long` package is not available to protobufjs; 64-bit fields would lose precision')
}

/**
 * Long -> exact decimal string (fast path below 2^53). String() of a number above 2^31 takes V8's
 * double-to-text path (~80 ns); a timestamp in ms or a message seq is cut into two integers below
 * 2^31 instead (high digits, and the low nine digits padded by adding 1e9), ~35 ns.
 */
function longToString(v: LongLike): string {
  const hi = v.high
  if (hi >= 0 && hi < 0x200000) {
    const n = hi * 4294967296 + (v.low >>> 0)
    if (n < 1e9) return String(n | 0)
    // Exact: below 2^53, n / 1e9 < 2^23.1, where half an ulp (< 0.93e-9) is less than the distance
    // (>= 1e-9) from any n / 1e9 that is not an integer to the next integer, so rounding never
    // carries the floor across one; n - q * 1e9 is then an exact integer in [0, 1e9).
    const q = Math.floor(n / 1e9)
    return String(q | 0) + String((n - q * 1e9 + 1e9) | 0).slice(1)
  }
  return v.toString()
}

// ---------------------------------------------------------------------------------------------
// decoded message -> plain object

/**
 * Generated decoders only set own properties for fields present on the wire (and delete them
 * again when a later occurrence carries the default), so the own keys are exactly the non-default
 * fields. Longs become decimal strings, nested messages plain objects, bytes plain Uint8Array copies.
 */
function toPlain(m: object): any {
  const out: any = {}
  const keys = Object.keys(m)
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]
    const v = (m as any)[k]
    if (typeof v !== 'object' || v === null) {
      out[k] = v
    } else if (v.__isLong__ === true) {
      out[k] = longToString(v)
    } else if (Array.isArray(v)) {
      if (v.length === 0) continue
      const arr = new Array(v.length)
      for (let j = 0; j < v.length; j++) {
        const e = v[j]
        arr[j] = typeof e !== 'object' || e === null ? e : e.__isLong__ === true ? longToString(e) : e instanceof Uint8Array ? new Uint8Array(e) : toPlain(e)
      }
      out[k] = arr
    } else if (v instanceof Uint8Array) {
      // a copy as a plain Uint8Array (never a Buffer, never a view of the caller's input)
      out[k] = new Uint8Array(v)
    } else {
      // a nested message that was on the wire stays, even when empty ({}): the generated decoder
      // sets the property only when the field was present
      out[k] = toPlain(v)
    }
  }
  return out
}

// Fast path for the WebSocket payloads. The generated decoders take an (undocumented but
// generated, hence pinned) `_target` argument and decode into it; nested messages are decoded into
// the existing value of their field. Decoding into plain objects pre-seeded with plain nested
// objects gives plain output without a copy; only 64-bit fields (Long) are then replaced by
// strings, and seeds left empty are dropped (an empty nested message is treated as absent). The
// tests compare this path (decodeWsPayload / decodeWsFrame) with the generic toPlain
// (decodeYunhuBody) on the fixtures and on fuzzed input.

interface Decoder {
  decode(reader: Uint8Array, length?: number, end?: number, depth?: number, target?: object): object
}

function fixTags(tags: any[]): YunhuTag[] {
  const out: YunhuTag[] = new Array(tags.length)
  for (let i = 0; i < tags.length; i++) out[i] = toPlain(tags[i])
  return out
}

function fixCmd(c: any): YunhuCmd | undefined {
  const o = toPlain(c) as YunhuCmd
  for (const _ in o) return o
  return undefined
}

function decodePush(buf: Uint8Array): YunhuPushMessage {
  const sender: any = {}
  const content: any = {}
  // Every field present from the start, in one fixed shape: the decoder's stores and the reads below
  // then see one hidden class, not one per combination of fields on the wire (megamorphic accesses,
  // ~10 ns each; ~150 ns a frame). Only `o` below, with the fields actually present, is handed out.
  const t: any = {
    msg_id: undefined,
    sender,
    recv_id: undefined,
    chat_id: undefined,
    chat_type: undefined,
    content,
    content_type: undefined,
    timestamp: undefined,
    cmd: undefined,
    delete_timestamp: undefined,
    quote_msg_id: undefined,
    msg_seq: undefined,
    edit_time: undefined
  }
  ;(T.PushMessage as unknown as Decoder).decode(buf, undefined, undefined, undefined, t)
  // copy the top level in field order (cheaper than deleting unused seeds, which would turn the
  // object into a slow dictionary)
  const o: YunhuPushMessage = {}
  let v: any
  if ((v = t.msg_id) !== undefined) o.msg_id = v
  // a Sender/MsgContent seed with no own key means the field was absent (or empty)
  for (const _ in sender) {
    if ((v = sender.tag) !== undefined) sender.tag = fixTags(v)
    o.sender = sender
    break
  }
  if ((v = t.recv_id) !== undefined) o.recv_id = v
  if ((v = t.chat_id) !== undefined) o.chat_id = v
  if ((v = t.chat_type) !== undefined) o.chat_type = v
  for (const _ in content) {
    if ((v = content.file_size) !== undefined) content.file_size = longToString(v)
    if ((v = content.sticker_item_id) !== undefined) content.sticker_item_id = longToString(v)
    if ((v = content.sticker_pack_id) !== undefined) content.sticker_pack_id = longToString(v)
    o.content = content
    break
  }
  if ((v = t.content_type) !== undefined) o.content_type = v
  if ((v = t.timestamp) !== undefined) o.timestamp = longToString(v)
  if ((v = t.cmd) !== undefined && (v = fixCmd(v)) !== undefined) o.cmd = v
  if ((v = t.delete_timestamp) !== undefined) o.delete_timestamp = longToString(v)
  if ((v = t.quote_msg_id) !== undefined) o.quote_msg_id = v
  if ((v = t.msg_seq) !== undefined) o.msg_seq = longToString(v)
  if ((v = t.edit_time) !== undefined) o.edit_time = longToString(v)
  return o
}

/** Payloads with only string/int32 fields decode straight into a plain object. */
const decodeFlat =
  (type: GeneratedType) =>
  (buf: Uint8Array): any => {
    const t = {}
    ;(type as unknown as Decoder).decode(buf, undefined, undefined, undefined, t)
    return t
  }

function decodeBoard(buf: Uint8Array): YunhuBotBoardMessage {
  const t: any = {}
  ;(T.BotBoardMessage as unknown as Decoder).decode(buf, undefined, undefined, undefined, t)
  if (t.last_update_time !== undefined) t.last_update_time = longToString(t.last_update_time)
  return t
}

// ---------------------------------------------------------------------------------------------
// errors

type Bytes = Uint8Array | ArrayBuffer

function asBytes(bytes: Bytes, messageType: string, part: CodecErrorPart): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes)
  throw new CodecError('invalid', `${messageType}: expected a Uint8Array or ArrayBuffer, got ${describe(bytes)}`, { part, messageType })
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v
}

function wrapDecodeError(e: unknown, part: CodecErrorPart, messageType: string, cmd?: string, seq?: string): CodecError {
  if (e instanceof CodecError) return e
  const detail = e instanceof Error ? e.message : String(e)
  let code: 'truncated' | 'invalid' = 'invalid'
  let words: string
  if (/index out of range/.test(detail)) {
    code = 'truncated'
    words = 'the data ends in the middle of a field (truncated or length prefix too large)'
  } else if (e instanceof TypeError && /utf-?8|encoded data/i.test(detail)) {
    words = 'a string field is not valid UTF-8'
  } else if (/depth/.test(detail)) {
    words = 'the message is nested too deeply'
  } else if (e instanceof RangeError && /call stack/i.test(detail)) {
    words = 'the message is nested too deeply'
  } else {
    words = `the bytes are not a valid message (${detail})`
  }
  const where = part === 'payload' ? ` payload of cmd "${cmd ?? ''}"` : ''
  return new CodecError(code, `cannot decode ${messageType}${where}: ${words}`, { part, messageType, cmd, seq, cause: e })
}

// ---------------------------------------------------------------------------------------------
// encode: plain object -> generated-compatible object (validated against the schema)

const INT64_RE = /^-?(0|[1-9][0-9]*)$/
const UINT64_MAX = (1n << 64n) - 1n
const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n

function badInput(messageType: string, path: string, what: string): CodecError {
  return new CodecError('bad-input', `cannot encode ${messageType}: ${path} ${what}`, { part: 'input', messageType })
}

function toLong(v: unknown, unsigned: boolean, top: string, path: string): LongLike {
  let s: string
  if (typeof v === 'string') s = v
  else if (typeof v === 'bigint') s = v.toString()
  else if (typeof v === 'number' && Number.isSafeInteger(v)) s = String(v)
  else throw badInput(top, path, `must be a decimal string of a 64-bit integer, got ${describe(v)}`)
  if (!INT64_RE.test(s)) throw badInput(top, path, `must be a decimal integer string, got ${JSON.stringify(s).slice(0, 40)}`)
  const n = BigInt(s)
  if (unsigned ? n < 0n || n > UINT64_MAX : n < INT64_MIN || n > INT64_MAX) {
    throw badInput(top, path, `is out of range for ${unsigned ? 'uint64' : 'int64'}: ${s}`)
  }
  return Long!.fromString(s, unsigned)
}

function toWireScalar(f: YunhuFieldInfo, v: unknown, top: string, path: string): unknown {
  switch (f.kind) {
    case 'string':
      if (typeof v !== 'string') throw badInput(top, path, `must be a string, got ${describe(v)}`)
      return v
    case 'bool':
      if (typeof v !== 'boolean') throw badInput(top, path, `must be a boolean, got ${describe(v)}`)
      return v
    case 'bytes':
      if (!(v instanceof Uint8Array)) throw badInput(top, path, `must be a Uint8Array, got ${describe(v)}`)
      return v
    case 'int32':
    case 'enum':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
        throw badInput(top, path, `must be an int32 number, got ${typeof v === 'number' ? v : describe(v)}`)
      }
      return v
    case 'int64':
    case 'uint64':
      return toLong(v, f.kind === 'uint64', top, path)
    case 'double':
      if (typeof v !== 'number') throw badInput(top, path, `must be a number, got ${describe(v)}`)
      return v
    case 'message':
      if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) {
        throw badInput(top, path, `must be an object (${f.type}), got ${describe(v)}`)
      }
      return toWire(f.type!, v as Record<string, unknown>, top, path)
    default:
      throw badInput(top, path, `has unsupported kind ${f.kind}`)
  }
}

function toWire(typeName: string, obj: Record<string, unknown>, top: string, path: string): Record<string, unknown> {
  const fields = yunhuFieldMeta[typeName]
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(obj)) {
    const v = obj[k]
    if (v === undefined || v === null) continue
    const f = Object.prototype.hasOwnProperty.call(fields, k) ? fields[k] : undefined
    const p = path ? `${path}.${k}` : k
    if (!f) throw badInput(top, p, `is not a field of ${typeName}`)
    if (f.repeated) {
      if (!Array.isArray(v)) throw badInput(top, p, `must be an array, got ${describe(v)}`)
      out[k] = v.map((e, i) => toWireScalar(f, e, top, `${p}[${i}]`))
    } else {
      out[k] = toWireScalar(f, v, top, p)
    }
  }
  return out
}

const T = yunhu as unknown as Record<string, GeneratedType>

interface GeneratedType {
  encode(message: any): { finish(): Uint8Array }
  decode(reader: Uint8Array): object
}

function types(): Record<string, GeneratedType> {
  return yunhu as unknown as Record<string, GeneratedType>
}

function encodeMessage(typeName: string, obj: unknown): Uint8Array {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw badInput(typeName, 'the message', `must be an object, got ${describe(obj)}`)
  }
  const wire = toWire(typeName, obj as Record<string, unknown>, typeName, '')
  return types()[typeName].encode(wire).finish()
}

// ---------------------------------------------------------------------------------------------
// HTTP bodies (and any schema message by name)

const BODY_NAMES: readonly YunhuBodyName[] = [
  'Status',
  'StatusResponse',
  'BotData',
  'BotInfoRequest',
  'BotInfoResponse',
  'BoardRequest',
  'BoardResponse',
  'CreateBotRequest',
  'CreateBotResponse',
  'UserInfo',
  'GroupInfoRequest',
  'GroupInfoResponse',
  'ListMemberRequest',
  'ListMemberResponse',
  'BotListRequest',
  'BotListResponse',
  'GetBotInstructionRequest',
  'GetBotInstructionResponse',
  'GetBotInstructionListResponse',
  'AddressBookListRequest',
  'AddressBookListResponse',
  'RequestListResponse',
  'GetUserRequest',
  'GetUserResponse',
  'ConversationListRequest',
  'ConversationListResponse',
  'SendMsgRequest',
  'ListMsgRequest',
  'ListMsgBySeqRequest',
  'ListMsgByMidSeqRequest',
  'ListMsgResponse',
  'RecallMsg',
  'ButtonReportRequest',
  'PushMessage',
  'StreamMessage',
  'BotBoardMessage',
  'MsgInput',
  'LiveMessage',
  'WsWrapper'
]

/** Names accepted by decodeYunhuBody / encodeYunhuBody. */
export const yunhuBodyNames: readonly YunhuBodyName[] = BODY_NAMES

// ---------------------------------------------------------------------------------------------
// lenient decoding where the sources disagree on a field's wire type
//
// BotData.avatar_id = 5: FP declares int64 (a varint, which the schema and the encoder use); the
// seed declares `string avatar_id = 5` (length-delimited). The generated decoder skips a field whose
// wire type does not match the schema, so a string avatar_id would be dropped silently. Messages
// carrying a BotData are therefore decoded with the unknown fields kept, and a string field 5 that
// holds a 64-bit decimal integer becomes avatar_id, the same exact decimal string the varint gives
// ("0" and "" are the default: absent; "007" gives "7"). A string that is not such an integer is no
// avatar id and stays skipped. When both forms occur, the schema's varint wins; among several
// string occurrences the last wins, as for any scalar.

const AVATAR_ID_STRING_TAG = (5 << 3) | 2

interface DecodedWithUnknowns {
  avatar_id?: unknown
  /** Raw bytes (tag included) of the fields the generated decoder skipped (non-enumerable). */
  $unknowns?: Uint8Array[]
}

/** The canonical decimal string of an int64 written as ASCII digits, else undefined. */
function asciiInt64(b: Uint8Array): string | undefined {
  if (b.length === 0 || b.length > 21) return undefined
  for (let i = 0; i < b.length; i++) {
    const c = b[i]
    if (!((c >= 0x30 && c <= 0x39) || (c === 0x2d && i === 0 && b.length > 1))) return undefined
  }
  const n = BigInt(String.fromCharCode(...b))
  return n < INT64_MIN || n > INT64_MAX ? undefined : n.toString()
}

function lenientBotData(m: DecodedWithUnknowns | null | undefined): void {
  const raw = m?.$unknowns
  // (generated messages have prototype defaults: only an own property was on the wire)
  if (!m || !raw || Object.prototype.hasOwnProperty.call(m, 'avatar_id')) return
  let found: string | undefined
  for (let i = 0; i < raw.length; i++) {
    const r = protobuf.Reader.create(raw[i])
    if (r.uint32() !== AVATAR_ID_STRING_TAG) continue
    found = asciiInt64(r.bytes())
  }
  if (found !== undefined && found !== '0') m.avatar_id = found
}

/** Body types decoded with their unknown fields kept, and the fix-up applied after decoding. */
const LENIENT: Partial<Record<YunhuBodyName, (m: any) => void>> = {
  BotData: (m) => lenientBotData(m),
  BotInfoResponse: (m) => lenientBotData(m.data),
  CreateBotResponse: (m) => lenientBotData(m.data)
}

/** Decode a protobuf HTTP body (or any schema message) by schema name. Throws CodecError. */
export function decodeYunhuBody<K extends YunhuBodyName>(name: K, bytes: Bytes): YunhuBodyTypes[K] {
  const T = Object.prototype.hasOwnProperty.call(types(), name) ? types()[name] : undefined
  if (!T || !BODY_NAMES.includes(name)) {
    throw new CodecError('bad-input', `unknown Yunhu message type ${JSON.stringify(name)}`, { part: 'input', messageType: String(name) })
  }
  const buf = asBytes(bytes, name, 'body')
  const fix = LENIENT[name]
  let m: object
  try {
    if (fix) {
      const reader = protobuf.Reader.create(buf)
      reader.discardUnknown = false
      m = T.decode(reader as unknown as Uint8Array)
      fix(m)
    } else {
      m = T.decode(buf)
    }
  } catch (e) {
    throw wrapDecodeError(e, 'body', name)
  }
  return toPlain(m) as YunhuBodyTypes[K]
}

/** Encode a protobuf HTTP body (or any schema message) by schema name. Throws CodecError('bad-input'). */
export function encodeYunhuBody<K extends YunhuBodyName>(name: K, message: YunhuBodyTypes[K]): Uint8Array {
  if (!BODY_NAMES.includes(name)) {
    throw new CodecError('bad-input', `unknown Yunhu message type ${JSON.stringify(name)}`, { part: 'input', messageType: String(name) })
  }
  return encodeMessage(name, message)
}

type Dec<K extends YunhuBodyName> = (bytes: Bytes) => YunhuBodyTypes[K]
type Enc<K extends YunhuBodyName> = (message: YunhuBodyTypes[K]) => Uint8Array
const dec =
  <K extends YunhuBodyName>(name: K): Dec<K> =>
  (bytes) =>
    decodeYunhuBody(name, bytes)
const enc =
  <K extends YunhuBodyName>(name: K): Enc<K> =>
  (message) =>
    encodeYunhuBody(name, message)

// POST /v1/bot/bot-info
export const decodeBotInfoRequest = dec('BotInfoRequest')
export const encodeBotInfoRequest = enc('BotInfoRequest')
export const decodeBotInfoResponse = dec('BotInfoResponse')
export const encodeBotInfoResponse = enc('BotInfoResponse')
// POST /v1/bot/board
export const decodeBoardRequest = dec('BoardRequest')
export const encodeBoardRequest = enc('BoardRequest')
export const decodeBoardResponse = dec('BoardResponse')
export const encodeBoardResponse = enc('BoardResponse')
// POST /v1/bot/create-bot
export const decodeCreateBotRequest = dec('CreateBotRequest')
export const encodeCreateBotRequest = enc('CreateBotRequest')
export const decodeCreateBotResponse = dec('CreateBotResponse')
export const encodeCreateBotResponse = enc('CreateBotResponse')
// replies of send/edit/recall/button-report
export const decodeStatusResponse = dec('StatusResponse')
export const encodeStatusResponse = enc('StatusResponse')
// GET /v1/user/info
export const decodeUserInfo = dec('UserInfo')
export const encodeUserInfo = enc('UserInfo')
// POST /v1/conversation/list
export const decodeConversationListRequest = dec('ConversationListRequest')
export const encodeConversationListRequest = enc('ConversationListRequest')
export const decodeConversationListResponse = dec('ConversationListResponse')
export const encodeConversationListResponse = enc('ConversationListResponse')
// POST /v1/msg/send-message, /v1/msg/edit-message
export const decodeSendMsgRequest = dec('SendMsgRequest')
export const encodeSendMsgRequest = enc('SendMsgRequest')
// POST /v1/msg/list-message, -by-seq, -by-mid-seq
export const decodeListMsgRequest = dec('ListMsgRequest')
export const encodeListMsgRequest = enc('ListMsgRequest')
export const decodeListMsgBySeqRequest = dec('ListMsgBySeqRequest')
export const encodeListMsgBySeqRequest = enc('ListMsgBySeqRequest')
export const decodeListMsgByMidSeqRequest = dec('ListMsgByMidSeqRequest')
export const encodeListMsgByMidSeqRequest = enc('ListMsgByMidSeqRequest')
export const decodeListMsgResponse = dec('ListMsgResponse')
export const encodeListMsgResponse = enc('ListMsgResponse')
// POST /v1/msg/recall-msg, /v1/msg/recall-msg-batch
export const decodeRecallMsg = dec('RecallMsg')
export const encodeRecallMsg = enc('RecallMsg')
// POST /v1/msg/button-report
export const decodeButtonReportRequest = dec('ButtonReportRequest')
export const encodeButtonReportRequest = enc('ButtonReportRequest')

// ---------------------------------------------------------------------------------------------
// WebSocket frames

type PayloadKind = Exclude<YunhuPushEventKind, 'heartbeat_ack' | 'invite_apply' | 'unknown' | 'recall'>

interface Route {
  kind: PayloadKind
  typeName: string
  decode: (buf: Uint8Array) => any
}
const ROUTES = new Map<string, Route>([
  ['push_message', { kind: 'push_message', typeName: 'PushMessage', decode: decodePush }],
  ['edit_message', { kind: 'edit_message', typeName: 'PushMessage', decode: decodePush }],
  ['blocked_message', { kind: 'blocked_message', typeName: 'PushMessage', decode: decodePush }],
  ['stream_message', { kind: 'stream_message', typeName: 'StreamMessage', decode: decodeFlat(T.StreamMessage) }],
  ['bot_board_message', { kind: 'bot_board_message', typeName: 'BotBoardMessage', decode: decodeBoard }],
  ['draft_input', { kind: 'draft_input', typeName: 'MsgInput', decode: decodeFlat(T.MsgInput) }],
  ['live_video_user_hang_up', { kind: 'live_video_user_hang_up', typeName: 'LiveMessage', decode: decodeFlat(T.LiveMessage) }]
])

/** cmds whose frames carry no data. */
const NO_PAYLOAD_CMDS = new Set(['heartbeat_ack', 'invite_apply'])

/** The cmd a frame kind is sent with. */
export const yunhuCmdOfKind: Readonly<Record<Exclude<YunhuPushEventKind, 'unknown'>, string>> = {
  heartbeat_ack: 'heartbeat_ack',
  invite_apply: 'invite_apply',
  push_message: 'push_message',
  recall: 'push_message',
  edit_message: 'edit_message',
  blocked_message: 'blocked_message',
  stream_message: 'stream_message',
  bot_board_message: 'bot_board_message',
  draft_input: 'draft_input',
  live_video_user_hang_up: 'live_video_user_hang_up'
}

/** type_url used when encoding a frame without one (older docs; bot_board_message is undocumented). */
const DEFAULT_TYPE_URL: Readonly<Record<string, string>> = {
  push_message: 'type.googleapis.com/proto.PushMessage',
  edit_message: 'type.googleapis.com/proto.PushMessage',
  blocked_message: 'type.googleapis.com/proto.PushMessage',
  stream_message: 'type.googleapis.com/proto.StreamMessage',
  bot_board_message: 'type.googleapis.com/proto.BotBoardMessage',
  draft_input: 'type.googleapis.com/proto.MsgInput',
  live_video_user_hang_up: 'type.googleapis.com/proto.LiveMessage'
}

interface RawWrapper {
  info?: { seq: string; cmd: string } | null
  data?: { type_url: string; value: Uint8Array } | null
}

/**
 * Decode one binary server frame and dispatch on info.cmd.
 * - known cmds give their typed event (push_message with delete_timestamp set gives kind "recall");
 * - unknown cmd, or no info/cmd at all (including an empty frame), gives kind "unknown": skip it;
 * - a known payload cmd without data decodes as an empty payload (proto3: absent = default);
 * - truncated/garbage envelope or payload throws CodecError (part "envelope" or "payload").
 */
export function decodeWsFrame(bytes: Bytes): YunhuPushEvent {
  const buf = bytes instanceof Uint8Array ? bytes : asBytes(bytes, 'WsWrapper', 'envelope')
  let w: RawWrapper
  try {
    w = T.WsWrapper.decode(buf) as RawWrapper
  } catch (e) {
    throw wrapDecodeError(e, 'envelope', 'WsWrapper')
  }
  const info = w.info
  const seq = info ? info.seq : ''
  const cmd = info ? info.cmd : ''
  const data = w.data
  const route = ROUTES.get(cmd)
  if (route !== undefined) {
    let message: any
    try {
      message = route.decode(data ? data.value : EMPTY)
    } catch (e) {
      throw wrapDecodeError(e, 'payload', route.typeName, cmd, seq)
    }
    const kind = route.kind === 'push_message' && message.delete_timestamp !== undefined ? 'recall' : route.kind
    return data && data.type_url ? { kind, seq, cmd, type_url: data.type_url, message } : { kind, seq, cmd, message }
  }
  const ev: any = { kind: NO_PAYLOAD_CMDS.has(cmd) ? cmd : 'unknown', seq, cmd }
  if (data) {
    if (data.type_url) ev.type_url = data.type_url
    if (data.value.length > 0 && ev.kind === 'unknown') ev.value = new Uint8Array(data.value)
  }
  return ev as YunhuPushEvent
}

const EMPTY = new Uint8Array(0)

/** Decode the raw envelope only ({info, data: {type_url, value}}), without dispatch. */
export function decodeWsWrapper(bytes: Bytes): YunhuWsWrapper {
  return decodeYunhuBody('WsWrapper', bytes)
}

/** Decode a payload by cmd (the `data.value` bytes of a frame). Unknown cmd -> undefined. */
export function decodeWsPayload(cmd: string, value: Bytes): YunhuPushMessage | YunhuStreamMessage | YunhuBotBoardMessage | YunhuMsgInput | YunhuLiveMessage | undefined {
  const route = ROUTES.get(cmd)
  if (!route) return undefined
  const buf = asBytes(value, route.typeName, 'payload')
  try {
    return route.decode(buf)
  } catch (e) {
    throw wrapDecodeError(e, 'payload', route.typeName, cmd)
  }
}

type EventInput<E> = E extends { kind: infer K; cmd: string; seq: string }
  ? K extends 'unknown'
    ? Omit<E, 'seq'> & { seq?: string }
    : Omit<E, 'cmd' | 'seq'> & { cmd?: string; seq?: string }
  : never

/** What encodeWsFrame takes: a YunhuPushEvent where seq, and cmd (except for "unknown"), are optional. */
export type YunhuWsEventInput = EventInput<YunhuPushEvent>

/**
 * Encode a server frame (for the reference server and tests). cmd defaults from kind ("recall" is
 * sent as push_message), type_url defaults to the documented `type.googleapis.com/proto.<Type>`.
 * A kind "unknown" event with cmd "" and seq "" encodes as a frame without info.
 */
export function encodeWsFrame(event: YunhuWsEventInput): Uint8Array {
  if (typeof event !== 'object' || event === null) throw badInput('WsWrapper', 'the event', `must be an object, got ${describe(event)}`)
  const kind = (event as { kind?: unknown }).kind
  const seq = event.seq ?? ''
  if (typeof seq !== 'string') throw badInput('WsWrapper', 'seq', `must be a string, got ${describe(seq)}`)
  let cmd: string
  let data: { type_url?: string; value?: Uint8Array } | undefined
  const typeUrl = event.type_url
  if (typeUrl !== undefined && typeof typeUrl !== 'string') throw badInput('WsWrapper', 'type_url', `must be a string, got ${describe(typeUrl)}`)
  if (kind === 'unknown') {
    const e = event as Extract<YunhuWsEventInput, { kind: 'unknown' }>
    if (typeof e.cmd !== 'string') throw badInput('WsWrapper', 'cmd', `must be a string, got ${describe(e.cmd)}`)
    cmd = e.cmd
    if (e.value !== undefined || typeUrl !== undefined) data = { type_url: typeUrl, value: e.value }
  } else if (typeof kind === 'string' && Object.prototype.hasOwnProperty.call(yunhuCmdOfKind, kind)) {
    cmd = event.cmd ?? yunhuCmdOfKind[kind as keyof typeof yunhuCmdOfKind]
    if (typeof cmd !== 'string') throw badInput('WsWrapper', 'cmd', `must be a string, got ${describe(cmd)}`)
    if (kind !== 'heartbeat_ack' && kind !== 'invite_apply') {
      const route = ROUTES.get(kind === 'recall' ? 'push_message' : kind)!
      const message = (event as { message?: unknown }).message
      const value = encodeMessage(route.typeName, message ?? {})
      data = { type_url: typeUrl ?? DEFAULT_TYPE_URL[route.kind], value }
    } else if (typeUrl !== undefined) {
      data = { type_url: typeUrl }
    }
  } else {
    throw badInput('WsWrapper', 'kind', `is not a known frame kind: ${JSON.stringify(kind)}`)
  }
  const wrapper: YunhuWsWrapper = {}
  if (seq !== '' || cmd !== '') wrapper.info = { seq, cmd }
  if (data) wrapper.data = data
  return encodeMessage('WsWrapper', wrapper)
}

/** Encode a raw envelope ({info, data: {type_url, value}}). */
export function encodeWsWrapper(wrapper: YunhuWsWrapper): Uint8Array {
  return encodeMessage('WsWrapper', wrapper)
}

// ---------------------------------------------------------------------------------------------
// helpers for content

/**
 * Parse MsgContent.buttons (a JSON string: rows of buttons). Returns [] for absent or malformed
 * JSON; drops entries that are not objects with a string `text`.
 */
export function parseYunhuButtons(buttons: string | undefined): YunhuButton[][] {
  if (!buttons) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(buttons)
  } catch {
    return []
  }
  if (!Array.isArray(parsed)) return []
  const rows: YunhuButton[][] = []
  for (const row of parsed) {
    const list = Array.isArray(row) ? row : [row]
    const out: YunhuButton[] = []
    for (const b of list) {
      if (typeof b !== 'object' || b === null || typeof (b as { text?: unknown }).text !== 'string') continue
      const r = b as Record<string, unknown>
      const btn: YunhuButton = { text: r.text as string, actionType: typeof r.actionType === 'number' ? r.actionType : Number(r.actionType) || 0 }
      if (typeof r.url === 'string') btn.url = r.url
      if (typeof r.value === 'string') btn.value = r.value
      out.push(btn)
    }
    if (out.length) rows.push(out)
  }
  return rows
}
