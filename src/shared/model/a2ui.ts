/**
 * A2UI (Yunhu content type 14): the bot sends A2UI v0.9 JSON (`createSurface` + `updateComponents`, one
 * or several objects, sometimes inside a ```json fence or beside prose; docs/protocol/yunhu-client-facts.md
 * §2.2, §2.8). Only the known component kinds are read — text, column, row, card, divider, text field,
 * check box, button — and only as text: nothing from the payload ever becomes HTML, a URL or a style.
 * Anything else is left out; a payload with nothing readable gives null (the caller shows the text).
 */

export type A2uiNode =
  | { id: string; kind: 'text'; text: string }
  | { id: string; kind: 'column' | 'row' | 'card'; children: A2uiNode[] }
  | { id: string; kind: 'divider' }
  | { id: string; kind: 'textField'; label: string; value: string; multiline: boolean }
  | { id: string; kind: 'checkBox'; label: string; value: boolean }
  | { id: string; kind: 'button'; label: string; action: string; context: Record<string, string> }

export interface A2uiSurface {
  surfaceId: string
  root: A2uiNode
}

const MAX_NODES = 200
const MAX_DEPTH = 12
const MAX_TEXT = 2000

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A value as text: a string, a number, a boolean, or v0.8's `{literalString}`; bound paths read as ''. */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v.slice(0, MAX_TEXT)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (isObj(v)) {
    if (typeof v.literalString === 'string') return v.literalString.slice(0, MAX_TEXT)
    if (typeof v.literal === 'string') return v.literal.slice(0, MAX_TEXT)
  }
  return ''
}

/** The JSON objects in a text: the whole text, a ```json fence, or each top-level {…} in it. */
function objectsIn(text: string): Obj[] {
  const out: Obj[] = []
  const tryParse = (s: string): boolean => {
    try {
      const v: unknown = JSON.parse(s)
      const list = Array.isArray(v) ? v : [v]
      for (const x of list) if (isObj(x)) out.push(x)
      return true
    } catch {
      return false
    }
  }
  if (tryParse(text.trim())) return out
  const fence = /```(?:json)?\s*([\s\S]*?)```/g
  let m: RegExpExecArray | null
  let fenced = false
  while ((m = fence.exec(text))) fenced = tryParse(m[1]!.trim()) || fenced
  if (fenced) return out
  // Top-level objects beside prose: scan braces outside strings.
  let depth = 0
  let start = -1
  let inStr = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (inStr) {
      if (ch === '\\') i++
      else if (ch === '"') inStr = false
    } else if (ch === '"' && depth > 0) inStr = true
    else if (ch === '{') {
      if (depth++ === 0) start = i
    } else if (ch === '}' && depth > 0 && --depth === 0) tryParse(text.slice(start, i + 1))
  }
  return out
}

function contextOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (isObj(v)) for (const [k, x] of Object.entries(v).slice(0, 50)) out[k.slice(0, 100)] = textOf(x)
  else if (Array.isArray(v)) for (const e of v.slice(0, 50)) if (isObj(e) && typeof e.key === 'string') out[e.key.slice(0, 100)] = textOf(e.value)
  return out
}

/** Reads the first surface with components; null when there is none the app can show. */
export function parseA2ui(text: unknown): A2uiSurface | null {
  if (typeof text !== 'string' || text.length > 200_000) return null
  const objs = objectsIn(text)
  const comps = new Map<string, Obj>()
  let surfaceId = ''
  for (const o of objs) {
    const create = isObj(o.createSurface) ? o.createSurface : undefined
    if (create && !surfaceId && typeof create.surfaceId === 'string') surfaceId = create.surfaceId
    const update = isObj(o.updateComponents) ? o.updateComponents : undefined
    if (!update || !Array.isArray(update.components)) continue
    if (!surfaceId && typeof update.surfaceId === 'string') surfaceId = update.surfaceId
    for (const c of update.components) if (isObj(c) && typeof c.id === 'string' && comps.size < MAX_NODES) comps.set(c.id, c)
  }
  if (!comps.size) return null
  let count = 0
  const seen = new Set<string>()
  const build = (id: string, depth: number): A2uiNode | null => {
    const c = comps.get(id)
    if (!c || seen.has(id) || depth > MAX_DEPTH || ++count > MAX_NODES) return null
    seen.add(id)
    const kind = typeof c.component === 'string' ? c.component : isObj(c.component) ? Object.keys(c.component)[0] : undefined
    const p: Obj = isObj(c.component) ? ((c.component as Obj)[kind ?? ''] as Obj) ?? {} : c
    const kids = (v: unknown): A2uiNode[] => {
      const ids = Array.isArray(v) ? v : isObj(v) && Array.isArray(v.explicitList) ? v.explicitList : typeof v === 'string' ? [v] : []
      return ids.filter((x): x is string => typeof x === 'string').map((x) => build(x, depth + 1)).filter((x): x is A2uiNode => !!x)
    }
    switch (kind) {
      case 'Text':
        return { id, kind: 'text', text: textOf(p.text) }
      case 'Column':
      case 'Row':
      case 'Card':
      case 'List':
        return { id, kind: kind === 'Row' ? 'row' : kind === 'Card' ? 'card' : 'column', children: kids(p.children ?? p.child) }
      case 'Divider':
        return { id, kind: 'divider' }
      case 'TextField':
        return { id, kind: 'textField', label: textOf(p.label), value: textOf(p.value ?? p.text), multiline: p.textFieldType === 'longText' || p.multiline === true }
      case 'CheckBox':
        return { id, kind: 'checkBox', label: textOf(p.label), value: p.value === true || (isObj(p.value) && p.value.literalBoolean === true) }
      case 'Button': {
        const action = isObj(p.action) ? p.action : {}
        const childLabel = typeof p.child === 'string' ? comps.get(p.child) : undefined
        const label = textOf(p.label ?? p.text) || (childLabel ? textOf(isObj(childLabel.component) ? ((childLabel.component as Obj).Text as Obj | undefined)?.text : childLabel.text) : '')
        return { id, kind: 'button', label: label || textOf(action.name) || id, action: textOf(action.name), context: contextOf(action.context) }
      }
      default:
        return null
    }
  }
  const rootId = comps.has('root') ? 'root' : [...comps.keys()][0]!
  const root = build(rootId, 0)
  return root ? { surfaceId, root } : null
}

/** The values a form holds: text fields and check boxes by component id, as first sent. */
export function a2uiInitialValues(node: A2uiNode, out: Record<string, string | boolean> = {}): Record<string, string | boolean> {
  if (node.kind === 'textField' || node.kind === 'checkBox') out[node.id] = node.value
  if ('children' in node) for (const c of node.children) a2uiInitialValues(c, out)
  return out
}

/** A one-line preview of an A2UI payload: its first text (or a label), undefined when it has none. */
export function a2uiPreview(text: unknown): string | undefined {
  const s = parseA2ui(text)
  if (!s) return undefined
  const first = (n: A2uiNode): string => {
    if (n.kind === 'text') return n.text
    if (n.kind === 'textField' || n.kind === 'checkBox' || n.kind === 'button') return n.label
    if ('children' in n) for (const c of n.children) if (first(c).trim()) return first(c)
    return ''
  }
  return first(s.root).trim() || undefined
}
