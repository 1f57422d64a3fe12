import { describe, expect, it } from 'vitest'
import {
  adaptSegmentsForDialect,
  classify,
  completionFrame,
  decodeFrame,
  deleteMessageFrame,
  fieldUnsafeReason,
  firstLine,
  forwardFrame,
  heartbeatFrame,
  loginFrame,
  MAX_FRAME_CHARS,
  modelsFrame,
  newRequestId,
  parseLoginData,
  parseModels,
  parseSegments,
  replyError,
  sendMessageFrame
} from '../../../src/core/protocols/mio/frames'
import type { Segment } from '../../../src/shared/mio'

const TEXT: Segment = { type: 'text', data: { text: 'Hello, world!' } }
const IMG_SPEC: Segment = { type: 'image', data: { image: 'https://example.com/image.jpg' } }
const IMG_FIELD: Segment = { type: 'image', data: { file: 'http://127.0.0.1/f/up/image/2cd8bd.png' } }
const ODD: Segment = { type: 'mface', data: { emoji_id: 'x', nested: { deep: [1, 2, { a: null }] } } }

describe('request builders', () => {
  it('login and heartbeat', () => {
    expect(loginFrame('r1', '15432', 'code')).toEqual({
      protocol: 'system',
      type: 'login',
      request_id: 'r1',
      data: { 'mio-chat-id': '15432', 'mio-chat-token': 'code' }
    })
    expect(heartbeatFrame('r2', 1795304349079)).toEqual({ protocol: 'system', type: 'heartbeat', request_id: 'r2', data: { timestamp: 1795304349079 } })
  })

  it('spec send: {request_id, protocol:"onebot", type:"message", data:{id, type:"message", data:{message, message_id}}}', () => {
    expect(sendMessageFrame('spec', 1234567890, '1234567890', [TEXT, IMG_SPEC], 1234567890)).toEqual({
      request_id: 1234567890,
      protocol: 'onebot',
      type: 'message',
      data: {
        id: '1234567890',
        type: 'message',
        data: { message: [TEXT, IMG_SPEC], message_id: 1234567890 }
      }
    })
    // no message_id given: the key is left out
    const f = sendMessageFrame('spec', 'r', 'c', [TEXT]) as { data: { data: Record<string, unknown> } }
    expect(Object.keys(f.data.data)).toEqual(['message'])
  })

  it('field send: {request_id, protocol:"onebot", type:"message", id, data:[segments]} (the recorded shape)', () => {
    const f = sendMessageFrame('field', 'mwr1vwg71vviw', '154321234', [{ type: 'text', data: { text: 'hello onebot from user' } }, IMG_FIELD], 99)
    expect(f).toEqual({
      request_id: 'mwr1vwg71vviw',
      protocol: 'onebot',
      type: 'message',
      id: '154321234',
      data: [{ type: 'text', data: { text: 'hello onebot from user' } }, IMG_FIELD]
    })
    expect(fieldUnsafeReason(f)).toBeUndefined()
  })

  it('image: data.image → data.file for field, data.file → data.image for spec, existing names kept', () => {
    expect(adaptSegmentsForDialect([IMG_SPEC], 'field')).toEqual([{ type: 'image', data: { image: IMG_SPEC.data.image, file: IMG_SPEC.data.image } }])
    expect(adaptSegmentsForDialect([IMG_FIELD], 'spec')).toEqual([{ type: 'image', data: { file: IMG_FIELD.data.file, image: IMG_FIELD.data.file } }])
    expect(adaptSegmentsForDialect([IMG_FIELD], 'field')).toEqual([IMG_FIELD])
    const both: Segment = { type: 'image', data: { file: 'a', image: 'b' } }
    expect(adaptSegmentsForDialect([both], 'field')).toEqual([both])
    expect(adaptSegmentsForDialect([both], 'spec')).toEqual([both])
    // the caller's segments are not mutated
    const mine: Segment = { type: 'image', data: { image: 'x' } }
    adaptSegmentsForDialect([mine], 'field')
    expect(mine).toEqual({ type: 'image', data: { image: 'x' } })
  })

  it('unknown segment types are kept intact in both dialects', () => {
    for (const d of ['spec', 'field'] as const) {
      const [s] = adaptSegmentsForDialect([ODD], d)
      expect(s).toEqual(ODD)
    }
    const f = sendMessageFrame('field', 'r', 'c', [ODD, TEXT]) as { data: Segment[] }
    expect(f.data).toEqual([ODD, TEXT])
  })

  it('spec-only frames: delete, forward, models', () => {
    expect(deleteMessageFrame('r', '1234567890', '1234567890')).toEqual({
      request_id: 'r',
      protocol: 'onebot',
      type: 'del_message',
      data: { id: '1234567890', type: 'message', content: { message_id: '1234567890' } }
    })
    expect(forwardFrame('r', 'c', [{ message_id: 1, message: [IMG_FIELD] }])).toEqual({
      request_id: 'r',
      protocol: 'onebot',
      type: 'forward_msg',
      data: { id: 'c', type: 'forward_msg', content: [{ message_id: 1, message: [{ type: 'image', data: { file: IMG_FIELD.data.file, image: IMG_FIELD.data.file } }] }] }
    })
    expect(modelsFrame(7)).toEqual({ protocol: 'openai', type: 'models', request_id: 7, data: {} })
    // every spec-only frame is refused by the field gate
    expect(fieldUnsafeReason(deleteMessageFrame('r', 'c', 1))).toBeDefined()
    expect(fieldUnsafeReason(forwardFrame('r', 'c', []))).toBeDefined()
    expect(fieldUnsafeReason(modelsFrame('r'))).toBeDefined()
  })

  it('completion frame', () => {
    const data = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }], stream: true, tools: [] }
    expect(completionFrame('r', data)).toEqual({ protocol: 'openai', type: 'completions', request_id: 'r', data })
  })

  it('newRequestId gives unique short strings', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => newRequestId()))
    expect(ids.size).toBe(5000)
    for (const id of [...ids].slice(0, 50)) expect(id).toMatch(/^[0-9a-z]{8,20}$/)
  })
})

describe('fieldUnsafeReason flags exactly the three crash shapes', () => {
  it('1: onebot with a non-array data (the spec message shape, recorded in k2)', () => {
    const k2 = {
      request_id: 1234567890,
      protocol: 'onebot',
      data: { id: '154321234', type: 'message', data: { message: [TEXT, IMG_SPEC], message_id: 1234567890 } }
    }
    expect(fieldUnsafeReason(k2)).toBe('onebot frame whose data is not an array')
    expect(fieldUnsafeReason(sendMessageFrame('spec', 'r', 'c', [TEXT]))).toBe('onebot frame whose data is not an array')
    for (const data of [undefined, null, 'x', 5, {}]) expect(fieldUnsafeReason({ protocol: 'onebot', type: 'message', data })).toBeDefined()
  })

  it('2: openai without data.messages (recorded in k3)', () => {
    expect(fieldUnsafeReason({ request_id: 'mwr2aymhpspa6', protocol: 'openai', type: 'completions', data: { model: 'gpt-4o-mini' } })).toBe(
      'openai frame without data.messages'
    )
    for (const data of [undefined, null, [], 'x', { messages: 'hi' }, { messages: null }]) {
      expect(fieldUnsafeReason({ protocol: 'openai', type: 'completions', data })).toBe('openai frame without data.messages')
    }
  })

  it('3: openai type "models" (recorded in k4), even with messages', () => {
    expect(fieldUnsafeReason({ request_id: 'mwr2b5os1vdqz', protocol: 'openai', type: 'models', data: {} })).toBe('openai models request')
    expect(fieldUnsafeReason({ protocol: 'openai', type: 'models', data: { messages: [] } })).toBe('openai models request')
  })

  it('also refuses an empty message list (the real server reads its last element)', () => {
    expect(fieldUnsafeReason(completionFrame('r', { model: 'm', messages: [] }))).toBe('openai frame with an empty message list')
  })

  it('everything else passes: the frames the real client sends and the malformed ones the server drops', () => {
    const safe: Record<string, unknown>[] = [
      loginFrame('r', 'a', 'b'),
      heartbeatFrame('r'),
      { request_id: 'r', protocol: 'system', type: 'heartbeat', data: {} },
      { protocol: 'system', type: 'heartbeat' },
      { request_id: 'r', protocol: 'foo', type: 'bar', data: {} },
      { request_id: 'r', type: 'heartbeat', data: {} },
      { request_id: 'r', protocol: 'system', type: 'nope', data: {} },
      { request_id: 'r', protocol: 'onebot', type: 'message', id: '1', data: [] },
      { request_id: 'r', protocol: 'onebot', type: 'del_message', id: '1', data: [] },
      { request_id: 'r', protocol: 'onebot', type: 'message', data: [TEXT] },
      sendMessageFrame('field', 'r', 'c', [TEXT, IMG_SPEC]),
      completionFrame('r', { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true, tools: ['clock'] }),
      {}
    ]
    for (const f of safe) expect(fieldUnsafeReason(f), JSON.stringify(f)).toBeUndefined()
  })
})

describe('decodeFrame / classify', () => {
  it('field login push (no code) → login-push with models and default model', () => {
    const raw =
      '{"request_id":5304305867,"protocol":"system","type":"login","data":{"is_admin":false,"admin_qq":"10000001","bot_qq":"20000001","default_model":"gpt-4o-mini","models":[{"owner":"OpenAI","models":["gpt-4o-mini"]},{"owner":"DeepSeek","models":["deepseek-chat"]}]}}'
    expect(decodeFrame(raw)).toEqual({
      kind: 'login-push',
      requestId: 5304305867,
      login: {
        isAdmin: false,
        adminQq: '10000001',
        botQq: '20000001',
        defaultModel: 'gpt-4o-mini',
        models: [
          { owner: 'OpenAI', models: ['gpt-4o-mini'] },
          { owner: 'DeepSeek', models: ['deepseek-chat'] }
        ]
      }
    })
  })

  it('a spec login reply (with code) is a response, not a push', () => {
    const f = { request_id: 'r1', code: 0, message: 'success', data: { is_admin: true, admin_qq: '1', bot_qq: '2' } }
    expect(classify(f)).toEqual({ kind: 'response', requestId: 'r1', frame: f })
    const fail = { request_id: 'r1', code: 1, message: 'failed', data: { reason: 'invalid code' } }
    expect(classify(fail)).toEqual({ kind: 'response', requestId: 'r1', frame: fail })
    expect(replyError(fail)).toBe('invalid code')
  })

  it('incoming onebot message push → onebot-message with string ids; nested nodes and unknown segments kept', () => {
    const nodes = { type: 'nodes', data: { messages: [[TEXT], [TEXT, { type: 'image', data: { file: 'base64://AAA' } }]] } }
    const f = { request_id: 5304410868, protocol: 'onebot', data: { id: 154321234, type: 'message', content: { message: [nodes, ODD], message_id: 3044108670118 } } }
    const d = classify(f)
    expect(d).toEqual({ kind: 'onebot-message', contactId: '154321234', messageId: '3044108670118', segments: [nodes, ODD], raw: f })
  })

  it('segments that are not {type:string} are skipped, a missing data becomes {}', () => {
    expect(parseSegments([TEXT, null, 5, { type: 3 }, { type: 'face' }, [TEXT]])).toEqual([TEXT, { type: 'face', data: {} }])
    expect(parseSegments('no')).toBeUndefined()
  })

  it('deletion push (field del_msg and spec del_message) → onebot-delete', () => {
    expect(decodeFrame('{"request_id":5304408740,"protocol":"onebot","data":{"type":"del_msg","content":{"message_id":3044082350805}}}')).toEqual({
      kind: 'onebot-delete',
      messageId: '3044082350805'
    })
    expect(classify({ protocol: 'onebot', type: 'del_message', data: { content: { message_id: 'abc' } } })).toEqual({ kind: 'onebot-delete', messageId: 'abc' })
    expect(classify({ protocol: 'onebot', data: { type: 'del_msg', content: {} } })).toMatchObject({ kind: 'bad' })
  })

  it('bad pushes: message without segment list or message_id', () => {
    expect(classify({ protocol: 'onebot', data: { type: 'message', content: { message: 'x', message_id: 1 } } })).toMatchObject({ kind: 'bad' })
    expect(classify({ protocol: 'onebot', data: { type: 'message', content: { message: [] } } })).toMatchObject({ kind: 'bad' })
  })

  it('replies of every kind are responses keyed by the exact request_id', () => {
    const hb = { request_id: 'mwr1utg7kdfgr', protocol: 'system', type: 'heartbeat', data: { revTime: 1, delay: 1 } }
    expect(classify(hb)).toEqual({ kind: 'response', requestId: 'mwr1utg7kdfgr', frame: hb })
    const ack = { request_id: 'x', code: 0, message: 'ok', data: { message_id: 5304399624 } }
    expect(classify(ack)).toMatchObject({ kind: 'response', requestId: 'x' })
    const upd = { request_id: 'y', protocol: 'openai', message: 'update', data: { chunk: 'Hi', tool_call: null } }
    expect(classify(upd)).toMatchObject({ kind: 'response', requestId: 'y' })
    expect(classify({ request_id: 0, message: 'x' })).toMatchObject({ kind: 'response', requestId: 0 })
    expect(classify({ request_id: 5, code: 0 })).toMatchObject({ requestId: 5 })
    expect(classify({ request_id: '5', code: 0 })).toMatchObject({ requestId: '5' })
  })

  it('everything else is bad, never a throw', () => {
    expect(decodeFrame('this is not json')).toEqual({ kind: 'bad', reason: 'frame is not JSON' })
    expect(decodeFrame('[1,2,3]')).toEqual({ kind: 'bad', reason: 'frame is not a JSON object' })
    expect(decodeFrame('"just a string"')).toEqual({ kind: 'bad', reason: 'frame is not a JSON object' })
    expect(decodeFrame('null')).toMatchObject({ kind: 'bad' })
    expect(decodeFrame('')).toMatchObject({ kind: 'bad' })
    expect(decodeFrame('{"protocol":"foo","type":"bar"}')).toMatchObject({ kind: 'bad', reason: expect.stringContaining('unknown frame') })
    expect(decodeFrame('{"request_id":"","protocol":"x"}')).toMatchObject({ kind: 'bad' })
    expect(decodeFrame(`{"request_id":"${'a'.repeat(300)}"}`)).toMatchObject({ kind: 'bad' })
    expect(decodeFrame('{"request_id":1e400}')).toMatchObject({ kind: 'bad' })
    expect(decodeFrame(' '.repeat(MAX_FRAME_CHARS + 1))).toMatchObject({ kind: 'bad', reason: expect.stringContaining('over the limit') })
    expect(decodeFrame('{"protocol":"system","type":"login"}')).toMatchObject({ kind: 'bad' })
  })

  it('our own login request echoed back is not a field login push (it carries no login data)', () => {
    const echoed = JSON.stringify(loginFrame('r1', '15432', 'code'))
    expect(decodeFrame(echoed)).toMatchObject({ kind: 'response', requestId: 'r1' })
    expect(decodeFrame('{"protocol":"system","type":"login","data":{}}')).toMatchObject({ kind: 'bad' })
    expect(decodeFrame('{"protocol":"system","type":"login","data":{"bot_qq":"2"}}')).toMatchObject({ kind: 'login-push' })
  })

  it('hostile values never make the decoder throw (objects that cannot be turned into strings, deep nesting)', () => {
    const evil = ['{"toString":1,"valueOf":2}', '{"toString":{},"valueOf":{}}']
    for (const e of evil) {
      expect(() => decodeFrame(`{"protocol":"system","type":"login","data":{"is_admin":true,"admin_qq":${e},"bot_qq":${e}}}`)).not.toThrow()
      expect(() => decodeFrame(`{"protocol":${e},"type":${e}}`)).not.toThrow()
      expect(() => replyError({ request_id: 'r', code: JSON.parse(e) })).not.toThrow()
    }
    const deep = '['.repeat(200_000) + ']'.repeat(200_000)
    expect(() => decodeFrame(`{"protocol":${deep}}`)).not.toThrow()
    expect(decodeFrame(`{"protocol":${deep}}`)).toMatchObject({ kind: 'bad' })
    const login = decodeFrame('{"protocol":"system","type":"login","data":{"is_admin":1,"admin_qq":{"toString":1},"bot_qq":20000001}}')
    expect(login).toMatchObject({ kind: 'login-push', login: { isAdmin: true, adminQq: '', botQq: '20000001' } })
  })
})

describe('login data and models', () => {
  it('parses groups, loose names and {id} objects', () => {
    expect(parseModels([{ owner: 'OpenAI', models: ['a', 3, 'b'] }, 'loose', { id: 'x' }, null, { models: ['c'] }])).toEqual([
      { owner: 'OpenAI', models: ['a', 'b'] },
      { owner: 'Models', models: ['c'] },
      { owner: 'Models', models: ['loose', 'x'] }
    ])
    expect(parseModels({})).toBeUndefined()
  })

  it('admin flags and numbers', () => {
    expect(parseLoginData({ is_admin: 'true', admin_qq: 1, bot_qq: null })).toEqual({ isAdmin: true, adminQq: '1', botQq: '' })
    expect(parseLoginData({})).toEqual({ isAdmin: false, adminQq: '', botQq: '' })
  })
})

describe('replyError / firstLine', () => {
  it('ok replies have no error; failures give the reason or a sentence', () => {
    expect(replyError({ code: 0 })).toBeUndefined()
    expect(replyError({ code: '0' })).toBeUndefined()
    expect(replyError({ protocol: 'system' })).toBeUndefined()
    expect(replyError({ code: 1, message: 'failed', data: { error: 'Error: boom\n    at x' } })).toBe('Error: boom')
    expect(replyError({ code: 2, message: 'nope' })).toBe('The server answered "nope" (code 2)')
  })
  it('firstLine trims and caps', () => {
    expect(firstLine('  a  \nb')).toBe('a')
    expect(firstLine('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`)
  })
})
