/**
 * Builds the parts of a message written in the composer: a body (plain text, Markdown or HTML) and an
 * optional quote. Every platform takes these parts through `messages:send`; each provider checks them
 * against what its conversation accepts (`capabilities.send`).
 */
import type { Segment } from '../mio'

export type DraftFormat = 'text' | 'markdown' | 'html'

export interface Draft {
  format: DraftFormat
  text: string
  /** The quoted message: its id, and its display text ("name: text") where the platform carries it. */
  quote?: { id: string; text?: string }
}

export function draftSegments(d: Draft): Segment[] {
  const body: Segment = d.format === 'html' ? { type: 'html', data: { html: d.text } } : { type: d.format, data: { text: d.text } }
  if (!d.quote) return [body]
  return [{ type: 'reply', data: d.quote.text !== undefined ? { id: d.quote.id, text: d.quote.text } : { id: d.quote.id } }, body]
}
