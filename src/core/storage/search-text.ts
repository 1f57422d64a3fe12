/**
 * What the full-text index holds of a message: its visible words (text, Markdown without its markup,
 * HTML as text, file names, mentions, forwarded messages' text and senders, an AI reply's answer), and
 * one kind for the search filter. Derived from the one message model (parts.ts), so every platform's
 * messages are indexed the same way.
 */
import type { ChatMessage, Segment } from '../../shared/mio'
import { htmlToText, partOf, stripMarkdown } from '../../shared/model/parts'

/** The kinds the search can filter on (one per message; the most specific wins). */
export const SEARCH_KINDS = ['ai', 'file', 'image', 'video', 'audio', 'text', 'other'] as const
export type SearchKind = (typeof SEARCH_KINDS)[number]

const MAX_DEPTH = 4

function segmentsText(segments: Segment[], out: string[], depth: number): void {
  for (const seg of segments) {
    const p = partOf(seg)
    switch (p.kind) {
      case 'text':
        out.push(p.text)
        break
      case 'markdown':
        out.push(stripMarkdown(p.text))
        break
      case 'html':
        out.push(htmlToText(p.html))
        break
      case 'file':
        out.push(p.name)
        break
      case 'mention':
        if (p.name) out.push(`@${p.name}`)
        break
      case 'forward':
        if (depth >= MAX_DEPTH) break
        for (const n of p.nodes) {
          if (n.senderName) out.push(n.senderName)
          segmentsText(n.segments, out, depth + 1)
        }
        break
      default:
        break
    }
  }
}

/** The text the index holds for a message ('' for a recalled one: it is no longer there to find). */
export function searchText(m: ChatMessage): string {
  if (m.status === 'recalled') return ''
  const out: string[] = []
  if (m.ai) out.push(stripMarkdown(m.ai.text))
  else segmentsText(m.segments, out, 0)
  return out.join(' ').replace(/\s+/g, ' ').trim()
}

export function searchKind(m: ChatMessage): SearchKind {
  if (m.ai) return 'ai'
  let best: SearchKind = 'other'
  const rank = (k: SearchKind): number => SEARCH_KINDS.indexOf(k)
  for (const seg of m.segments) {
    const k = partOf(seg).kind
    const kind: SearchKind | undefined =
      k === 'file' ? 'file' : k === 'image' || k === 'sticker' ? 'image' : k === 'video' ? 'video' : k === 'audio' ? 'audio' : k === 'text' || k === 'markdown' || k === 'html' || k === 'forward' ? 'text' : undefined
    if (kind && rank(kind) < rank(best)) best = kind
  }
  return best
}
