import { describe, expect, it } from 'vitest'
import { BlockCache, IncrementalMarkdown, createBlockRenderer, createMarkdown, renderMarkdownBlocks, renderMath, splitBlocks } from '@renderer/lib/markdown'

describe('createMarkdown', () => {
  const md = createMarkdown()
  it('escapes raw HTML', () => {
    const html = md.render('<script>alert(1)</script> <b>x</b>')
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;')
  })
  it('highlights fenced code with a language', () => {
    const html = md.render('```js\nconst a = 1\n```')
    expect(html).toContain('class="code-block"')
    expect(html).toContain('hljs language-js')
    expect(html).toContain('hljs-keyword')
  })
  it('renders unknown-language code escaped', () => {
    const html = md.render('```nosuchlang\n<a>\n```')
    expect(html).toContain('&lt;a&gt;')
  })
  it('renders inline and display math with KaTeX', () => {
    expect(md.render('Euler: $e^{i\\pi}+1=0$')).toContain('class="katex"')
    const block = md.render('$$\n\\int_0^1 x\\,dx\n$$')
    expect(block).toContain('math-display')
    expect(block).toContain('katex-display')
    expect(md.render('\\(a^2\\)')).toContain('class="katex"')
  })
  it('does not treat prices as math', () => {
    const html = md.render('costs $5 and $10')
    expect(html).not.toContain('katex')
  })
  it('renders tables in a scroll wrapper', () => {
    const html = md.render('| a | b |\n|---|---|\n| 1 | 2 |')
    expect(html).toContain('<div class="md-table"><table>')
    expect(html).toContain('<td>1</td>')
  })
  it('refuses javascript: links and linkifies URLs', () => {
    expect(md.render('[x](javascript:alert(1))')).not.toContain('href="javascript')
    expect(md.render('see https://example.com')).toContain('href="https://example.com"')
  })
})

describe('splitBlocks', () => {
  it('keeps the last block as the tail', () => {
    const s = splitBlocks('para one\n\npara two\n\npara thr')
    expect(s.blocks).toEqual(['para one', 'para two'])
    expect(s.tail).toBe('para thr')
  })
  it('does not commit a block until the next one starts', () => {
    expect(splitBlocks('para one\n\n').blocks).toEqual([])
    expect(splitBlocks('para one\n\nx').blocks).toEqual(['para one'])
  })
  it('never splits inside a fenced code block', () => {
    const src = '```py\na = 1\n\n\nb = 2\n```\n\nafter'
    const s = splitBlocks(src)
    expect(s.blocks).toEqual(['```py\na = 1\n\n\nb = 2\n```'])
    expect(s.tail).toBe('after')
  })
  it('keeps an unclosed fence in the tail', () => {
    const s = splitBlocks('intro\n\n```js\nx\n\ny')
    expect(s.blocks).toEqual(['intro'])
    expect(s.tail).toBe('```js\nx\n\ny')
  })
  it('never splits inside display math', () => {
    const s = splitBlocks('$$\na\n\nb\n$$\n\nnext')
    expect(s.blocks).toEqual(['$$\na\n\nb\n$$'])
  })
  it('keeps list items separated by blank lines together', () => {
    const s = splitBlocks('1. a\n\n2. b\n\n   more\n\ntext')
    expect(s.blocks).toEqual(['1. a\n\n2. b\n\n   more'])
    expect(s.tail).toBe('text')
  })
  it('concatenated blocks + tail reproduce the text (modulo blank lines)', () => {
    const src = '# T\n\ntext\n\n| a |\n|---|\n| 1 |\n\n```\ncode\n```\n\nend'
    const s = splitBlocks(src)
    expect([...s.blocks, s.tail].join('\n\n')).toBe(src)
  })
})

describe('IncrementalMarkdown', () => {
  const full = [
    '# Title',
    '',
    'Some **bold** text with $x^2$.',
    '',
    '```ts',
    'const x: number = 1',
    '',
    'console.log(x)',
    '```',
    '',
    '| a | b |',
    '|---|---|',
    '| 1 | 2 |',
    '',
    '- one',
    '- two',
    '',
    'The end.'
  ].join('\n')

  it('produces the same HTML as rendering the blocks of the whole text', () => {
    const r = createBlockRenderer()
    const inc = new IncrementalMarkdown(r)
    let out = { blocks: [] as string[], tail: '' }
    for (let i = 1; i <= full.length; i += 7) out = inc.update(full.slice(0, i))
    out = inc.update(full, true)
    const whole = renderMarkdownBlocks(createBlockRenderer(), full)
    expect(out.blocks.join('') + out.tail).toBe(whole.blocks.join('') + whole.tail)
  })

  it('renders each completed block once and only the tail per update', () => {
    const r = createBlockRenderer()
    const inc = new IncrementalMarkdown(r)
    const chunks = 200
    for (let i = 1; i <= chunks; i++) inc.update(full.slice(0, Math.ceil((full.length * i) / chunks)))
    const blocksInFull = splitBlocks(full).blocks.length
    // One render per completed block, plus at most one tail render per update.
    expect(r.renders).toBeLessThanOrEqual(blocksInFull + chunks)
    expect(r.cache.size).toBe(blocksInFull)
  })

  it('keeps completed block HTML strings identical between updates', () => {
    const inc = new IncrementalMarkdown(createBlockRenderer())
    const a = inc.update('one\n\ntwo\n\nthr')
    const b = inc.update('one\n\ntwo\n\nthree')
    expect(b.blocks[0]).toBe(a.blocks[0])
    expect(b.blocks.length).toBe(2)
    expect(b.tail).toContain('three')
  })

  it('resets when the text is replaced rather than appended', () => {
    const inc = new IncrementalMarkdown(createBlockRenderer())
    inc.update('alpha\n\nbeta')
    const out = inc.update('gamma')
    expect(out.blocks).toEqual([])
    expect(out.tail).toContain('gamma')
  })

  it('applies the sanitizer to every block', () => {
    const r = createBlockRenderer((h) => h.replace(/<strong>/g, '<b>').replace(/<\/strong>/g, '</b>'))
    const out = renderMarkdownBlocks(r, '**a**\n\n**b**')
    expect(out.blocks[0]).toContain('<b>a</b>')
    expect(out.tail).toContain('<b>b</b>')
  })

  it('with rawTail, hands the streaming tail back unsanitized and sanitizes it once final', () => {
    const mark = (h: string): string => h.replace(/<strong>/g, '<b>').replace(/<\/strong>/g, '</b>')
    const inc = new IncrementalMarkdown(createBlockRenderer(mark), { rawTail: true })
    const a = inc.update('**a**\n\n**b')
    expect(a.blocks).toEqual(['<p><b>a</b></p>\n'])
    expect(a.tail).toBe('')
    expect(a.tailRaw).toContain('**b')
    const b = inc.update('**a**\n\n**b**')
    expect(b.tailRaw).toContain('<strong>b</strong>')
    const c = inc.update('**a**\n\n**b**', true)
    expect(c.tailRaw).toBeUndefined()
    expect(c.tail).toContain('<b>b</b>')
  })

  it('with rawTail, says when the tail became a block with the same HTML (its DOM can be kept)', () => {
    const inc = new IncrementalMarkdown(createBlockRenderer(), { rawTail: true })
    const a = inc.update('first para\n\n')
    expect(a.blocks).toEqual([])
    const b = inc.update('first para\n\nsecond')
    expect(b.blocks).toHaveLength(1)
    expect(b.tailBecameBlock).toBe(true)
    expect(b.blocks[0]).toBe(a.tailRaw)
    expect(b.tailRaw).toContain('second')
    // A block whose HTML differs from the last tail's (a tight list that became loose): not kept.
    const inc2 = new IncrementalMarkdown(createBlockRenderer(), { rawTail: true })
    inc2.update('- a\n')
    const d = inc2.update('- a\n\n  b\n\nnext')
    expect(d.blocks).toHaveLength(1)
    expect(d.tailBecameBlock).toBeUndefined()
  })

  it('produces the same HTML with rawTail as without', () => {
    const r = createBlockRenderer()
    const inc = new IncrementalMarkdown(r, { rawTail: true })
    for (let i = 1; i <= full.length; i += 5) inc.update(full.slice(0, i))
    const out = inc.update(full, true)
    const whole = renderMarkdownBlocks(createBlockRenderer(), full)
    expect(out.blocks.join('') + out.tail).toBe(whole.blocks.join('') + whole.tail)
  })

  it('a formula cannot cover the screen or stall the page: sizes and macro expansion are capped', () => {
    // A huge rule is clamped to maxSize (10 em), not 5000 em.
    const big = renderMath('\\rule{5000em}{5000em}', true)
    expect(big.match(/[a-z-]+:[0-9.]+em/g)).toEqual(expect.arrayContaining(['height:10em', 'border-right-width:10em']))
    expect(big).not.toMatch(/:5000em/)
    // A macro bomb stops at maxExpand (an error shown in place), instead of expanding without end.
    expect(renderMath('\\def\\a{\\a\\a}\\a', false)).toMatch(/Too many expansions/)
  })

  it('renders repeated formulas once (KaTeX output is cached)', () => {
    const a = renderMath('x^2 + y^2', false)
    expect(renderMath('x^2 + y^2', false)).toBe(a)
    expect(renderMath('x^2 + y^2', true)).not.toBe(a)
  })

  it('is fast on a 20 KB answer in 2,000 chunks', () => {
    const para = 'Lorem ipsum **dolor** sit amet, `consectetur` adipiscing elit. '
    let text = ''
    while (text.length < 20_000) text += `${para.repeat(3)}\n\n- item\n- item\n\n\`\`\`js\nconst a = ${text.length}\n\`\`\`\n\n`
    const inc = new IncrementalMarkdown(createBlockRenderer())
    const t0 = performance.now()
    for (let i = 1; i <= 2000; i++) inc.update(text.slice(0, Math.ceil((text.length * i) / 2000)))
    const ms = performance.now() - t0
    expect(ms).toBeLessThan(5000)
  })
})

describe('BlockCache', () => {
  it('evicts the least recently used entry', () => {
    const c = new BlockCache(2)
    c.set('a', '1')
    c.set('b', '2')
    c.get('a')
    c.set('c', '3')
    expect(c.get('b')).toBeUndefined()
    expect(c.get('a')).toBe('1')
  })
})
