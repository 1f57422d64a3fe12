/** Toasts go away by themselves, do not stack the same words twice, and never pile up past four. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useUiStore } from '../../../src/renderer/src/stores/ui'

beforeEach(() => {
  setActivePinia(createPinia())
  vi.useFakeTimers()
})
afterEach(() => vi.useRealTimers())

describe('toasts', () => {
  it('the same words once, at most four, each gone after its time', () => {
    const ui = useUiStore()
    ui.toast('Copied')
    ui.toast('Copied')
    expect(ui.toasts.map((t) => t.text)).toEqual(['Copied'])
    for (const w of ['a', 'b', 'c', 'd', 'e']) ui.toast(w)
    expect(ui.toasts.map((t) => t.text)).toEqual(['b', 'c', 'd', 'e'])
    // An error with the same words as an info is another notice.
    ui.toast('e', 'error')
    expect(ui.toasts.map((t) => `${t.kind}:${t.text}`)).toEqual(['info:c', 'info:d', 'info:e', 'error:e'])
    vi.advanceTimersByTime(3600)
    expect(ui.toasts).toEqual([])
  })
})
