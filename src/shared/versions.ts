/**
 * Versions of an answer (model chats): a reply keeps every answer generated for it, an edited prompt every
 * text it had. One message per answer on screen; the message's top-level fields are the shown version, the
 * others wait in `ai.versions` / `promptVersions` (stored and exported with the message JSON).
 * A reply's versions each name the prompt version they answered, so showing another prompt version shows
 * the answer that belongs to it. Pure functions: used by the core, the renderer and the export.
 */
import type { AiReply, AiVersion, ChatMessage, PromptVersion } from './mio'

/** The shown answer of a reply as a version (its model, time and prompt kept from the stored entry). */
function currentOf(ai: AiReply, fallbackTime: number): AiVersion {
  const stored = ai.versions?.[ai.shown ?? 0]
  const v: AiVersion = { text: ai.text, reasoning: ai.reasoning, toolCalls: ai.toolCalls, status: ai.status, time: stored?.time ?? fallbackTime }
  if (ai.error) v.error = ai.error
  if (ai.errorDetail) v.errorDetail = ai.errorDetail
  if (stored?.model) v.model = stored.model
  if (stored?.prompt) v.prompt = stored.prompt
  return v
}

/** Every version of a reply, the shown one as it is now. */
export function replyVersions(ai: AiReply, fallbackTime = 0): AiVersion[] {
  const cur = currentOf(ai, fallbackTime)
  if (!ai.versions?.length) return [cur]
  const all = ai.versions.slice()
  all[Math.min(ai.shown ?? 0, all.length - 1)] = cur
  return all
}

/** Whether the shown answer is worth keeping when another is generated (a failed reply with nothing in it is not). */
function worthKeeping(ai: AiReply): boolean {
  return !!(ai.text || ai.reasoning || ai.toolCalls.length) || ai.status === 'completed'
}

/**
 * A reply with a new, empty version added and shown (regenerate, or the answer to an edited prompt). The
 * shown answer is kept unless there is nothing in it. `prompt`: the prompt version the new one answers.
 */
export function addReplyVersion(ai: AiReply, at: { time: number; model?: string; prompt?: number; fallbackTime: number }): AiReply {
  const all = replyVersions(ai, at.fallbackTime)
  const shownAt = Math.min(ai.shown ?? 0, all.length - 1)
  if (!worthKeeping(ai) && (all[shownAt]!.prompt ?? 0) === (at.prompt ?? 0)) all.splice(shownAt, 1)
  const v: AiVersion = { text: '', reasoning: '', toolCalls: [], status: 'pending', time: at.time }
  if (at.model) v.model = at.model
  if (at.prompt) v.prompt = at.prompt
  all.push(v)
  const base: AiReply = { requestId: ai.requestId, status: 'pending', text: '', reasoning: '', toolCalls: [] }
  return all.length > 1 ? { ...base, versions: all, shown: all.length - 1 } : base
}

/** A reply showing version `i` (the shown one saved into the list first). */
export function showReplyVersion(ai: AiReply, i: number): AiReply {
  const all = replyVersions(ai)
  const v = all[i]
  if (!v) throw new RangeError(`no version ${i}`)
  const next: AiReply = { requestId: ai.requestId, status: v.status, text: v.text, reasoning: v.reasoning, toolCalls: v.toolCalls, versions: all, shown: i }
  if (v.error) next.error = v.error
  if (v.errorDetail) next.errorDetail = v.errorDetail
  return next
}

/** The prompt version a reply's shown answer belongs to. */
export function promptOfShown(ai: AiReply): number {
  return ai.versions?.[ai.shown ?? 0]?.prompt ?? 0
}

/** The last version of a reply that answered prompt version `p`, if any. */
export function replyVersionFor(ai: AiReply, p: number): number | undefined {
  const all = replyVersions(ai)
  for (let i = all.length - 1; i >= 0; i--) if ((all[i]!.prompt ?? 0) === p) return i
  return undefined
}

/**
 * Where the shown answer is among the answers to the same prompt version: ‹ at/of › (1-based), with the
 * version indices to go to before and after it. `of` is 1 when there is nothing to switch.
 */
export function replyPosition(ai: AiReply): { at: number; of: number; prev?: number; next?: number } {
  const all = replyVersions(ai)
  const p = promptOfShown(ai)
  const same = all.map((v, i) => ((v.prompt ?? 0) === p ? i : -1)).filter((i) => i >= 0)
  const k = Math.max(0, same.indexOf(ai.shown ?? 0))
  return { at: k + 1, of: same.length, prev: same[k - 1], next: same[k + 1] }
}

/** The text of a prompt as sent (its text parts). */
export function promptText(m: ChatMessage): string {
  return m.segments.filter((s) => s.type === 'text').map((s) => String(s.data.text ?? '')).join('')
}

/** Every text a prompt had, the shown one as it is now. */
export function promptVersions(m: ChatMessage): PromptVersion[] {
  const cur: PromptVersion = { text: promptText(m), time: m.promptVersions?.[m.promptShown ?? 0]?.time ?? m.time }
  if (!m.promptVersions?.length) return [cur]
  const all = m.promptVersions.slice()
  all[Math.min(m.promptShown ?? 0, all.length - 1)] = cur
  return all
}

/** A prompt with a new text added and shown (edit and resend). */
export function editPromptText(m: ChatMessage, text: string, time: number): ChatMessage {
  const all = [...promptVersions(m), { text, time }]
  return { ...m, segments: [{ type: 'text', data: { text } }], promptVersions: all, promptShown: all.length - 1 }
}

/** A prompt showing text version `i`. */
export function showPromptVersion(m: ChatMessage, i: number): ChatMessage {
  const all = promptVersions(m)
  const v = all[i]
  if (!v) throw new RangeError(`no version ${i}`)
  return { ...m, segments: [{ type: 'text', data: { text: v.text } }], promptVersions: all, promptShown: i }
}

/** ‹ at/of › of a prompt (1-based). */
export function promptPosition(m: ChatMessage): { at: number; of: number } {
  const n = m.promptVersions?.length ?? 1
  return { at: Math.min(m.promptShown ?? 0, n - 1) + 1, of: n }
}
