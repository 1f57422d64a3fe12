/**
 * Pure helpers of the composer's pickers: the "/" command picker (what is being typed, which
 * commands match) and the "@" member picker (the mention being typed, the text with the chosen
 * mentions as `at` parts).
 */
import type { Segment } from '@shared/mio'
import type { YunhuCommandView } from '@shared/yunhu-api'

/** The command being typed: the text is "/" + a query with no space or line break yet; else null. */
export function commandQuery(text: string): string | null {
  const m = /^\/([^\s/]*)$/u.exec(text)
  return m ? m[1]! : null
}

/** The commands matching a query: name starts with it first, then name or description or bot contains it; case-insensitive. */
export function filterCommands(list: readonly YunhuCommandView[], query: string): YunhuCommandView[] {
  const q = query.trim().toLowerCase()
  if (!q) return [...list]
  const starts: YunhuCommandView[] = []
  const contains: YunhuCommandView[] = []
  for (const c of list) {
    const name = c.name.toLowerCase()
    if (name.startsWith(q)) starts.push(c)
    else if (name.includes(q) || c.description.toLowerCase().includes(q) || c.botName.toLowerCase().includes(q)) contains.push(c)
  }
  return [...starts, ...contains]
}

/** The mention being typed before the caret: "@" at the start or after a space, then up to 20 non-space characters. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret)
  const m = /(^|\s)@([^\s@]{0,20})$/u.exec(before)
  if (!m) return null
  return { start: before.length - m[2]!.length - 1, query: m[2]! }
}

/** Replaces the mention being typed (from `start` to the caret) with "@name ". Returns the new text and caret. */
export function insertMention(text: string, start: number, caret: number, name: string): { text: string; caret: number } {
  const ins = `@${name} `
  return { text: text.slice(0, start) + ins + text.slice(caret), caret: start + ins.length }
}

export interface PickedMention {
  id: string
  name: string
}

/**
 * The text as parts, each "@name" of a chosen mention still in the text becoming an `at` part (the
 * mentions deleted from the text are dropped). Null when no chosen mention is left.
 */
export function mentionSegments(text: string, picked: readonly PickedMention[]): Segment[] | null {
  const live = picked.filter((p, i) => p.name && text.includes(`@${p.name}`) && picked.findIndex((q) => q.id === p.id) === i)
  if (!live.length) return null
  // Longest names first, so "@Ann Lee" wins over "@Ann".
  const names = [...live].sort((a, b) => b.name.length - a.name.length)
  const out: Segment[] = []
  let rest = text
  for (;;) {
    let best: { at: number; p: PickedMention } | undefined
    for (const p of names) {
      const at = rest.indexOf(`@${p.name}`)
      if (at >= 0 && (!best || at < best.at)) best = { at, p }
    }
    if (!best) break
    if (best.at > 0) out.push({ type: 'text', data: { text: rest.slice(0, best.at) } })
    out.push({ type: 'at', data: { qq: best.p.id, name: best.p.name } })
    rest = rest.slice(best.at + best.p.name.length + 1)
  }
  if (rest) out.push({ type: 'text', data: { text: rest } })
  return out
}
