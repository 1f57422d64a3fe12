/** Message times are memoised by locale and minute: the same words as formatting each time, in every zone. */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { formatMessageTime } from '../../../src/renderer/src/lib/format'

describe('formatMessageTime', () => {
  it('gives what Intl gives for any time, asked in any order, in both UI languages', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom('zh-CN', 'en'), (ms, locale) => {
        const direct = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms)
        expect(formatMessageTime(ms, locale)).toBe(direct)
        // The same minute from its other end: served from the memo, still right.
        const other = Math.floor(ms / 60_000) * 60_000 + 59_999
        expect(formatMessageTime(other, locale)).toBe(new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(other))
      }),
      { numRuns: 3000 }
    )
  })
})
