/** Where the user left off, kept in localStorage: bad data reads as nothing, anchors are bounded. */
import { describe, expect, it } from 'vitest'
import { LAST_PLACE_KEY, loadAnchor, loadPlace, saveAnchor, savePlace } from '@renderer/lib/last-place'

function memory(): Storage {
  const m = new Map<string, string>()
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) } as unknown as Storage
}

describe('last place', () => {
  it('keeps the last conversation and each conversation’s anchor', () => {
    const s = memory()
    expect(loadPlace(s)).toBeUndefined()
    savePlace({ accountId: 'a', contactId: 'llm:1' }, s)
    saveAnchor('a\u0000llm:1', { id: 'm42', offset: 17.6 }, s)
    expect(loadPlace(s)).toEqual({ accountId: 'a', contactId: 'llm:1' })
    expect(loadAnchor('a\u0000llm:1', s)).toEqual({ id: 'm42', offset: 18 })
    // At the bottom: no anchor (it opens at the bottom).
    saveAnchor('a\u0000llm:1', undefined, s)
    expect(loadAnchor('a\u0000llm:1', s)).toBeUndefined()
    expect(loadPlace(s)).toEqual({ accountId: 'a', contactId: 'llm:1' })
  })
  it('reads damaged data as nothing saved and keeps at most 200 anchors', () => {
    const s = memory()
    s.setItem(LAST_PLACE_KEY, '{not json')
    expect(loadPlace(s)).toBeUndefined()
    s.setItem(LAST_PLACE_KEY, JSON.stringify({ place: { accountId: 3 }, anchors: { k: { id: 'x', offset: 'far' } } }))
    expect(loadPlace(s)).toBeUndefined()
    expect(loadAnchor('k', s)).toBeUndefined()
    for (let i = 0; i < 210; i++) saveAnchor(`c${i}`, { id: `m${i}`, offset: 0 }, s)
    expect(loadAnchor('c0', s)).toBeUndefined()
    expect(loadAnchor('c209', s)).toEqual({ id: 'm209', offset: 0 })
  })
})
