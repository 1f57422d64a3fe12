import { describe, expect, it } from 'vitest'
import { historyTurns } from '../../../src/core/accounts/mio/history-turns'
import type { AiReply, ChatMessage } from '../../../src/shared/mio'
import { addReplyVersion, editPromptText, promptPosition, replyPosition, replyVersionFor, replyVersions, showPromptVersion, showReplyVersion } from '../../../src/shared/versions'

const reply = (text: string, status: AiReply['status'] = 'completed'): AiReply => ({ requestId: 'r', status, text, reasoning: '', toolCalls: [] })
const prompt = (id: string, text: string, time: number): ChatMessage => ({ id, contactId: 'llm:1', self: true, time, segments: [{ type: 'text', data: { text } }], status: 'sent' })
const answer = (id: string, ai: AiReply, time: number): ChatMessage => ({ id, contactId: 'llm:1', self: false, time, segments: [], status: 'sent', ai })

/** A reply answered, regenerated and the regeneration finished with `text`. */
function regenerated(ai: AiReply, text: string, prompt?: number): AiReply {
  return { ...addReplyVersion(ai, { time: 5, fallbackTime: 1, prompt }), status: 'completed', text }
}

describe('versions of a reply', () => {
  it('regenerate keeps the earlier answer and shows the new one', () => {
    const two = regenerated(reply('first'), 'second')
    expect(two.text).toBe('second')
    expect(replyVersions(two).map((v) => v.text)).toEqual(['first', 'second'])
    expect(replyPosition(two)).toEqual({ at: 2, of: 2, prev: 0, next: undefined })
    const back = showReplyVersion(two, 0)
    expect(back.text).toBe('first')
    expect(replyVersions(back).map((v) => v.text)).toEqual(['first', 'second'])
    expect(replyPosition(back)).toMatchObject({ at: 1, of: 2, next: 1 })
  })

  it('a failed answer with nothing in it is replaced, not kept', () => {
    const failed = { ...reply('', 'failed'), error: 'boom' }
    const again = addReplyVersion(failed, { time: 5, fallbackTime: 1 })
    expect(again.versions).toBeUndefined()
    expect(again.status).toBe('pending')
  })

  it('counts only the answers to the shown prompt version', () => {
    const a = regenerated(regenerated(reply('a0'), 'a1'), 'b0', 1)
    expect(replyPosition(a)).toMatchObject({ at: 1, of: 1 })
    expect(replyVersionFor(a, 0)).toBe(1)
    expect(replyPosition(showReplyVersion(a, 0))).toMatchObject({ at: 1, of: 2, next: 1 })
  })

  it('a prompt keeps its earlier texts', () => {
    const p = editPromptText(prompt('u1', 'old', 1), 'new', 9)
    expect(p.segments[0]!.data.text).toBe('new')
    expect(promptPosition(p)).toEqual({ at: 2, of: 2 })
    expect(showPromptVersion(p, 0).segments[0]!.data.text).toBe('old')
    expect(() => showPromptVersion(p, 5)).toThrow(RangeError)
  })
})

describe('the history sent to the model', () => {
  it('is the branch on screen: each reply’s shown answer and each prompt’s shown text', () => {
    const r1 = showReplyVersion(regenerated(reply('answer A'), 'answer B'), 0)
    const q2 = showPromptVersion(editPromptText(prompt('u2', 'draft', 3), 'final', 4), 1)
    const msgs = [prompt('u1', 'hello', 1), answer('r1', r1, 2), q2]
    expect(historyTurns(msgs, 'be brief')).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'answer A' },
      { role: 'user', content: 'final' }
    ])
    // Switch both: the model is sent the other branch.
    const other = [prompt('u1', 'hello', 1), answer('r1', showReplyVersion(r1, 1), 2), showPromptVersion(q2, 0)]
    expect(historyTurns(other, '').map((t) => t.content)).toEqual(['hello', 'answer B', 'draft'])
  })

  it('leaves out recalled messages and empty answers', () => {
    const msgs = [prompt('u1', 'hi', 1), { ...prompt('u2', 'gone', 2), status: 'recalled' as const }, answer('r1', reply('', 'failed'), 3)]
    expect(historyTurns(msgs, ' ')).toEqual([{ role: 'user', content: 'hi' }])
  })
})
