/** An interrupted reply's preview in the conversation list says it was interrupted; forwarded nodes name their senders. */
import { describe, expect, it } from 'vitest'
import { lastMessageOf } from '../../../src/core/accounts/preview'
import { previewLabels, renderPreview } from '../../../src/shared/model/parts'
import type { ChatMessage } from '../../../src/shared/mio'

const msg = (p: Partial<ChatMessage>): ChatMessage => ({ id: 'm', contactId: 'llm:1', self: false, time: 1, segments: [], status: 'sent', ...p })

describe('an interrupted reply in the conversation list', () => {
  it('says it was interrupted, in the reader’s language', () => {
    const m = msg({ contactId: 'llm:1', segments: [], ai: { requestId: 1, status: 'interrupted', text: '# Heading\n\nThe answer is', reasoning: '', toolCalls: [], error: 'The connection was lost before the reply finished' } })
    const last = lastMessageOf(m)
    expect(last.preview).toBe('[Interrupted] Heading The answer is')
    expect(renderPreview(last.tokens!, previewLabels('zh-CN'))).toBe('[已中断] Heading The answer is')
    const done = lastMessageOf({ ...m, ai: { ...m.ai!, status: 'completed' } })
    expect(done.preview).toBe('Heading The answer is')
  })
})

describe('forwarded nodes name their senders where the data has one', () => {
  it('name, nickname, a onebot sender object; nothing when the node has none', async () => {
    const { forwardNodes } = await import('../../../src/shared/model/parts')
    const text = [{ type: 'text', data: { text: 'hi' } }]
    const seg = {
      type: 'nodes',
      data: {
        messages: [
          { type: 'node', data: { name: 'Alice', uin: '10001', content: text } },
          { type: 'node', data: { name: '', sender: { nickname: 'Bob', card: '' }, content: text } },
          { message: text, sender: { user_id: 3, card: '群名片' } },
          text
        ]
      }
    }
    expect(forwardNodes(seg).map((n) => n.senderName)).toEqual(['Alice', 'Bob', '群名片', undefined])
  })
})
