// Behaviour of the Yunhu codec beyond the fixtures: 64-bit exactness, dispatch of every cmd,
// errors, schema validation on encode, generated code freshness and type agreement.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { yunhu } from '../../../src/core/protocols/yunhu/codec/generated/yunhu.js'
import {
  CodecError,
  decodeBoardRequest,
  decodeBotInfoResponse,
  decodeConversationListResponse,
  decodeListMsgResponse,
  decodeRecallMsg,
  decodeSendMsgRequest,
  decodeStatusResponse,
  decodeWsFrame,
  decodeWsPayload,
  decodeYunhuBody,
  encodeBoardRequest,
  encodeBotInfoResponse,
  encodeButtonReportRequest,
  encodeConversationListResponse,
  encodeListMsgByMidSeqRequest,
  encodeListMsgResponse,
  encodeRecallMsg,
  encodeSendMsgRequest,
  encodeStatusResponse,
  encodeWsFrame,
  encodeWsWrapper,
  encodeYunhuBody,
  parseYunhuButtons,
  yunhuBodyNames,
  type YunhuWsEventInput
} from '../../../src/core/protocols/yunhu/codec/yunhu'
import type * as S from '../../../src/shared/yunhu'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

function codecError(fn: () => unknown): CodecError {
  try {
    fn()
  } catch (e) {
    if (e instanceof CodecError) return e
    throw new Error(`expected CodecError, got ${String(e)}`)
  }
  throw new Error('expected CodecError, nothing was thrown')
}

/** Hand-rolled protobuf writer for exotic inputs the encoders refuse to produce. */
function varint(n: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(n))
  const out: number[] = []
  while (v > 127n) {
    out.push(Number(v & 127n) | 128)
    v >>= 7n
  }
  out.push(Number(v))
  return out
}
const tag = (field: number, wt: number) => varint((field << 3) | wt)
const ld = (field: number, bytes: number[] | Uint8Array) => [...tag(field, 2), ...varint(bytes.length), ...bytes]
const str = (field: number, s: string) => ld(field, [...Buffer.from(s, 'utf8')])
const frame = (cmd: string, payload?: number[] | Uint8Array, seq = 's1') =>
  new Uint8Array([...ld(1, [...str(1, seq), ...str(2, cmd)]), ...(payload ? ld(2, [...str(1, 'type.googleapis.com/proto.X'), ...ld(2, payload)]) : [])])

describe('64-bit integers stay exact', () => {
  it('uint64 above 2^53 and at 2^64-1 round-trip as decimal strings', () => {
    for (const v of ['9007199254740993', '18446744073709551615', '4294967296', '4294967295', '1']) {
      const ev = decodeWsFrame(encodeWsFrame({ kind: 'push_message', seq: 'x', message: { msg_id: 'm', timestamp: v, msg_seq: v } }))
      expect(ev.kind).toBe('push_message')
      if (ev.kind === 'push_message') {
        expect(ev.message.timestamp).toBe(v)
        expect(ev.message.msg_seq).toBe(v)
      }
    }
  })

  it('every uint64 decodes to its exact decimal string, also near multiples of 1e9 and 2^31, 2^32, 2^53', () => {
    // the WS fast path cuts numbers below 2^53 into two integers; the generic path (bodies) does not
    const edges: bigint[] = [0n, 1n, 999_999_999n, 1_000_000_000n, 1_000_000_001n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n]
    for (const k of [1n, 2n, 7n, 1234n, 4_294_967n, 8_388_607n, 8_388_608n, 9_007_198n, 9_007_199n]) edges.push(k * 1_000_000_000n - 1n, k * 1_000_000_000n, k * 1_000_000_000n + 1n)
    const check = (n: bigint) => {
      const v = n.toString()
      const signed = n < 2n ** 63n // file_size is an int64
      const ev = decodeWsFrame(encodeWsFrame({ kind: 'push_message', seq: 'x', message: { msg_id: 'm', timestamp: v, msg_seq: v, content: signed ? { file_size: v } : { text: 't' } } }))
      const want = n === 0n ? undefined : v
      expect(ev.kind === 'push_message' && [ev.message.timestamp, ev.message.msg_seq, ev.message.content?.file_size]).toEqual([want, want, signed ? want : undefined])
    }
    for (const n of edges) check(n)
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), check), { numRuns: 2000 })
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 53n }), check), { numRuns: 2000 })
  })

  it('int64 keeps sign: Status.request_id negative and max, code -101', () => {
    for (const id of ['-1', '-9223372036854775808', '9223372036854775807', '9007199254740993']) {
      const got = decodeStatusResponse(encodeStatusResponse({ status: { request_id: id, code: -101, msg: '未登录' } }))
      expect(got).toStrictEqual({ status: { request_id: id, code: -101, msg: '未登录' } })
    }
  })

  it('a uint64 written as 10-byte varint of -1 reads 18446744073709551615', () => {
    const bytes = new Uint8Array([...tag(8, 0), ...varint(-1n)])
    expect(decodeYunhuBody('PushMessage', bytes)).toStrictEqual({ timestamp: '18446744073709551615' })
  })

  it('rejects non-decimal, out-of-range and unsafe-number 64-bit inputs on encode', () => {
    const bad: unknown[] = ['abc', '1e3', '01', '', ' 1', '9223372036854775808', '-9223372036854775809', 2 ** 60, 1.5, {}]
    for (const v of bad) {
      const e = codecError(() => encodeSendMsgRequest({ msg_id: 'm', command_id: '1', content: { sticker_pack_id: v as string } }))
      expect(e.code).toBe('bad-input')
      expect(e.message).toMatch(/content\.sticker_pack_id/)
    }
    for (const v of ['-1', '18446744073709551616']) {
      expect(codecError(() => encodeYunhuBody('PushMessage', { timestamp: v })).message).toMatch(/timestamp is out of range for uint64/)
    }
    // signed int64 accepts negatives, numbers that are safe integers and bigint
    expect(decodeSendMsgRequest(encodeSendMsgRequest({ command_id: -5 as unknown as string }))).toStrictEqual({ command_id: '-5' })
    expect(decodeSendMsgRequest(encodeSendMsgRequest({ command_id: 7n as unknown as string }))).toStrictEqual({ command_id: '7' })
  })
})

describe('decodeWsFrame dispatch', () => {
  const push: S.YunhuPushMessage = { msg_id: 'a', recv_id: 'r', chat_id: 'c', content: { text: 'hi' }, content_type: 1 }
  const cases: [YunhuWsEventInput, S.YunhuPushEventKind][] = [
    [{ kind: 'heartbeat_ack', seq: 'h' }, 'heartbeat_ack'],
    [{ kind: 'invite_apply', seq: 'i' }, 'invite_apply'],
    [{ kind: 'push_message', message: push }, 'push_message'],
    [{ kind: 'recall', message: { msg_id: 'a', delete_timestamp: '1787190165305', msg_seq: '7' } }, 'recall'],
    [{ kind: 'edit_message', message: { ...push, edit_time: '1787190180860' } }, 'edit_message'],
    [{ kind: 'blocked_message', message: { msg_id: 'b', recv_id: 'r', chat_id: 'c' } }, 'blocked_message'],
    [{ kind: 'stream_message', message: { msg_id: 'a', recv_id: 'r', chat_id: 'c', content: '…' } }, 'stream_message'],
    [{ kind: 'bot_board_message', message: { bot_id: 'b', content: 'x', content_type: 3, last_update_time: '1' } }, 'bot_board_message'],
    [{ kind: 'draft_input', message: { chat_id: 'c', input: 'draft' } }, 'draft_input'],
    [{ kind: 'live_video_user_hang_up', message: { msg_id: 'call', cmd: 'hang_up' } }, 'live_video_user_hang_up']
  ]
  it.each(cases.map(([ev, k]) => [k, ev] as const))('%s round-trips through encodeWsFrame', (k, input) => {
    const ev = decodeWsFrame(encodeWsFrame(input))
    expect(ev.kind).toBe(k)
    expect(ev.cmd).toBe(k === 'recall' ? 'push_message' : k)
    if ('message' in input) expect((ev as { message: unknown }).message).toStrictEqual(input.message)
    else expect('message' in ev).toBe(false)
  })

  it('unknown cmd, odd cmd names and no cmd are kind "unknown" (never a throw)', () => {
    for (const cmd of ['future_feature_push', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'PUSH_MESSAGE', 'file_send_message']) {
      const ev = decodeWsFrame(frame(cmd, [1, 2, 3]))
      expect(ev).toStrictEqual({ kind: 'unknown', seq: 's1', cmd, type_url: 'type.googleapis.com/proto.X', value: new Uint8Array([1, 2, 3]) })
    }
    expect(decodeWsFrame(new Uint8Array(0))).toStrictEqual({ kind: 'unknown', seq: '', cmd: '' })
    expect(decodeWsFrame(new Uint8Array([0x0a, 0x00]))).toStrictEqual({ kind: 'unknown', seq: '', cmd: '' })
  })

  it('the unknown payload value is a copy, not a view of the input buffer', () => {
    const bytes = frame('zzz', [9, 9, 9])
    const ev = decodeWsFrame(bytes)
    bytes.fill(0)
    expect(ev.kind === 'unknown' && [...ev.value!]).toEqual([9, 9, 9])
  })

  it('a payload cmd without data decodes to an empty payload', () => {
    expect(decodeWsFrame(frame('push_message'))).toStrictEqual({ kind: 'push_message', seq: 's1', cmd: 'push_message', message: {} })
    expect(decodeWsFrame(frame('draft_input'))).toStrictEqual({ kind: 'draft_input', seq: 's1', cmd: 'draft_input', message: {} })
  })

  it('a broken payload throws CodecError part "payload" with the cmd and seq', () => {
    const e = codecError(() => decodeWsFrame(frame('push_message', [0x0a, 0x20, 0x41], 'seq-9')))
    expect(e).toMatchObject({ name: 'CodecError', code: 'truncated', part: 'payload', messageType: 'PushMessage', cmd: 'push_message', seq: 'seq-9' })
    expect(e.message).toMatch(/payload of cmd "push_message"/)
    const bad = codecError(() => decodeWsFrame(frame('stream_message', [...tag(4, 2), 2, 0xc3, 0x28])))
    expect(bad).toMatchObject({ code: 'invalid', part: 'payload' })
    expect(bad.message).toMatch(/UTF-8/)
  })

  it('accepts ArrayBuffer and Buffer, rejects non-bytes with CodecError', () => {
    const bytes = encodeWsFrame({ kind: 'heartbeat_ack', seq: 'q' })
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    expect(decodeWsFrame(ab)).toStrictEqual({ kind: 'heartbeat_ack', seq: 'q', cmd: 'heartbeat_ack' })
    expect(decodeWsFrame(Buffer.from(bytes))).toStrictEqual({ kind: 'heartbeat_ack', seq: 'q', cmd: 'heartbeat_ack' })
    for (const v of ['text', null, 42, [1, 2]]) expect(codecError(() => decodeWsFrame(v as unknown as Uint8Array)).code).toBe('invalid')
  })
})

describe('decoding edge cases', () => {
  it('skips unknown fields of every wire type, and fields sent with the wrong wire type', () => {
    const bytes = new Uint8Array([
      ...tag(99, 0), ...varint(5),
      ...tag(98, 1), 1, 2, 3, 4, 5, 6, 7, 8,
      ...tag(97, 5), 1, 2, 3, 4,
      ...tag(96, 3), ...tag(1, 0), 1, ...tag(96, 4),
      ...tag(1, 0), 7, // msg_id as varint: wrong wire type
      ...str(4, 'chat')
    ])
    expect(decodeYunhuBody('PushMessage', bytes)).toStrictEqual({ chat_id: 'chat' })
  })

  it('explicit default values on the wire are absent from the result; last value wins', () => {
    const bytes = new Uint8Array([...str(1, 'x'), ...str(1, ''), ...tag(5, 0), 0, ...tag(8, 0), 0, ...tag(7, 0), 2, ...tag(7, 0), 3])
    expect(decodeYunhuBody('PushMessage', bytes)).toStrictEqual({ content_type: 3 })
  })

  it('an empty nested message on the wire: {} in a body (it re-encodes to the same bytes), absent in a push (it carries nothing)', () => {
    const bytes = new Uint8Array([...str(1, 'm'), ...ld(2, []), ...ld(6, []), ...ld(9, [])])
    expect(decodeWsPayload('push_message', bytes)).toStrictEqual({ msg_id: 'm' })
    expect(decodeYunhuBody('PushMessage', bytes)).toStrictEqual({ msg_id: 'm', sender: {}, content: {}, cmd: {} })
    expect(decodeStatusResponse(new Uint8Array(ld(1, [])))).toStrictEqual({ status: {} })
    expect(decodeStatusResponse(new Uint8Array([]))).toStrictEqual({})
    const direct = new Uint8Array([...str(2, 'x'), ...ld(5, [])])
    expect(Buffer.from(encodeYunhuBody('SendMsgRequest', decodeYunhuBody('SendMsgRequest', direct))).equals(Buffer.from(direct))).toBe(true)
  })

  it('bytes come out as plain Uint8Array copies, also from Buffer input', () => {
    const input = Buffer.from(encodeWsWrapper({ info: { seq: 's', cmd: 'x' }, data: { type_url: 't', value: new Uint8Array([1, 2]) } }))
    const w = decodeYunhuBody('WsWrapper', input)
    expect(Object.getPrototypeOf(w.data!.value)).toBe(Uint8Array.prototype)
    input.fill(0)
    expect([...w.data!.value!]).toEqual([1, 2])
  })

  it('repeated strings keep order, empty repeated fields are absent', () => {
    const bytes = encodeRecallMsg({ msg_id: ['a', 'b', 'c'], chat_id: 'g', chat_type: 2 })
    expect(decodeRecallMsg(bytes)).toStrictEqual({ msg_id: ['a', 'b', 'c'], chat_id: 'g', chat_type: 2 })
    expect(decodeRecallMsg(encodeRecallMsg({ msg_id: [], chat_id: 'g' }))).toStrictEqual({ chat_id: 'g' })
  })

  it('deeply nested groups and huge lengths fail with CodecError, quickly', () => {
    const deep = new Uint8Array(200_000).fill(0x1b) // field 3 start-group, nested
    const t0 = performance.now()
    expect(['invalid', 'truncated']).toContain(codecError(() => decodeWsFrame(deep)).code)
    const huge = new Uint8Array([...tag(2, 2), ...varint(1_000_000_000)])
    expect(codecError(() => decodeWsFrame(huge)).code).toBe('truncated')
    const tooLong = new Uint8Array([...tag(2, 2), ...varint(0xffffffff)])
    expect(codecError(() => decodeWsFrame(tooLong)).code).toBe('invalid')
    expect(performance.now() - t0).toBeLessThan(1000)
  })

  it('decodeWsPayload: unknown cmd gives undefined, known cmd decodes', () => {
    expect(decodeWsPayload('nope', new Uint8Array([1]))).toBeUndefined()
    expect(decodeWsPayload('draft_input', new Uint8Array(str(2, 'hi')))).toStrictEqual({ input: 'hi' })
  })

  it('unknown body names are refused', () => {
    expect(codecError(() => decodeYunhuBody('Nope' as S.YunhuBodyName, new Uint8Array())).code).toBe('bad-input')
    expect(codecError(() => decodeYunhuBody('toString' as S.YunhuBodyName, new Uint8Array())).code).toBe('bad-input')
    expect(codecError(() => encodeYunhuBody('Nope' as S.YunhuBodyName, {})).code).toBe('bad-input')
  })
})

describe('HTTP bodies', () => {
  it('board request: id = 3, chat_type = 4 on the wire', () => {
    const bytes = encodeBoardRequest({ id: '872440499', chat_type: 2 })
    expect([...bytes]).toEqual([...str(3, '872440499'), ...tag(4, 0), 2])
    expect(decodeBoardRequest(bytes)).toStrictEqual({ id: '872440499', chat_type: 2 })
  })

  it('bot info response with every BotData field round-trips', () => {
    const full: S.YunhuBotInfoResponse = {
      status: { request_id: '1958276403318333167', code: 1, msg: 'success' },
      data: {
        bot_id: '1', name: 'n', name_id: '2', avatar_url: 'u', avatar_id: '3', introduction: 'i', create_by: 'c',
        create_time: '4', headcount: '5', private: true, is_stop: true, always_agree: true, prevent_deletion: true,
        do_not_disturb: true, ban_id: '6', ban_until_timestamp: '7', top: true, is_deleted: true, group_limit: true,
        field21: 21, ban_reason: 'r'
      }
    }
    expect(decodeBotInfoResponse(encodeBotInfoResponse(full))).toStrictEqual(full)
  })

  // FP (and our schema) declare BotData.avatar_id = 5 as int64 (varint); the seed declares it a
  // string (length-delimited). Both decode to the same exact decimal string; encoding uses the varint.
  it('BotData.avatar_id (5) decodes from a varint and from a string alike', () => {
    const status = ld(1, [...tag(2, 0), 1])
    const botData = (avatar: number[]) => [...str(1, '53087214'), ...avatar, ...str(6, 'intro')]
    const asVarint = tag(5, 0).concat(varint(88231n))
    const asString = str(5, '88231')
    const expected = { status: { code: 1 }, data: { bot_id: '53087214', avatar_id: '88231', introduction: 'intro' } }
    for (const avatar of [asVarint, asString]) {
      const body = new Uint8Array([...status, ...ld(2, botData(avatar))])
      expect(decodeBotInfoResponse(body)).toStrictEqual(expected)
      expect(decodeYunhuBody('CreateBotResponse', body)).toStrictEqual(expected)
      expect(decodeYunhuBody('BotData', new Uint8Array(botData(avatar)))).toStrictEqual(expected.data)
    }
    // above 2^53 and at the int64 limits: exact either way
    for (const v of ['9007199254740993', '9223372036854775807', '-9223372036854775808']) {
      const s = decodeYunhuBody('BotData', new Uint8Array(str(5, v)))
      const n = decodeYunhuBody('BotData', new Uint8Array([...tag(5, 0), ...varint(BigInt(v))]))
      expect(s).toStrictEqual({ avatar_id: v })
      expect(n).toStrictEqual({ avatar_id: v })
    }
    // the string form is the same number as the varint form: "0" and "" are the default (absent),
    // leading zeros go; a string that is no 64-bit decimal integer is not an avatar id and is skipped
    expect(decodeYunhuBody('BotData', new Uint8Array(str(5, '007')))).toStrictEqual({ avatar_id: '7' })
    for (const bad of ['0', '', 'abc', '12a', ' 12', '+12', '9223372036854775808', '1'.repeat(30)]) {
      expect(decodeYunhuBody('BotData', new Uint8Array([...str(5, bad), ...str(2, 'n')])), JSON.stringify(bad)).toStrictEqual({ name: 'n' })
    }
    // bytes that are not UTF-8 are skipped too, never a decode error
    expect(decodeYunhuBody('BotData', new Uint8Array([...ld(5, [0xff, 0xfe]), ...str(2, 'n')]))).toStrictEqual({ name: 'n' })
    // both forms on the wire: the schema's varint wins
    expect(decodeYunhuBody('BotData', new Uint8Array([...str(5, '1'), ...tag(5, 0), ...varint(2)]))).toStrictEqual({ avatar_id: '2' })
    expect(decodeYunhuBody('BotData', new Uint8Array([...tag(5, 0), ...varint(2), ...str(5, '1')]))).toStrictEqual({ avatar_id: '2' })
    // two string occurrences: the last wins, as for any scalar field
    expect(decodeYunhuBody('BotData', new Uint8Array([...str(5, '1'), ...str(5, '3')]))).toStrictEqual({ avatar_id: '3' })
    // embedded BotData occurring twice is merged, the string form included
    const twice = new Uint8Array([...ld(2, str(5, '41')), ...ld(2, str(2, 'n'))])
    expect(decodeBotInfoResponse(twice)).toStrictEqual({ data: { avatar_id: '41', name: 'n' } })
    // encoding writes the varint (the most common form across the sources)
    expect([...encodeYunhuBody('BotData', { avatar_id: '88231' })]).toEqual(asVarint)
  })

  it('conversation list and message list responses round-trip, MsgData numbering differs from PushMessage', () => {
    const conv: S.YunhuConversationListResponse = {
      status: { code: 1 },
      data: [
        {
          chat_id: '872440499', chat_type: 2, remark: 'r', chat_content: 'p', timestamp_ms: '1787189440480', unread_msg: 3, at: true,
          avatar_id: '9007199254740993', avatar_url: 'u', do_not_disturb: true, send_timestamp: '1787189440', is_vip: true,
          at_data: { unknown: '1', mentioned_id: 'a', mentioned_name: 'b', mentioned_in: 'c', mentioner_id: 'd', mentioner_name: 'e', msg_seq: '8' },
          name: 'n', certification_level: 1
        },
        { chat_id: '7358021', chat_type: 1 }
      ],
      total: 2,
      md5: 'abc'
    }
    expect(decodeConversationListResponse(encodeConversationListResponse(conv))).toStrictEqual(conv)
    const list: S.YunhuListMsgResponse = {
      status: { code: 1 },
      data: [{ msg_id: 'm', sender: { chat_id: 's', tag: [{ id: '18446744073709551615', text: 't' }] }, direction: 'left', content_type: 1, content: { text: 'x', mentioned_id: ['1'] }, send_time: '2', cmd: { cmd_id: '3', name: 'c', type: 2 }, recall_time: '4', quote_msg_id: 'q', msg_seq: '5', edit_time: '6' }],
      total: 1
    }
    const bytes = encodeListMsgResponse(list)
    expect(decodeListMsgResponse(bytes)).toStrictEqual(list)
    // MsgData.content is field 5 (PushMessage uses 6 for content): decode the element alone as MsgData
    const elem = decodeYunhuBody('ListMsgResponse', bytes).data![0]
    expect(elem.content).toStrictEqual({ text: 'x', mentioned_id: ['1'] })
  })

  it('send-message with every MsgContent field round-trips', () => {
    const content: Required<S.YunhuMsgContent> = {
      text: 't', buttons: '[[{"text":"a","actionType":1,"url":"https://x"}]]', image_url: 'iu', file_name: 'fn', file_url: 'fu', mentioned_id: ['1', '2'],
      form: 'f', quote_msg_text: 'q', image: 'i', post_id: 'p', post_title: 'pt', post_content: 'pc', post_content_type: 'pct', expression_id: 'e',
      quote_image_url: 'qiu', quote_image_name: 'qin', file_size: '9007199254740993', video_url: 'v', video_time: 5, audio_url: 'a', audio_time: 6,
      quote_video_url: 'qv', quote_video_time: 7, sticker_item_id: '8', sticker_pack_id: '9', room_name: 'room', call_status_text: 'cs', width: 1080,
      height: 1440, tip: 'tip'
    }
    const req: S.YunhuSendMsgRequest = { msg_id: 'm', chat_id: 'c', chat_type: 1, content, content_type: 1, command_id: '12', quote_msg_id: 'q' }
    expect(decodeSendMsgRequest(encodeSendMsgRequest(req))).toStrictEqual(req)
  })

  it('list-by-mid-seq and button-report bodies use the documented numbers', () => {
    expect([...encodeListMsgByMidSeqRequest({ msg_seq: '10', chat_type: 2, chat_id: 'g', unknown: '1', msg_count: 20, msg_id: 'm' })]).toEqual([
      ...tag(3, 0), 10, ...tag(4, 0), 2, ...str(5, 'g'), ...tag(6, 0), 1, ...tag(7, 0), 20, ...str(8, 'm')
    ])
    expect([...encodeButtonReportRequest({ msg_id: 'm', chat_type: 3, chat_id: 'b', user_id: 'u', button_value: 'v' })]).toEqual([
      ...str(2, 'm'), ...tag(3, 0), 3, ...str(4, 'b'), ...str(5, 'u'), ...str(6, 'v')
    ])
  })

  it('encode refuses unknown fields and wrong types with a readable bad-input error', () => {
    const e1 = codecError(() => encodeBoardRequest({ id: 'x', chatType: 2 } as unknown as S.YunhuBoardRequest))
    expect(e1).toMatchObject({ code: 'bad-input', part: 'input', messageType: 'BoardRequest' })
    expect(e1.message).toMatch(/chatType is not a field of BoardRequest/)
    expect(codecError(() => encodeBoardRequest({ id: 5 } as unknown as S.YunhuBoardRequest)).message).toMatch(/id must be a string/)
    expect(codecError(() => encodeBoardRequest({ chat_type: 1.5 })).message).toMatch(/int32/)
    expect(codecError(() => encodeBoardRequest({ chat_type: 2 ** 31 })).message).toMatch(/int32/)
    expect(codecError(() => encodeRecallMsg({ msg_id: 'a' as unknown as string[] })).message).toMatch(/must be an array/)
    expect(codecError(() => encodeStatusResponse({ status: 'ok' as unknown as S.YunhuStatus })).message).toMatch(/status must be an object/)
    expect(codecError(() => encodeBoardRequest(null as unknown as S.YunhuBoardRequest)).code).toBe('bad-input')
    expect(codecError(() => encodeWsFrame({ kind: 'nope' } as unknown as YunhuWsEventInput)).code).toBe('bad-input')
    expect(codecError(() => encodeWsFrame({ kind: 'push_message', message: { msg_id: 1 } } as unknown as YunhuWsEventInput)).message).toMatch(/msg_id/)
    expect(codecError(() => encodeWsWrapper({ data: { value: 'x' as unknown as Uint8Array } })).message).toMatch(/data\.value must be a Uint8Array/)
  })

  it('undefined and null fields are treated as absent on encode', () => {
    expect(encodeBoardRequest({ id: undefined, chat_type: null as unknown as number }).length).toBe(0)
  })
})

describe('content helpers', () => {
  it('parseYunhuButtons parses rows and tolerates junk', () => {
    expect(parseYunhuButtons('[[{"text":"a","actionType":1,"url":"u"},{"text":"b","actionType":2,"value":"v"}],[{"text":"c","actionType":"3"}]]')).toStrictEqual([
      [{ text: 'a', actionType: 1, url: 'u' }, { text: 'b', actionType: 2, value: 'v' }],
      [{ text: 'c', actionType: 3 }]
    ])
    for (const junk of [undefined, '', 'not json', '{}', '[1,2]', '[[null,{"x":1}]]']) expect(parseYunhuButtons(junk)).toStrictEqual([])
  })
})

describe('generated code', () => {
  it('is up to date and deterministic: `npm run proto` into a temp folder gives the committed files', () => {
    const out = mkdtempSync(join(tmpdir(), 'yunhu-gen-'))
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts/gen-proto.mjs')], { cwd: ROOT, env: { ...process.env, GEN_PROTO_OUT: out }, stdio: 'pipe' })
      const committed = join(ROOT, 'src/core/protocols/yunhu/codec/generated')
      const files = readdirSync(committed).sort()
      expect(readdirSync(out).sort()).toEqual(files)
      expect(files).toEqual(['yunhu-meta.d.ts', 'yunhu-meta.js', 'yunhu.d.ts', 'yunhu.js'])
      for (const f of files) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(committed, f), 'utf8'))
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 60_000)

  it('does not parse .proto at runtime (the generated module imports only protobufjs/minimal)', () => {
    const js = readFileSync(join(ROOT, 'src/core/protocols/yunhu/codec/generated/yunhu.js'), 'utf8')
    expect(js.match(/^import .*$/gm)).toEqual(['import $protobuf from "protobufjs/minimal.js";'])
  })

  it('every body name has a generated type', () => {
    const T = yunhu as unknown as Record<string, unknown>
    for (const n of yunhuBodyNames) expect(typeof T[n], n).toBe('function')
  })
})

// Compile-time agreement between the shared decoded types and the generated schema: the keys of
// each shared interface are exactly the generated message's fields (checked by `tsc`).
type Keys<T> = Exclude<keyof T, '$unknowns'>
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const _keysAgree: [
  Same<Keys<yunhu.PushMessage.$Properties>, keyof S.YunhuPushMessage>,
  Same<Keys<yunhu.MsgContent.$Properties>, keyof S.YunhuMsgContent>,
  Same<Keys<yunhu.Sender.$Properties>, keyof S.YunhuSender>,
  Same<Keys<yunhu.Tag.$Properties>, keyof S.YunhuTag>,
  Same<Keys<yunhu.Cmd.$Properties>, keyof S.YunhuCmd>,
  Same<Keys<yunhu.StreamMessage.$Properties>, keyof S.YunhuStreamMessage>,
  Same<Keys<yunhu.BotBoardMessage.$Properties>, keyof S.YunhuBotBoardMessage>,
  Same<Keys<yunhu.MsgInput.$Properties>, keyof S.YunhuMsgInput>,
  Same<Keys<yunhu.LiveMessage.$Properties>, keyof S.YunhuLiveMessage>,
  Same<Keys<yunhu.WsWrapper.$Properties>, keyof S.YunhuWsWrapper>,
  Same<Keys<yunhu.BotData.$Properties>, keyof S.YunhuBotData>,
  Same<Keys<yunhu.Status.$Properties>, keyof S.YunhuStatus>,
  Same<Keys<yunhu.BotInfoRequest.$Properties>, keyof S.YunhuBotInfoRequest>,
  Same<Keys<yunhu.BoardRequest.$Properties>, keyof S.YunhuBoardRequest>,
  Same<Keys<yunhu.CreateBotRequest.$Properties>, keyof S.YunhuCreateBotRequest>,
  Same<Keys<yunhu.ConversationData.$Properties>, keyof S.YunhuConversation>,
  Same<Keys<yunhu.AtData.$Properties>, keyof S.YunhuAtData>,
  Same<Keys<yunhu.ConversationListResponse.$Properties>, keyof S.YunhuConversationListResponse>,
  Same<Keys<yunhu.SendMsgRequest.$Properties>, keyof S.YunhuSendMsgRequest>,
  Same<Keys<yunhu.ListMsgRequest.$Properties>, keyof S.YunhuListMsgRequest>,
  Same<Keys<yunhu.ListMsgBySeqRequest.$Properties>, keyof S.YunhuListMsgBySeqRequest>,
  Same<Keys<yunhu.ListMsgByMidSeqRequest.$Properties>, keyof S.YunhuListMsgByMidSeqRequest>,
  Same<Keys<yunhu.MsgData.$Properties>, keyof S.YunhuMsgData>,
  Same<Keys<yunhu.RecallMsg.$Properties>, keyof S.YunhuRecallMsg>,
  Same<Keys<yunhu.ButtonReportRequest.$Properties>, keyof S.YunhuButtonReportRequest>,
  Same<Keys<yunhu.UserInfoData.$Properties>, keyof S.YunhuUserInfoData>
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true]
void _keysAgree
