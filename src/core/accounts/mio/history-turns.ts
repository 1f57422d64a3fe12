/**
 * The history sent to a model: the conversation as it is shown — each reply's shown answer and each
 * prompt's shown text (the top-level fields of a message are its shown version, see src/shared/versions.ts),
 * recalled messages left out, the system prompt first. The caller cuts the list at the reply being answered.
 */
import type { ChatMessage, ChatTurn } from '../../../shared/mio'
import { promptText } from '../../../shared/versions'

export function historyTurns(msgs: ChatMessage[], systemPrompt: string): ChatTurn[] {
  const turns: ChatTurn[] = []
  if (systemPrompt.trim()) turns.push({ role: 'system', content: systemPrompt })
  for (const m of msgs) {
    if (m.status === 'recalled') continue
    if (m.ai) {
      if (m.ai.text) turns.push({ role: 'assistant', content: m.ai.text })
    } else {
      const t = promptText(m)
      if (t) turns.push({ role: 'user', content: t })
    }
  }
  return turns
}
