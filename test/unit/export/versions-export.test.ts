import { describe, expect, it } from 'vitest'
import { exportConversation, type ExportMeta, type ExportSink } from '../../../src/core/export'
import type { ChatMessage } from '../../../src/shared/mio'
import { addReplyVersion, editPromptText, showReplyVersion } from '../../../src/shared/versions'

const meta = (locale: ExportMeta['locale']): ExportMeta => ({ accountId: 'a', accountName: 'A', platform: 'mio', contactId: 'llm:1', contactName: 'Model', locale, now: new Date(Date.UTC(2026, 11, 6)) })
function collect(): ExportSink & { text: () => string } {
  const parts: string[] = []
  return { write: async (c: string) => void parts.push(c), text: () => parts.join('') }
}

const first = { requestId: 'r', status: 'completed' as const, text: 'first answer', reasoning: '', toolCalls: [] }
const three = [1, 2].reduce((ai, i) => ({ ...addReplyVersion(ai, { time: i, fallbackTime: 0 }), status: 'completed' as const, text: `answer ${i + 1}` }), first as ChatMessage['ai'] & object)
const msgs: ChatMessage[] = [
  editPromptText({ id: 'u1', contactId: 'llm:1', self: true, time: 1, segments: [{ type: 'text', data: { text: 'old question' } }], status: 'sent' }, 'new question', 2),
  { id: 'r1', contactId: 'llm:1', self: false, time: 3, segments: [], status: 'sent', ai: showReplyVersion(three, 1) }
]

describe('export of versions', () => {
  it('HTML and Markdown show the chosen version and say which of how many', async () => {
    const html = collect()
    await exportConversation([msgs], meta('en'), 'html', html)
    expect(html.text()).toContain('answer 2')
    expect(html.text()).not.toContain('first answer')
    expect(html.text()).toContain('Version 2 of 3')
    expect(html.text()).toContain('new question')
    expect(html.text()).toContain('Version 2 of 2')
    const md = collect()
    await exportConversation([msgs], meta('zh-CN'), 'markdown', md)
    expect(md.text()).toContain('_第 2 版，共 3 版_')
    expect(md.text()).not.toContain('old question')
  })

  it('JSON keeps every version', async () => {
    const json = collect()
    await exportConversation([msgs], meta('en'), 'json', json)
    const text = json.text()
    expect(text).toContain('first answer')
    expect(text).toContain('answer 3')
    expect(text).toContain('old question')
  })
})
