// Every fixture in test/fixtures/yunhu-fixtures decodes to its .json (or is rejected as its
// `expect` says), and re-encoding what was decoded gives the same bytes / the same object.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  CodecError,
  decodeWsFrame,
  decodeWsPayload,
  decodeWsWrapper,
  decodeYunhuBody,
  encodeWsFrame,
  encodeYunhuBody
} from '../../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuBodyName } from '../../../src/shared/yunhu'
import { binNamesOnDisk, checkPlain, eventToFixtureForm, loadFixtures, loadIndex } from './yunhu-helpers'

const fixtures = loadFixtures()
const ws = fixtures.filter((f) => f.kind === 'WsWrapper')
const http = fixtures.filter((f) => f.kind !== 'WsWrapper')

function decodeError(fn: () => unknown): CodecError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError)
    return e as CodecError
  }
  throw new Error('expected a CodecError, but decoding succeeded')
}

describe('yunhu fixtures: inventory', () => {
  it('INDEX.json lists exactly the .bin files on disk (43 bot/push fixtures + 54 chat-client c_* fixtures)', () => {
    const names = loadIndex().map((e) => e.name).sort()
    expect(names).toEqual(binNamesOnDisk())
    expect(names.filter((n) => !n.startsWith('c_')).length).toBe(43)
    expect(names.filter((n) => n.startsWith('c_')).length).toBe(54)
  })

  it.each(fixtures.map((f) => [f.name, f] as const))('%s: byte_length and sha256 match the .bin', (_n, f) => {
    expect(f.bin.length).toBe(f.json.byte_length)
    expect(createHash('sha256').update(f.bin).digest('hex')).toBe(f.json.sha256)
  })

  it('covers every expectation the README defines that the set uses', () => {
    expect(new Set(fixtures.map((f) => f.expect))).toEqual(new Set(['ok', 'ignore', 'decode_error']))
  })
})

describe('yunhu fixtures: WebSocket frames', () => {
  it.each(ws.map((f) => [f.name, f] as const))('%s', (_n, f) => {
    switch (f.expect) {
      case 'ok': {
        const ev = decodeWsFrame(f.bin)
        expect(ev.kind).not.toBe('unknown')
        expect(eventToFixtureForm(ev)).toStrictEqual(f.expected)
        // the raw envelope + payload-by-cmd path agrees
        const w = decodeWsWrapper(f.bin)
        expect(w.info).toStrictEqual(f.expected.info)
        if (f.payload_kind) {
          expect(checkPlain(f.payload_kind, (ev as { message: unknown }).message)).toBe('')
          expect(decodeWsPayload(f.expected.info.cmd, w.data!.value!)).toStrictEqual(f.expected.data.value)
          expect(decodeYunhuBody(f.payload_kind as YunhuBodyName, w.data!.value!)).toStrictEqual(f.expected.data.value)
        } else {
          expect(w.data).toBeUndefined()
        }
        break
      }
      case 'ignore': {
        const ev = decodeWsFrame(f.bin)
        expect(ev.kind).toBe('unknown')
        expect(eventToFixtureForm(ev)).toStrictEqual(f.expected)
        break
      }
      case 'decode_error': {
        const e1 = decodeError(() => decodeWsFrame(f.bin))
        expect(e1.part).toBe('envelope')
        expect(['truncated', 'invalid']).toContain(e1.code)
        expect(e1.message).toMatch(/cannot decode WsWrapper/)
        decodeError(() => decodeWsWrapper(f.bin))
        break
      }
      default:
        throw new Error(`unhandled expect ${f.expect}`)
    }
  })

  it('the truncated frame is reported as truncated', () => {
    const f = ws.find((x) => x.name === 'malformed_truncated_ws_frame')!
    expect(decodeError(() => decodeWsFrame(f.bin)).code).toBe('truncated')
  })

  it('stream set A: push text + stream chunks = accumulated_text', () => {
    const parts = ['ws_stream_a1_push', 'ws_stream_a2', 'ws_stream_a3'].map((n) => decodeWsFrame(ws.find((f) => f.name === n)!.bin))
    const [first, ...chunks] = parts
    expect(first.kind).toBe('push_message')
    let text = first.kind === 'push_message' ? (first.message.content?.text ?? '') : ''
    for (const c of chunks) {
      expect(c.kind).toBe('stream_message')
      if (c.kind === 'stream_message') {
        expect(c.message.msg_id).toBe(first.kind === 'push_message' ? first.message.msg_id : '?')
        text += c.message.content ?? ''
      }
    }
    expect(text).toBe(ws.find((f) => f.name === 'ws_stream_a3')!.json.extra.accumulated_text)
  })

  it('kinds: recalls are "recall", edits "edit_message", boards, drafts and acks by cmd', () => {
    const kind = (n: string) => decodeWsFrame(ws.find((f) => f.name === n)!.bin).kind
    expect(kind('ws_push_recalled_group')).toBe('recall')
    expect(kind('ws_push_recalled_bot')).toBe('recall')
    expect(kind('ws_push_text_group_en')).toBe('push_message')
    expect(kind('ws_edit_text_private')).toBe('edit_message')
    expect(kind('ws_bot_board_group')).toBe('bot_board_message')
    expect(kind('ws_draft_input_group')).toBe('draft_input')
    expect(kind('ws_heartbeat_ack_02')).toBe('heartbeat_ack')
  })
})

describe('yunhu fixtures: HTTP bodies', () => {
  it.each(http.map((f) => [f.name, f] as const))('%s', (_n, f) => {
    if (f.expect === 'decode_error') {
      // a truncated body fails as a whole: never a partial list
      expect(decodeError(() => decodeYunhuBody(f.kind as YunhuBodyName, f.bin)).code).toBe('truncated')
      return
    }
    expect(f.expect).toBe('ok')
    const got = decodeYunhuBody(f.kind as YunhuBodyName, f.bin)
    expect(got).toStrictEqual(f.expected)
    expect(checkPlain(f.kind, got)).toBe('')
  })
})

describe('yunhu fixtures: round trip', () => {
  const okWs = ws.filter((f) => f.expect !== 'decode_error')
  it.each(okWs.map((f) => [f.name, f] as const))('WS %s: encodeWsFrame(decode(x)) decodes back the same', (_n, f) => {
    const ev = decodeWsFrame(f.bin)
    const again = encodeWsFrame(ev)
    expect(decodeWsFrame(again)).toStrictEqual(ev)
    // canonical encoders write fields in number order without defaults: same bytes, except where
    // the fixture carries unknown fields (dropped) or no info at all
    if (f.name !== 'malformed_push_unknown_fields') expect(Buffer.from(again).toString('hex')).toBe(Buffer.from(f.bin).toString('hex'))
    else expect(again.length).toBeLessThan(f.bin.length)
  })

  it.each(http.filter((f) => f.expect === 'ok').map((f) => [f.name, f] as const))('HTTP %s: encode(decode(x)) gives the same bytes', (_n, f) => {
    const name = f.kind as YunhuBodyName
    const decoded = decodeYunhuBody(name, f.bin)
    const again = encodeYunhuBody(name, decoded)
    expect(Buffer.from(again).toString('hex')).toBe(Buffer.from(f.bin).toString('hex'))
    expect(decodeYunhuBody(name, again)).toStrictEqual(decoded)
  })

  it('encoding the fixture JSON itself (not our decode) reproduces the WS payload bytes', () => {
    for (const f of ws.filter((x) => x.expect === 'ok' && x.payload_kind && x.name !== 'malformed_push_unknown_fields')) {
      const bytes = encodeYunhuBody(f.payload_kind as YunhuBodyName, f.expected.data.value)
      expect(Buffer.from(bytes).toString('hex'), f.name).toBe(Buffer.from(decodeWsWrapper(f.bin).data!.value!).toString('hex'))
    }
  })
})
