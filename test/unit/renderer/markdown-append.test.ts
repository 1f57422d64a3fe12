/**
 * The streaming tail's plain-text append (IncrementalMarkdown with rawTail): while only plain text is added to
 * the tail's last line, the tail is not rendered again and `tailAppended` says what to append to its last text
 * node. Property: at every update, the last rendered tail HTML with `tailAppended` put in its last text node is
 * exactly markdown-it's HTML of the tail as it is now — for texts built from the pieces that could break it
 * (emphasis and link characters, entities, list markers, references, code, math, CJK, trailing spaces).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IncrementalMarkdown, appendableText, createBlockRenderer, createMarkdown, splitBlocks, withAppended } from '@renderer/lib/markdown'

const md = createMarkdown()

/** `add` put where the DOM append puts it: into the text that ends the last paragraph or list item. */
function appendedAt(html: string, add: string): string {
  const m = /<\/(?:p|li)>\n(?:<\/(?:li|ul|ol|blockquote)>\n)*$/.exec(html)
  if (!m) throw new Error(`no text to append to in ${JSON.stringify(html)}`)
  return html.slice(0, m.index) + add + html.slice(m.index)
}

const PIECES = [
  'lorem', 'ipsum', ' ', ' ', ' ', 'dolor', ',', '.', '1', '42', '中文', 'é', '\n', '\n\n', '  ', '\t',
  '*', '**', '_', '~~', '`', '$', '$x$', '\\', '&', '&amp', ';', '#', '# ', '- ', '+ ', '* ', '1. ', '2) ', '> ',
  '[a]: ', '[a]', '(b)', 'http', '://', 'example', '.com', '@', 'www.', '|', '---', '===', '```', '<', '>'
]

describe('IncrementalMarkdown: plain text appended to the tail', () => {
  it('the shown tail (rendered HTML + appended text) is always the tail rendered now', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 20 }), (pieces, steps) => {
        const text = pieces.join('')
        const inc = new IncrementalMarkdown(createBlockRenderer(), { rawTail: true })
        let at = 0
        let k = 0
        while (at < text.length) {
          at = Math.min(text.length, at + steps[k++ % steps.length]!)
          const now = text.slice(0, at)
          const out = inc.update(now)
          const tail = now.slice(splitBlocks(now).tailStart)
          if (!out.tailRaw) continue
          const shown = out.tailAppended ? appendedAt(out.tailRaw, out.tailAppended) : out.tailRaw
          expect(shown, JSON.stringify(now)).toBe(md.render(tail))
        }
      }),
      { numRuns: 400 }
    )
  })

  it('takes the fast path for prose (no render per update) and renders again for anything else', () => {
    const r = createBlockRenderer()
    const inc = new IncrementalMarkdown(r, { rawTail: true })
    inc.update('Some words')
    const before = r.renders
    const a = inc.update('Some words and more ')
    const b = inc.update('Some words and more words, 中文')
    expect(r.renders).toBe(before)
    expect(a.tailAppended).toBe(' and more')
    expect(b.tailAppended).toBe(' and more words, 中文')
    expect(b.tailRaw).toBe('<p>Some words</p>\n')
    const c = inc.update('Some words and more words, 中文 *em*')
    expect(r.renders).toBe(before + 1)
    expect(c.tailAppended).toBeUndefined()
    expect(c.tailRaw).toContain('<em>em</em>')
  })

  it('says when a tail shown with appended text became a block with that HTML (its DOM can be kept)', () => {
    const inc = new IncrementalMarkdown(createBlockRenderer(), { rawTail: true })
    inc.update('one two')
    expect(inc.update('one two three').tailAppended).toBe(' three')
    const b = inc.update('one two three\n\nnext')
    expect(b.blocks).toEqual(['<p>one two three</p>\n'])
    expect(b.tailBecameBlock).toBe(true)
    expect(withAppended('<p>one two</p>\n', ' three')).toBe('<p>one two three</p>\n')
  })

  it('refuses the appends that would change what is already there', () => {
    expect(appendableText('see example.', 'com')).toBe(false) // a linkified address
    expect(appendableText('_a_', 'b')).toBe(false) // emphasis no longer closes
    expect(appendableText('text\n1. ', 'item')).toBe(false) // a list that interrupts the paragraph
    expect(appendableText('[a]: ', 'dest')).toBe(false) // a reference definition
    expect(appendableText('a &amp', 'x')).toBe(false)
    expect(appendableText('words', ' and more')).toBe(true)
    expect(appendableText('words', 'x.')).toBe(false)
  })
})
