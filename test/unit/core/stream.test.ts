import { describe, expect, it } from 'vitest'
import { mapToolAction, ReplyAssembler, shortError } from '../../../src/core/protocols/mio/stream'
import type { Json } from '../../../src/core/protocols/mio/frames'

const upd = (data: Json, extra: Json = {}): Json => ({ request_id: 'r', protocol: 'openai', message: 'update', data, ...extra })
const msg = (message: string, data: Json = {}): Json => ({ request_id: 'r', protocol: 'openai', message, data })
const tool = (tc: Json): Json => upd({ chunk: '', tool_call: tc })

function run(frames: Json[]): ReplyAssembler {
  const a = new ReplyAssembler('r')
  for (const f of frames) a.apply(f)
  return a
}

describe('ReplyAssembler: text', () => {
  it('field chunks without index are appended in arrival order', () => {
    const a = new ReplyAssembler('r')
    expect(a.apply(msg('pending'))).toMatchObject({ changed: false })
    expect(a.reply.status).toBe('pending')
    const r = a.apply(upd({ chunk: 'Hello', tool_call: null }))
    expect(r).toEqual({ changed: true, textAppend: 'Hello', reasoningAppend: '', toolCallsChanged: false, textReplaced: false, ended: false })
    expect(a.reply.status).toBe('streaming')
    a.apply(upd({ chunk: ' from', tool_call: null }))
    a.apply(upd({ chunk: '', tool_call: null }))
    expect(a.apply(msg('completed'))).toMatchObject({ ended: true })
    expect(a.reply).toMatchObject({ status: 'completed', text: 'Hello from' })
    expect(a.done).toBe(true)
  })

  it('spec chunks with index, in order', () => {
    const a = run([
      { request_id: 'r', code: 0, message: 'pending' },
      { request_id: 'r', code: 0, message: 'update', data: { index: 0, chunk: 'a', tool_call: null } },
      { request_id: 'r', code: 0, message: 'update', data: { index: 1, chunk: 'b', tool_call: null } },
      { request_id: 'r', code: 0, message: 'completed' }
    ])
    expect(a.reply).toMatchObject({ status: 'completed', text: 'ab' })
  })

  it('chunks are appended in arrival order; a late lower index is put back in its place (text replaced)', () => {
    const a = new ReplyAssembler('r')
    expect(a.apply(upd({ index: 0, chunk: 'a' })).textAppend).toBe('a')
    expect(a.apply(upd({ index: 2, chunk: 'c' }))).toMatchObject({ textAppend: 'c', textReplaced: false })
    expect(a.reply.text).toBe('ac')
    const late = a.apply(upd({ index: 1, chunk: 'b' }))
    expect(late).toMatchObject({ changed: true, textAppend: '', textReplaced: true })
    expect(a.reply.text).toBe('abc')
    expect(a.apply(upd({ index: 3, chunk: 'd' }))).toMatchObject({ textAppend: 'd', textReplaced: false })
    expect(a.reply.text).toBe('abcd')
  })

  it('fully reversed indices end in index order', () => {
    const a = run([upd({ index: 2, chunk: 'c' }), upd({ index: 1, chunk: 'b' }), upd({ index: 0, chunk: 'a' })])
    expect(a.reply.text).toBe('abc')
  })

  it('duplicate indices are ignored (before and after a late insert)', () => {
    const a = run([upd({ index: 0, chunk: 'a' }), upd({ index: 0, chunk: 'a' }), upd({ index: 2, chunk: 'c' }), upd({ index: 2, chunk: 'X' }), upd({ index: 1, chunk: 'b' }), upd({ index: 1, chunk: 'Y' })])
    expect(a.reply.text).toBe('abc')
    const dup = new ReplyAssembler('r')
    dup.apply(upd({ index: 0, chunk: 'a' }))
    expect(dup.apply(upd({ index: 0, chunk: 'a' }))).toMatchObject({ changed: false, textAppend: '' })
  })

  it('a late indexed chunk goes right before the first higher index, unindexed chunks stay where they arrived', () => {
    const a = run([upd({ chunk: 'x' }), upd({ index: 1, chunk: 'b' }), upd({ chunk: 'y' }), upd({ index: 0, chunk: 'a' })])
    expect(a.reply.text).toBe('xaby')
  })

  it('an indexed update with an empty chunk (e.g. a tool-call update) still advances the order', () => {
    const a = new ReplyAssembler('r')
    a.apply(upd({ index: 0, chunk: 'a', tool_call: null }))
    a.apply(upd({ index: 1, chunk: '', tool_call: { name: 'search', action: 'started', params: '' } }))
    expect(a.apply(upd({ index: 2, chunk: 'b', tool_call: null })).textAppend).toBe('b')
    expect(a.reply.text).toBe('ab')
  })

  it('an empty-chunk update takes its index: a later frame with that index is a duplicate, not text for a gap', () => {
    const a = new ReplyAssembler('r')
    a.apply(upd({ index: 0, chunk: 'a', tool_call: null }))
    a.apply(upd({ index: 1, chunk: '', tool_call: { name: 'search', action: 'started', params: '' } }))
    a.apply(upd({ index: 2, chunk: 'b', tool_call: null }))
    expect(a.apply(upd({ index: 1, chunk: 'X', tool_call: null }))).toMatchObject({ changed: false, textReplaced: false })
    expect(a.reply.text).toBe('ab')
  })

  it('a late empty-chunk update fills its place in a gap without changing the text; the rest of the gap still takes text', () => {
    const a = new ReplyAssembler('r')
    a.apply(upd({ index: 0, chunk: 'a' }))
    a.apply(upd({ index: 4, chunk: 'e' }))
    const late = a.apply(upd({ index: 2, chunk: '', tool_call: { name: 'calc', action: 'started', params: '' } }))
    expect(late).toMatchObject({ textAppend: '', textReplaced: false, toolCallsChanged: true })
    expect(a.reply.text).toBe('ae')
    expect(a.apply(upd({ index: 3, chunk: 'd' }))).toMatchObject({ textReplaced: true })
    expect(a.apply(upd({ index: 1, chunk: 'b' }))).toMatchObject({ textReplaced: true })
    expect(a.apply(upd({ index: 2, chunk: 'Z' }))).toMatchObject({ changed: false })
    expect(a.reply.text).toBe('abde')
  })

  it('invalid indices are treated as absent', () => {
    const a = run([upd({ index: -1, chunk: 'a' }), upd({ index: 1.5, chunk: 'b' }), upd({ index: '0', chunk: 'c' })])
    expect(a.reply.text).toBe('abc')
  })

  it('reasoning_content goes to reasoning, not text', () => {
    const a = run([
      msg('pending'),
      upd({ chunk: '', tool_call: null, reasoning_content: 'Let me ' }),
      upd({ chunk: '', tool_call: null, reasoning_content: 'think...' }),
      upd({ chunk: 'Thought', tool_call: null }),
      upd({ chunk: ' done.', tool_call: null }),
      msg('completed')
    ])
    expect(a.reply).toMatchObject({ status: 'completed', text: 'Thought done.', reasoning: 'Let me think...' })
  })

  it('unknown messages and non-object data are ignored', () => {
    const a = run([msg('whatever'), { request_id: 'r', message: 'update', data: 'x' }, { request_id: 'r' }])
    expect(a.reply).toMatchObject({ status: 'pending', text: '' })
  })
})

describe('ReplyAssembler: tool calls', () => {
  const base = { name: 'executeCommand', id: 'call_stub_1', result: '' }
  it('keyed by id; pending fragments accumulate; running/finished carry the full params', () => {
    const a = new ReplyAssembler('r')
    const states: string[] = []
    const frames = [
      tool({ ...base, action: 'started', params: '' }),
      tool({ ...base, action: 'pending', params: '{"comm' }),
      tool({ ...base, action: 'pending', params: 'and": "ech' }),
      tool({ ...base, action: 'pending', params: 'o mio-tool-ok"}' })
    ]
    for (const f of frames) {
      expect(a.apply(f).toolCallsChanged).toBe(true)
      states.push(a.reply.toolCalls[0]!.state)
    }
    expect(a.reply.toolCalls[0]!.params).toBe('{"command": "echo mio-tool-ok"}')
    a.apply(tool({ ...base, action: 'running', params: '{"command": "echo mio-tool-ok"}' }))
    states.push(a.reply.toolCalls[0]!.state)
    a.apply(tool({ ...base, action: 'finished', params: '{"command": "echo mio-tool-ok"}', result: { error: null, result: { stdout: 'mio-tool-ok', stderr: '' } } }))
    states.push(a.reply.toolCalls[0]!.state)
    expect(states).toEqual(['started', 'pending', 'pending', 'pending', 'running', 'finished'])
    expect(a.reply.toolCalls).toEqual([
      { key: 'call_stub_1', id: 'call_stub_1', name: 'executeCommand', state: 'finished', params: '{"command": "echo mio-tool-ok"}', result: { stdout: 'mio-tool-ok', stderr: '' } }
    ])
    expect(a.reply.status).toBe('streaming')
  })

  it('running replaces accumulated params with the full arguments', () => {
    const a = run([tool({ ...base, action: 'pending', params: '{"a' }), tool({ ...base, action: 'running', params: '{"a": 1}' })])
    expect(a.reply.toolCalls[0]!.params).toBe('{"a": 1}')
  })

  it('keyed by name when there is no id (spec); two tools stay apart', () => {
    const a = run([
      tool({ name: 'search', action: 'started', params: '' }),
      tool({ name: 'clock', action: 'started', params: '' }),
      tool({ name: 'search', action: 'pending', params: '{"q":' }),
      tool({ name: 'search', action: 'pending', params: '"x"}' }),
      tool({ name: 'clock', action: 'finished', params: {}, result: 'noon' })
    ])
    expect(a.reply.toolCalls.map((t) => [t.key, t.id, t.state, t.params, t.result])).toEqual([
      ['search', undefined, 'pending', '{"q":"x"}', undefined],
      ['clock', undefined, 'finished', '{}', 'noon']
    ])
  })

  it('two calls of the same tool with different ids are two entries', () => {
    const a = run([tool({ name: 't', id: 'a', action: 'started' }), tool({ name: 't', id: 'b', action: 'started' })])
    expect(a.reply.toolCalls.map((t) => t.key)).toEqual(['a', 'b'])
  })

  it('finished with {error:{}} (a thrown error, message lost) → failed, with words', () => {
    const a = run([
      tool({ name: 'drawPainting', id: 'call_stub_2', action: 'started', params: '', result: '' }),
      tool({ name: 'drawPainting', id: 'call_stub_2', action: 'finished', params: '{"prompt":"a cat"}', result: { error: {} } })
    ])
    const t = a.reply.toolCalls[0]!
    expect(t.state).toBe('failed')
    expect(t.error).toMatch(/^The tool failed/)
    expect(t.params).toBe('{"prompt":"a cat"}')
  })

  it('finished with an error string or {message} keeps it', () => {
    const a = run([tool({ name: 'a', action: 'finished', result: { error: 'boom' } }), tool({ name: 'b', action: 'finished', result: { error: { message: 'bad' }, result: 1 } })])
    expect(a.reply.toolCalls.map((t) => [t.state, t.error])).toEqual([
      ['failed', 'boom'],
      ['failed', 'bad']
    ])
  })

  it('a tool result that is itself an error object is a failed call, its result kept (f2: not an admin)', () => {
    const a = run([tool({ ...base, action: 'finished', result: { error: null, result: { error: 'Only administrators can execute commands.' } } })])
    expect(a.reply.toolCalls[0]).toMatchObject({ state: 'failed', error: 'Only administrators can execute commands.', result: { error: 'Only administrators can execute commands.' } })
  })

  it('finished with a result that carries an error (f2: a plain user refused an admin-only tool) → failed with the error text', () => {
    const f2 = run([
      tool({ ...base, action: 'running', params: '{"command": "echo mio-tool-ok"}', result: '' }),
      tool({ ...base, action: 'finished', params: '{"command": "echo mio-tool-ok"}', result: { error: null, result: { error: 'Only administrators can execute commands.' } } })
    ])
    expect(f2.reply.toolCalls[0]).toMatchObject({ state: 'failed', error: 'Only administrators can execute commands.', result: { error: 'Only administrators can execute commands.' } })
    const cases: [unknown, string][] = [
      [{ error: 'Only administrators can execute commands.' }, 'Only administrators can execute commands.'], // a bare result object (spec)
      ['Error: permission denied', 'Error: permission denied'],
      ['Error executing tool: ENOENT\n    at x', 'Error executing tool: ENOENT'],
      [{ error: null, result: 'TypeError: x is not a function' }, 'TypeError: x is not a function'],
      [{ is_error: true, content: [{ type: 'text', text: 'no such file' }] }, 'no such file'],
      [{ isError: true, content: 'quota exceeded' }, 'quota exceeded'],
      [{ success: false, message: 'not allowed' }, 'not allowed'],
      [{ error: null, result: { success: false, error: 'rate limited' } }, 'rate limited'],
      [{ success: false }, 'The tool reported a failure'],
      [{ error: null, result: { error: { message: 'inner boom' } } }, 'inner boom']
    ]
    for (const [result, error] of cases) {
      const t = run([tool({ name: 'x', action: 'finished', result })]).reply.toolCalls[0]!
      expect([t.state, t.error], JSON.stringify(result)).toEqual(['failed', error])
    }
  })

  it('results that only look a little like errors stay finished (conservative)', () => {
    const fine: unknown[] = [
      { error: null, result: { stdout: 'mio-tool-ok', stderr: '' } },
      { error: null, result: { error: null, value: 1 } },
      { error: null, result: { error: '', value: 1 } },
      { error: null, result: { error: false } },
      { error: null, result: { success: true, error: null } },
      { error: null, result: 'No errors found' },
      { error: null, result: 'Errors: 0' },
      { error: null, result: 'the Error: word later on' },
      { error: null, result: { is_error: false, content: 'ok' } },
      { error: null, result: { result: { error: 'deeper levels are not read' } } },
      'a plain answer',
      42,
      null
    ]
    for (const result of fine) {
      const t = run([tool({ name: 'x', action: 'finished', result })]).reply.toolCalls[0]!
      expect([t.state, t.error], JSON.stringify(result)).toEqual(['finished', undefined])
    }
  })

  it('unknown actions and nameless calls are ignored; failed/error actions map to failed', () => {
    expect(run([tool({ name: 'x', action: 'exploded' })]).reply.toolCalls).toEqual([])
    expect(run([tool({ action: 'started' })]).reply.toolCalls).toEqual([])
    expect(run([tool({ name: 'x', action: 'error', error: 'nope' })]).reply.toolCalls[0]).toMatchObject({ state: 'failed', error: 'nope' })
    expect(['started', 'pending', 'running', 'finished', 'failed', 'error', 'x', 1].map(mapToolAction)).toEqual([
      'started',
      'pending',
      'running',
      'finished',
      'failed',
      'failed',
      undefined,
      undefined
    ])
  })
})

describe('ReplyAssembler: endings', () => {
  const stack =
    'Error: 404 The model `no-such-model` does not exist or you do not have access to it.\n    at APIError.generate (file:///srv/mio-chat-backend/node_modules/openai/error.mjs:50:20)'

  it('field failed: a short reason, the whole stack in errorDetail', () => {
    const a = run([msg('pending'), upd({ chunk: 'Hel' }), msg('failed', { error: stack })])
    expect(a.reply).toMatchObject({
      status: 'failed',
      text: 'Hel',
      error: '404 The model `no-such-model` does not exist or you do not have access to it.',
      errorDetail: stack
    })
  })

  it('spec failed: data.reason', () => {
    const a = run([{ request_id: 'r', code: 0, message: 'failed', data: { reason: 'invalid model' } }])
    expect(a.reply).toMatchObject({ status: 'failed', error: 'invalid model' })
    expect(a.reply.errorDetail).toBeUndefined()
  })

  it('failed with an empty error object or nothing still has words', () => {
    expect(run([msg('failed', { error: {} })]).reply.error).toBe('The server reported an error without details')
    expect(run([msg('failed')]).reply.error).toBe('The reply failed')
  })

  it('a non-zero code fails the reply', () => {
    expect(run([{ request_id: 'r', code: 3, message: 'update', data: { chunk: 'x' } }]).reply).toMatchObject({ status: 'failed', error: 'The server refused the request (code 3)' })
    expect(run([{ request_id: 'r', code: { toString: 1 }, message: 'x' }]).reply.status).toBe('failed')
  })

  it('completed after failed does not revive the reply (g4)', () => {
    const a = run([msg('pending'), msg('failed', { error: 'Error: 400 stub: rejected follow-up request after tool result\n    at x' })])
    expect(a.apply(msg('completed'))).toEqual({ changed: false, textAppend: '', reasoningAppend: '', toolCallsChanged: false, ended: false })
    expect(a.apply(upd({ chunk: 'late' })).changed).toBe(false)
    expect(a.reply).toMatchObject({ status: 'failed', error: '400 stub: rejected follow-up request after tool result', text: '' })
  })

  it('interrupt keeps the partial text', () => {
    const a = run([upd({ index: 0, chunk: 'Hello' }), upd({ index: 2, chunk: ' the' })])
    const r = a.interrupt()
    expect(r).toMatchObject({ ended: true, textAppend: '' })
    expect(a.reply).toMatchObject({ status: 'interrupted', text: 'Hello the', error: 'The connection was lost before the reply finished' })
    expect(a.interrupt('again').changed).toBe(false)
    expect(a.apply(msg('completed')).changed).toBe(false)
    expect(a.reply.status).toBe('interrupted')
  })

  it('abort stops the reply and ignores what follows', () => {
    const a = run([upd({ chunk: 'Hi' })])
    expect(a.abort()).toMatchObject({ ended: true })
    expect(a.reply).toMatchObject({ status: 'aborted', text: 'Hi', error: 'Stopped' })
    expect(a.abort().changed).toBe(false)
    expect(a.apply(upd({ chunk: 'more' })).changed).toBe(false)
    expect(a.reply.text).toBe('Hi')
  })

  it('shortError strips the error class and the stack', () => {
    expect(shortError('TypeError: x is undefined\n  at y')).toBe('x is undefined')
    expect(shortError('Error: Premature close\n    at IncomingMessage')).toBe('Premature close')
    expect(shortError('')).toBe('The reply failed')
  })
})

describe('ReplyAssembler with a choice-style index', () => {
  it('keeps every chunk when the server sends index 0 on each update (OpenAI choice index)', () => {
    const a = new ReplyAssembler('c')
    a.apply({ request_id: 'c', code: 0, message: 'pending' })
    for (const chunk of ['Hel', 'lo, ', 'world']) a.apply({ request_id: 'c', code: 0, message: 'update', data: { index: 0, chunk, tool_call: null } })
    a.apply({ request_id: 'c', code: 0, message: 'completed' })
    expect(a.reply.text).toBe('Hello, world')
    expect(a.reply.status).toBe('completed')
  })
})

describe('ReplyAssembler: a repeated first chunk after reasoning', () => {
  it('drops an exact duplicate of index 0 even when the reply was already streaming', () => {
    const a = new ReplyAssembler('d')
    a.apply({ request_id: 'd', code: 0, message: 'update', data: { reasoning_content: 'think' } })
    a.apply({ request_id: 'd', code: 0, message: 'update', data: { index: 0, chunk: 'a' } })
    a.apply({ request_id: 'd', code: 0, message: 'update', data: { index: 0, chunk: 'a' } })
    a.apply({ request_id: 'd', code: 0, message: 'update', data: { index: 1, chunk: 'b' } })
    expect(a.reply.text).toBe('ab')
  })
})

describe('ReplyAssembler: the last tool call after a snapshot', () => {
  it('a snapshot that puts the calls in another order: the next fragment still goes to its own call', () => {
    const a = new ReplyAssembler('r')
    a.apply(upd({ chunk: 'x' }))
    a.apply(tool({ id: 'c1', name: 'calc', action: 'pending', params: '{"a":' }))
    const snap = { ...a.reply, toolCalls: [{ key: 'c2', id: 'c2', name: 'bash', state: 'running' as const, params: '{}' }, { ...a.reply.toolCalls[0]! }] }
    a.restore(snap)
    a.apply(tool({ id: 'c1', name: 'calc', action: 'pending', params: '1}' }))
    expect(a.reply.toolCalls.map((t) => [t.key, t.params])).toEqual([['c2', '{}'], ['c1', '{"a":1}']])
  })
})
