import type { ChatMessage, Segment } from '../../shared/mio'

/** A one-line preview of a message for the conversation list and notifications. */
export function previewOf(m: ChatMessage): string {
  if (m.status === 'recalled') return '[recalled]'
  if (m.ai) return (m.ai.text || m.ai.reasoning || '…').replace(/\s+/g, ' ').slice(0, 80)
  return previewSegments(m.segments)
}

export function previewSegments(segments: Segment[]): string {
  const parts: string[] = []
  for (const s of segments) {
    switch (s.type) {
      case 'text':
        parts.push(String(s.data.text ?? ''))
        break
      case 'reply':
        break
      case 'at':
        parts.push(`@${String(s.data.qq ?? s.data.name ?? '')}`)
        break
      case 'nodes':
      case 'forward':
        parts.push('[forward]')
        break
      default:
        parts.push(`[${s.type}]`)
    }
  }
  return parts.join(' ').replace(/\s+/g, ' ').trim().slice(0, 80)
}

/** The id quoted by a `reply` segment, if any. */
export function replyTarget(segments: Segment[]): string | undefined {
  const r = segments.find((s) => s.type === 'reply')
  const id = r?.data.id
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}
