import type { ChatMessage, Segment } from '../../shared/mio'
import type { Contact } from '../../shared/api'
import { previewMessage, previewTokens } from '../../shared/model/parts'

/** A one-line preview of a message (English labels) for the conversation list, notifications and quotes. */
export function previewOf(m: ChatMessage): string {
  return previewMessage(m).slice(0, 80)
}

/** The id quoted by a `reply` segment, if any. */
export function replyTarget(segments: Segment[]): string | undefined {
  const r = segments.find((s) => s.type === 'reply')
  const id = r?.data.id
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}

/** A conversation's newest message as the conversation list gets it: id, time and its preview (not the message). */
export function lastMessageOf(m: ChatMessage): NonNullable<Contact['lastMessage']> {
  return { id: m.id, preview: previewOf(m), time: m.time, tokens: previewTokens(m) }
}
