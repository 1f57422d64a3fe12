/**
 * The v2 chunk mapper: every recorded reply of the Socket.IO server, fed frame by frame (at its
 * recorded time) into the shared ReplyAssembler, ends in the AiReply the recording implies. The
 * recording client's answers to questions (`tool:interact`) are applied where it sent them.
 */
import { describe, expect, it } from 'vitest'
import { ReplyAssembler } from '../../../src/core/protocols/mio/stream'
import { applyV2Frame, v2ChunkDelta, v2Failure, v2SnapshotReply } from '../../../src/core/protocols/mio/v2/chunks'
import { isObject, type Json } from '../../../src/core/protocols/mio/frames'
import type { AiReply, ToolCall, ToolCallState } from '../../../src/shared/mio'
import { loadV2Transcript, replyFrames } from '../../helpers/v2-transcripts'

interface Run {
  a: ReplyAssembler
  reply: AiReply
  toolStates: ToolCallState[]
  approvals: (AiReply['approval'] | undefined)[]
}

/** Feeds every frame of reply `requestId` (all conns, recorded order and times) into one assembler. */
function run(name: string, requestId: string): Run {
  const t = loadV2Transcript(name)
  const a = new ReplyAssembler(requestId)
  const toolStates: ToolCallState[] = []
  const approvals: (AiReply['approval'] | undefined)[] = []
  for (const e of t.entries) {
    if (e.dir === 'recv' && e.event === 'message' && isObject(e.frame) && e.frame.protocol === 'llm' && e.frame.request_id === requestId) {
      const ch = applyV2Frame(a, e.frame, e.t_ms)
      if (ch.toolCallsChanged && a.reply.toolCalls.length) toolStates.push(a.reply.toolCalls.at(-1)!.state)
      if (ch.approvalChanged) approvals.push(a.reply.approval && { ...a.reply.approval })
    }
    if (e.dir === 'send' && e.event === 'tool:interact' && Array.isArray(e.args) && isObject(e.args[0]) && e.args[0].requestId === requestId) {
      const arg = e.args[0]
      const p = isObject(arg.payload) ? arg.payload : {}
      const ch = a.answerApproval(String(arg.interactionId), p.approved === true)
      if (ch.approvalChanged) approvals.push(a.reply.approval && { ...a.reply.approval })
    }
  }
  return { a, reply: a.reply, toolStates, approvals }
}

const TOOL_TEXT = (result: unknown): string => `The tool returned: ${typeof result === 'string' ? result : JSON.stringify(result)}`

function finishedResult(name: string, requestId: string, callId = 'call_stub_1'): unknown {
  const f = replyFrames(loadV2Transcript(name), requestId).find(
    (x) => isObject(x.data) && x.data.type === 'toolCall' && isObject(x.data.content) && x.data.content.action === 'finished' && x.data.content.id === callId
  )!
  return ((f.data as Json).content as Json).result
}

const BASH = { key: 'call_stub_1', id: 'call_stub_1', name: 'bash_mid_3fcaad', params: '{"command": "echo mio-tool-ok"}', displayName: 'echo mio-tool-ok' }
const APPROVAL = (interactionId: string, state: 'waiting' | 'approved' | 'denied' = 'waiting') => ({
  interactionId,
  prompt: '是否授权 LLM 执行命令：',
  command: 'echo mio-tool-ok',
  state,
  // The question is about the call running when it came, named without the server's definition hash.
  tool: 'bash'
})

describe('v2 chunk mapper: text and reasoning (e1, e2, e3)', () => {
  it('e1: five content chunks → the text, completed', () => {
    const { reply } = run('v2-e1_stream_text', 'mmx8f9ds97')
    expect(reply).toEqual({ requestId: 'mmx8f9ds97', status: 'completed', text: 'Hello from the stub.', reasoning: '', toolCalls: [] })
  })

  it('e2: reasoning kept apart, with its server start time and its duration (first text − first reasoning piece)', () => {
    const { reply } = run('v2-e2_stream_reasoning', 'mmx8f9jrz8')
    expect(reply).toEqual({
      requestId: 'mmx8f9jrz8',
      status: 'completed',
      text: 'Thought done.',
      reasoning: 'Let me think...',
      toolCalls: [],
      reasoningStartedAt: 1796354796435,
      reasoningMs: 80 // 147.6 − 67.5 ms, as recorded
    })
  })

  it('e3: stream:false — no pending, the whole text in one update', () => {
    expect(run('v2-e3_nonstream', 'mmx8f9pk39').reply).toMatchObject({ status: 'completed', text: 'Stub summary title', toolCalls: [] })
  })
})

describe('v2 chunk mapper: tool calls (f1, f2, f3)', () => {
  it('f1: started → pending ×3 (parameters accumulated) → running ×2 (displayName) → finished with the tool result; then the text', () => {
    const { reply, toolStates } = run('v2-f1_tool_admin', 'mmx8f9ytla')
    const result = finishedResult('v2-f1_tool_admin', 'mmx8f9ytla')
    expect(toolStates).toEqual(['started', 'pending', 'pending', 'pending', 'running', 'running', 'finished'])
    expect(reply.toolCalls).toEqual([{ ...BASH, state: 'finished', result }])
    expect(reply).toMatchObject({ status: 'completed', text: TOOL_TEXT(result) })
    expect(reply.approval).toBeUndefined()
  })

  it('f2: a tool refusing a plain user is a failed call, the refusal in words, its result kept', () => {
    const { reply } = run('v2-f2_tool_user', 'mmx8fa65sb')
    const err = 'Only administrators can execute this function.'
    expect(reply.toolCalls).toEqual([{ ...BASH, state: 'failed', error: err, result: { error: err } }])
    expect(reply).toMatchObject({ status: 'completed', text: TOOL_TEXT({ error: err }) })
  })

  it('f3: the tool throwing ({error, success:false}) and an unknown tool ("[System Error] …") are failed calls', () => {
    const one = run('v2-f3_tool_throws', 'mmx8fabeec').reply
    expect(one.toolCalls).toEqual([
      { key: 'call_stub_2', id: 'call_stub_2', name: 'cron_mid_f876af', state: 'failed', params: '{"action":"remove"}', error: '需要 taskId', result: { error: '需要 taskId', success: false } }
    ])
    expect(one).toMatchObject({ status: 'completed', text: TOOL_TEXT({ error: '需要 taskId', success: false }) })
    const two = run('v2-f3_tool_throws', 'mmx8fac1md').reply
    expect(two.toolCalls).toEqual([
      {
        key: 'call_stub_2',
        id: 'call_stub_2',
        name: 'drawPainting',
        state: 'failed',
        params: '{"prompt":"a cat"}',
        error: '[System Error] 未找到工具: drawPainting',
        result: '[System Error] 未找到工具: drawPainting'
      }
    ])
    expect(two).toMatchObject({ status: 'completed', text: TOOL_TEXT('[System Error] 未找到工具: drawPainting') })
  })
})

describe('v2 chunk mapper: approval (f4, f5, k6)', () => {
  it('f4 round 1: the question is set (waiting), answered (approved), cleared when the tool finishes', () => {
    const { reply, approvals } = run('v2-f4_tool_approval', 'mmx8fahkge')
    const id = 'interact_1796354840407_ggowxe1'
    expect(approvals).toEqual([APPROVAL(id), APPROVAL(id, 'approved'), undefined])
    const result = finishedResult('v2-f4_tool_approval', 'mmx8fahkge')
    expect(reply.toolCalls).toEqual([{ ...BASH, state: 'finished', result }])
    expect(reply).toMatchObject({ status: 'completed', text: TOOL_TEXT(result) })
    expect(reply.approval).toBeUndefined()
  })

  it('f4 round 2: denied → the tool fails with the refusal in words; the model goes on', () => {
    const { reply, approvals } = run('v2-f4_tool_approval', 'mmx8faiiwf')
    const id = 'interact_1796354841636_4mjiwug'
    expect(approvals).toEqual([APPROVAL(id), APPROVAL(id, 'denied'), undefined])
    const err = '[执行终止] 用户拒绝授权此 Shell 命令 "echo mio-tool-ok" 的执行。 原因: not now'
    expect(reply.toolCalls).toEqual([{ ...BASH, state: 'failed', error: err, result: { error: err } }])
    expect(reply).toMatchObject({ status: 'completed', text: TOOL_TEXT({ error: err }) })
  })

  it('f4 round 4: a whitelisted command asks nothing', () => {
    const { reply, approvals } = run('v2-f4_tool_approval', 'mmx8fajk2g')
    expect(approvals).toEqual([])
    expect(reply).toMatchObject({ status: 'completed', toolCalls: [{ state: 'finished' }] })
  })

  it('f4 round 5: never answered, interrupted: complete ends it, the question goes, the late USER_ABORT changes nothing', () => {
    const { reply, approvals, a } = run('v2-f4_tool_approval', 'mmx8fak4oh')
    expect(approvals).toEqual([APPROVAL('interact_1796354843710_9viz32l'), undefined])
    expect(reply).toEqual({ requestId: 'mmx8fak4oh', status: 'completed', text: '', reasoning: '', toolCalls: [{ ...BASH, state: 'running' }] })
    // the frame after complete, applied again: still nothing
    const late = replyFrames(loadV2Transcript('v2-f4_tool_approval'), 'mmx8fak4oh').at(-1)!
    expect(applyV2Frame(a, late).changed).toBe(false)
    expect(reply.toolCalls[0]!.state).toBe('running')
  })

  it('f5: the question survives a reconnect in the sync snapshot, is answered there, and the reply completes', () => {
    const { reply, approvals } = run('v2-f5_approval_resume', 'mmx8fask4i')
    const id = 'interact_1796354854659_9ku3mit'
    // set live, kept by the snapshot (unchanged), answered, cleared by the finished tool
    expect(approvals).toEqual([APPROVAL(id), APPROVAL(id, 'approved'), undefined])
    const result = finishedResult('v2-f5_approval_resume', 'mmx8fask4i')
    expect(reply.toolCalls).toEqual([{ ...BASH, state: 'finished', result }])
    expect(reply).toMatchObject({ status: 'completed', text: TOOL_TEXT(result) })
    // the later snapshot of the finished reply is the same reply on its own
    const syncs = replyFrames(loadV2Transcript('v2-f5_approval_resume'), 'mmx8fask4i').filter((f) => f.message === 'sync')
    expect(syncs).toHaveLength(2)
    expect(v2SnapshotReply('mmx8fask4i', syncs[1]!.data as Json)).toEqual(reply)
    // the first snapshot alone: streaming, the running call and the open question
    expect(v2SnapshotReply('mmx8fask4i', syncs[0]!.data as Json)).toEqual({
      requestId: 'mmx8fask4i',
      status: 'streaming',
      text: '',
      reasoning: '',
      toolCalls: [{ ...BASH, state: 'running' }],
      approval: APPROVAL(id)
    })
  })

  it('k6: the shutdown path reports the waiting tool failed, in words', () => {
    const { reply } = run('v2-k6_crash_approval_without_payload', 'mmx8fehte26')
    expect(reply.toolCalls).toEqual([{ ...BASH, state: 'failed', error: '服务器重启，工具执行被打断' , result: { error: '服务器重启，工具执行被打断' } }])
    expect(reply.status).toBe('streaming')
  })
})

describe('v2 chunk mapper: failures (g1..g4)', () => {
  it('g1: upstream 404 keeps code and status; guest and provider refusals keep the server words', () => {
    expect(run('v2-g1_invalid_model', 'mmx8fazojm').reply).toEqual({
      requestId: 'mmx8fazojm',
      status: 'failed',
      text: '',
      reasoning: '',
      toolCalls: [],
      error: '404 The model `no-such-model` does not exist or you do not have access to it.',
      errorCode: 'model_not_found',
      errorStatus: 404
    })
    expect(run('v2-g1_invalid_model', 'mmx8fazxcn').reply).toEqual({
      requestId: 'mmx8fazxcn',
      status: 'failed',
      text: '',
      reasoning: '',
      toolCalls: [],
      error: '模型 "gpt-4o" 不在游客可用范围内，请登录或切换模型。'
    })
    expect(run('v2-g1_invalid_model', 'mmx8fb05so').reply).toMatchObject({ status: 'failed', error: '您选择的模型或渠道 "NoSuchProvider" 已失效，请重新选择模型。' })
  })

  it('g2: upstream 500 → failed with the status', () => {
    expect(run('v2-g2_upstream_500', 'mmx8fb5dqp').reply).toMatchObject({ status: 'failed', error: '500 stub internal error', errorStatus: 500, text: '' })
  })

  it('g3: the upstream dropped mid-stream → failed, the text so far kept', () => {
    expect(run('v2-g3_midstream_drop', 'mmx8fbb1oq').reply).toMatchObject({ status: 'failed', error: 'terminated', text: 'Hello from the' })
  })

  it('g4: the follow-up after a tool fails → failed alone, the finished tool kept', () => {
    const { reply } = run('v2-g4_fail_after_tool', 'mmx8fbgcjr')
    expect(reply).toMatchObject({ status: 'failed', error: '400 stub: rejected follow-up request after tool result', errorStatus: 400, text: '' })
    expect(reply.toolCalls).toEqual([{ ...BASH, state: 'finished', result: finishedResult('v2-g4_fail_after_tool', 'mmx8fbgcjr') }])
  })
})

describe('v2 chunk mapper: resume, abort, ack (g5, h1, h2, j)', () => {
  it('g5 part 1: text before the drop, the snapshot on the new connection (not repeated), the rest live', () => {
    expect(run('v2-g5_disconnect_resume', 'mmx8fbmcss').reply).toMatchObject({ status: 'completed', text: 'Hello from the stub.' })
  })

  it('g5 part 2: one live piece, then a snapshot of the finished reply completes it', () => {
    expect(run('v2-g5_disconnect_resume', 'mmx8fbodsu').reply).toEqual({ requestId: 'mmx8fbodsu', status: 'completed', text: 'Hello from the stub.', reasoning: '', toolCalls: [] })
  })

  it('h1: the abort frame → complete with the text so far', () => {
    expect(run('v2-h1_abort_frame', 'mmx8fbyzhz').reply).toMatchObject({ status: 'completed', text: 'Hello from the' })
  })

  it('h2: interrupted replies complete; one interrupted before any text carries the server placeholder', () => {
    expect(run('v2-h2_abort_interrupt', 'mmx8ffywo1').reply).toMatchObject({ status: 'completed', text: 'Hello' })
    expect(run('v2-h2_abort_interrupt', 'mmx8fg0bg3').reply).toMatchObject({ status: 'completed', text: 'Hello' })
    expect(run('v2-h2_abort_interrupt', 'mmx8fg1dj4').reply).toMatchObject({ status: 'completed', text: '模型无响应，请检查输入是否合法！' })
  })

  it('j: the streamed reply and its later snapshot are the same reply', () => {
    const { reply } = run('v2-j_ack_message', 'mmx8fcn1k15')
    expect(reply).toEqual({ requestId: 'mmx8fcn1k15', status: 'completed', text: 'Hello from the stub.', reasoning: '', toolCalls: [] })
    const sync = replyFrames(loadV2Transcript('v2-j_ack_message'), 'mmx8fcn1k15').find((f) => f.message === 'sync')!
    expect(v2SnapshotReply('mmx8fcn1k15', sync.data as Json)).toEqual(reply)
  })
})

describe('v2 chunk mapper: pieces', () => {
  it('snapshots: a reasoning run keeps its server duration; a failed snapshot keeps the words', () => {
    const r = v2SnapshotReply('m', {
      status: 'streaming',
      chunks: [
        { type: 'reason', data: { text: 'hmm', startTime: 1000, duration: 1234 } },
        { type: 'content', content: 'ok' }
      ]
    })
    expect(r).toMatchObject({ status: 'streaming', reasoning: 'hmm', text: 'ok', reasoningStartedAt: 1000, reasoningMs: 1234 })
    expect(v2SnapshotReply('m', { status: 'failed', error: { message: 'boom', code: 'X', status: 502 }, chunks: [] })).toMatchObject({
      status: 'failed',
      error: 'boom',
      errorCode: 'X',
      errorStatus: 502
    })
    expect(v2SnapshotReply('m', { status: 'failed', error: 'plain words', chunks: 'nope' })).toMatchObject({ status: 'failed', error: 'plain words' })
  })

  it('a snapshot replacing different text reports it as replaced; extending text as an append', () => {
    const a = new ReplyAssembler('m')
    applyV2Frame(a, { message: 'update', data: { type: 'content', content: 'Hel' } })
    const ext = applyV2Frame(a, { message: 'sync', data: { status: 'streaming', chunks: [{ type: 'content', content: 'Hello' }] } })
    expect([ext.textReplaced, ext.textAppend, a.reply.text]).toEqual([false, 'lo', 'Hello'])
    const rep = applyV2Frame(a, { message: 'sync', data: { status: 'streaming', chunks: [{ type: 'content', content: 'Other' }] } })
    expect([rep.textReplaced, a.reply.text]).toEqual([true, 'Other'])
  })

  it('unknown chunk types, crystallize and unknown actions change nothing; a failure without words still has some', () => {
    expect(v2ChunkDelta({ type: 'crystallize', content: { status: 'done' } })).toBeUndefined()
    expect(v2ChunkDelta({ type: 'action', content: { actionType: 'SHOW_SELECT_OVERLAY', interactionId: 'x' } })).toBeUndefined()
    expect(v2ChunkDelta({ type: 'weird' })).toBeUndefined()
    expect(v2Failure({})).toEqual({ reason: 'The reply failed', info: {} })
    expect(v2Failure({ status: 503 })).toEqual({ reason: 'The reply failed (HTTP 503)', info: { status: 503 } })
    expect(v2Failure({ message: 'line one\n    at x' })).toEqual({ reason: 'line one', info: { detail: 'line one\n    at x' } })
  })

  it('USER_ABORT in a live tool result is said in words', () => {
    const a = new ReplyAssembler('m')
    applyV2Frame(a, { message: 'update', data: { type: 'toolCall', content: { action: 'running', id: 'c', name: 'bash', parameters: '{}', result: '' } } })
    applyV2Frame(a, { message: 'update', data: { type: 'toolCall', content: { action: 'finished', id: 'c', name: 'bash', parameters: '{}', result: { error: 'USER_ABORT' } } } })
    expect(a.reply.toolCalls[0] as ToolCall).toMatchObject({ state: 'failed', error: 'Stopped before it finished', result: { error: 'USER_ABORT' } })
  })
})
