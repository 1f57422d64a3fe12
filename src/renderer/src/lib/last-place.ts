/**
 * Where the user left off, kept across restarts in the window's localStorage (per origin: the app's window,
 * or the browser bridge's page): the last account and conversation open, and per conversation the message at
 * the top of the view and how far it was scrolled past (so the same message is at the top again). A
 * conversation left at the bottom has no anchor (it opens at the bottom, following new messages).
 * Bad or missing data reads as nothing saved; storage that refuses writes is ignored.
 */

export interface Place {
  accountId: string
  contactId: string
}

export interface ScrollAnchor {
  /** The id of the message at the top of the view. */
  id: string
  /** Pixels of that message above the top of the view (0: its top is at the top). */
  offset: number
}

interface Saved {
  place?: Place
  /** conversation key → anchor, oldest first (bounded). */
  anchors: Record<string, ScrollAnchor>
}

export const LAST_PLACE_KEY = 'miodesk.lastPlace'
const MAX_ANCHORS = 200

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length < 500

function read(s: Storage | undefined = storage()): Saved {
  try {
    const raw = JSON.parse(s?.getItem(LAST_PLACE_KEY) ?? 'null') as Partial<Saved> | null
    const out: Saved = { anchors: {} }
    if (raw?.place && isText(raw.place.accountId) && isText(raw.place.contactId)) out.place = { accountId: raw.place.accountId, contactId: raw.place.contactId }
    if (raw?.anchors && typeof raw.anchors === 'object') {
      for (const [k, a] of Object.entries(raw.anchors)) if (a && isText(a.id) && Number.isFinite(a.offset)) out.anchors[k] = { id: a.id, offset: Math.max(0, Math.round(a.offset)) }
    }
    return out
  } catch {
    return { anchors: {} }
  }
}

function write(saved: Saved, s: Storage | undefined = storage()): void {
  try {
    s?.setItem(LAST_PLACE_KEY, JSON.stringify(saved))
  } catch {
    /* full or refused: nothing to restore next time */
  }
}

export function loadPlace(s?: Storage): Place | undefined {
  return read(s).place
}

export function savePlace(place: Place | undefined, s?: Storage): void {
  const saved = read(s)
  if (place) saved.place = place
  else delete saved.place
  write(saved, s)
}

export function loadAnchor(convKey: string, s?: Storage): ScrollAnchor | undefined {
  return read(s).anchors[convKey]
}

/** Saves (or, with undefined: at the bottom, clears) a conversation's anchor; the newest saved last. */
export function saveAnchor(convKey: string, anchor: ScrollAnchor | undefined, s?: Storage): void {
  const saved = read(s)
  delete saved.anchors[convKey]
  if (anchor) saved.anchors[convKey] = { id: anchor.id, offset: Math.max(0, Math.round(anchor.offset)) }
  const keys = Object.keys(saved.anchors)
  for (const k of keys.slice(0, Math.max(0, keys.length - MAX_ANCHORS))) delete saved.anchors[k]
  write(saved, s)
}
