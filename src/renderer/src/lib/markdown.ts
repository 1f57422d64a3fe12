/**
 * Markdown rendering for chat messages, with an incremental path for streamed AI replies.
 *
 * - `createMarkdown()` — markdown-it with raw HTML off, linkify, highlight.js code blocks,
 *   KaTeX math (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`) and scrollable tables.
 * - `splitBlocks(src)` — splits Markdown into completed top-level blocks and the growing tail.
 *   A block is complete once a blank line is followed by an unindented line that starts a new
 *   block (outside fenced code / display math; list items separated by blank lines stay together).
 * - `IncrementalMarkdown` — keeps completed blocks (rendered once, HTML cached by block source)
 *   and re-renders only the tail on each update.
 *
 * Everything here is pure (no DOM); the caller passes a sanitizer (DOMPurify in the renderer).
 */
import MarkdownIt from 'markdown-it'
import type { MarkdownIt as MarkdownItInstance, StateBlock, StateInline } from 'markdown-it'
import hljs from 'highlight.js/lib/common'
import katex from 'katex'

export type Sanitizer = (html: string) => string

const identity: Sanitizer = (s) => s

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

/**
 * KaTeX output by (display mode, TeX): a streamed tail is re-rendered every frame, and the formulas already
 * complete in it would otherwise be typeset again each time. The output depends on these inputs only.
 */
const mathCache = new Map<string, string>()
const MATH_CACHE_MAX = 500

export function renderMath(tex: string, displayMode: boolean): string {
  const key = (displayMode ? 'D' : 'I') + tex
  const hit = mathCache.get(key)
  if (hit !== undefined) return hit
  let html: string
  try {
    // A stranger's formula cannot cover the screen (maxSize: em of any \rule or sizing) or stall the page
    // expanding macros (maxExpand).
    html = katex.renderToString(tex, { displayMode, throwOnError: false, output: 'htmlAndMathml', strict: 'ignore', trust: false, maxSize: 10, maxExpand: 200 })
  } catch {
    html = `<code class="math-error">${escapeHtml(tex)}</code>`
  }
  if (mathCache.size >= MATH_CACHE_MAX) mathCache.delete(mathCache.keys().next().value!)
  mathCache.set(key, html)
  return html
}

/** Inline math: `$…$` (not `$ 5`, not `5$`), and `\(…\)`. */
function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src
  const start = state.pos
  let open: string, close: string
  if (src.startsWith('\\(', start)) {
    open = '\\('
    close = '\\)'
  } else if (src[start] === '$' && src[start + 1] !== '$') {
    open = '$'
    close = '$'
    const next = src[start + 1]
    if (next === undefined || /\s/.test(next)) return false
  } else return false
  let end = start + open.length
  for (;;) {
    end = src.indexOf(close, end)
    if (end < 0) return false
    if (src[end - 1] === '\\' && close === '$') {
      end++
      continue
    }
    break
  }
  const content = src.slice(start + open.length, end)
  if (!content.trim()) return false
  if (open === '$') {
    if (/\s/.test(content[content.length - 1]!)) return false
    const after = src[end + 1]
    if (after !== undefined && /\d/.test(after)) return false
  }
  if (!silent) {
    const token = state.push('math_inline', 'math', 0)
    token.content = content
    token.markup = open
  }
  state.pos = end + close.length
  return true
}

/** Display math: a line starting with `$$` or `\[`, up to the line ending with `$$` / `\]`. */
function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  let pos = state.bMarks[startLine]! + state.tShift[startLine]!
  let max = state.eMarks[startLine]!
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false
  const line = state.src.slice(pos, max)
  let open: string, close: string
  if (line.startsWith('$$')) {
    open = '$$'
    close = '$$'
  } else if (line.startsWith('\\[')) {
    open = '\\['
    close = '\\]'
  } else return false
  if (silent) return true
  pos += open.length
  let first = state.src.slice(pos, max)
  let next = startLine
  let found = false
  let content = ''
  if (first.trim().endsWith(close)) {
    first = first.trim()
    content = first.slice(0, first.length - close.length)
    found = true
  } else {
    content = first.trim() ? first + '\n' : ''
    while (!found) {
      next++
      if (next >= endLine) break
      pos = state.bMarks[next]! + state.tShift[next]!
      max = state.eMarks[next]!
      if (pos < max && state.sCount[next]! < state.blkIndent) break
      const l = state.src.slice(pos, max)
      if (l.trim().endsWith(close)) {
        const t = l.trim()
        content += t.slice(0, t.length - close.length)
        found = true
      } else content += state.src.slice(state.bMarks[next]!, max) + '\n'
    }
  }
  state.line = next + 1
  const token = state.push('math_block', 'math', 0)
  token.block = true
  token.content = content
  token.markup = open
  token.map = [startLine, state.line]
  return true
}

export interface MarkdownOptions {
  /** Label text for code copy buttons (rendered through CSS otherwise). */
  highlight?: boolean
}

export function createMarkdown(opts: MarkdownOptions = {}): MarkdownItInstance {
  const md: MarkdownItInstance = new MarkdownIt({
    html: false,
    linkify: true,
    breaks: true,
    typographer: false,
    highlight(code: string, lang: string): string {
      const language = (lang || '').trim().split(/\s+/)[0]!.toLowerCase()
      let body: string
      if (opts.highlight !== false && language && hljs.getLanguage(language)) {
        try {
          body = hljs.highlight(code, { language, ignoreIllegals: true }).value
        } catch {
          body = escapeHtml(code)
        }
      } else body = escapeHtml(code)
      const label = escapeHtml(language || 'text')
      return (
        `<pre class="code-block"><div class="code-head"><span class="code-lang">${label}</span>` +
        `<button type="button" class="code-copy" data-action="copy-code"></button></div>` +
        `<code class="hljs${language ? ` language-${escapeHtml(language)}` : ''}">${body}</code></pre>`
      )
    }
  })
  md.inline.ruler.before('escape', 'math_inline', mathInline)
  md.block.ruler.before('fence', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] })
  md.renderer.rules.math_inline = (tokens, idx) => renderMath(tokens[idx]!.content, false)
  md.renderer.rules.math_block = (tokens, idx) => `<div class="math-display">${renderMath(tokens[idx]!.content, true)}</div>\n`
  md.renderer.rules.table_open = () => '<div class="md-table"><table>\n'
  md.renderer.rules.table_close = () => '</table></div>\n'
  const defaultLink = md.renderer.rules.link_open ?? ((tokens, idx, o, _env, self) => self.renderToken(tokens, idx, o))
  md.renderer.rules.link_open = (tokens, idx, o, env, self) => {
    const t = tokens[idx]!
    const href = t.attrGet('href')
    if (href) t.attrSet('title', href)
    t.attrSet('rel', 'noopener noreferrer')
    return defaultLink(tokens, idx, o, env, self)
  }
  return md
}

// ---------------------------------------------------------------------------------------------
// Block splitting

const FENCE_RE = /^ {0,3}(`{3,}|~{3,})/
const LIST_RE = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:\s|$)/

export interface BlockSplit {
  /** Completed blocks, each the exact source slice (trailing blank lines excluded). */
  blocks: string[]
  /** The growing last block (may be empty). */
  tail: string
  /** Offset in the input where the tail starts. */
  tailStart: number
}

/** Splits Markdown into completed top-level blocks and the tail. Pure and linear in `src.length`. */
export function splitBlocks(src: string): BlockSplit {
  const blocks: string[] = []
  let blockStart = 0
  let blockEnd = 0 // end of the last non-blank line of the current block
  let fence: { ch: string; len: number } | null = null
  let math: string | null = null
  let sawBlank = false
  let blockIsList = false
  let blockHasContent = false
  let pos = 0
  const n = src.length
  while (pos < n) {
    let eol = src.indexOf('\n', pos)
    const complete = eol >= 0
    if (!complete) eol = n
    const line = src.slice(pos, eol)
    const blank = line.trim() === ''
    if (fence) {
      const m = FENCE_RE.exec(line)
      if (complete && m && m[1]![0] === fence.ch && m[1]!.length >= fence.len && line.slice(m[0].length).trim() === '') fence = null
      blockEnd = eol
    } else if (math) {
      if (complete && line.trim().endsWith(math)) math = null
      blockEnd = eol
    } else if (blank) {
      if (blockHasContent) sawBlank = true
    } else {
      // Indented lines may continue the previous block (list item paragraphs, indented code).
      const indented = /^[ \t]/.test(line)
      const isList = LIST_RE.test(line)
      if (sawBlank && blockHasContent && !indented && !(blockIsList && isList)) {
        // The previous block is complete: the blank line plus this unindented line start a new one.
        blocks.push(src.slice(blockStart, blockEnd))
        blockStart = pos
        blockHasContent = false
      }
      if (!blockHasContent) {
        blockIsList = isList
        blockHasContent = true
      }
      sawBlank = false
      const fm = FENCE_RE.exec(line)
      if (fm) {
        const rest = line.slice(fm[0].length)
        // A backtick fence's info string may not contain backticks; a same-line close is not a fence.
        if (!(fm[1]![0] === '`' && rest.includes('`'))) fence = { ch: fm[1]![0]!, len: fm[1]!.length }
      } else {
        const t = line.trim()
        if (t.startsWith('$$') && !(t.length > 2 && t.endsWith('$$'))) math = '$$'
        else if (t.startsWith('\\[') && !t.endsWith('\\]')) math = '\\]'
      }
      blockEnd = eol
    }
    pos = complete ? eol + 1 : n
  }
  return { blocks, tail: src.slice(blockStart), tailStart: blockStart }
}

// ---------------------------------------------------------------------------------------------
// Cached and incremental rendering

/** A small LRU of rendered block HTML keyed by block source. */
export class BlockCache {
  private map = new Map<string, string>()
  constructor(private readonly max = 2000) {}
  get(key: string): string | undefined {
    const v = this.map.get(key)
    if (v !== undefined) {
      this.map.delete(key)
      this.map.set(key, v)
    }
    return v
  }
  set(key: string, html: string): void {
    if (this.map.has(key)) this.map.delete(key)
    this.map.set(key, html)
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!)
  }
  get size(): number {
    return this.map.size
  }
  clear(): void {
    this.map.clear()
  }
}

export interface BlockRenderer {
  /**
   * Renders one block (sanitized); completed blocks come from the cache after the first time. `raw`, when
   * given, is markdown-it's output for `src` already at hand (it is sanitized like a fresh render).
   */
  render(src: string, cache?: boolean, raw?: string): string
  /** markdown-it's HTML for a block, NOT sanitized: the caller must pass it through the sanitizer (DOM path). */
  renderRaw(src: string): string
  cache: BlockCache
  /** Number of actual markdown-it renders (for tests and benchmarks). */
  renders: number
}

export function createBlockRenderer(sanitize: Sanitizer = identity, md: MarkdownItInstance = createMarkdown(), cache = new BlockCache()): BlockRenderer {
  const r: BlockRenderer = {
    cache,
    renders: 0,
    render(src, useCache = true, raw) {
      if (useCache) {
        const hit = cache.get(src)
        if (hit !== undefined) return hit
      }
      const html = sanitize(raw ?? r.renderRaw(src))
      if (useCache) cache.set(src, html)
      return html
    },
    renderRaw(src) {
      r.renders++
      return md.render(src)
    }
  }
  return r
}

export interface RenderedBlocks {
  /** Rendered completed blocks, stable across updates (same array entries kept). */
  blocks: string[]
  /** Rendered tail (sanitized); empty while streaming with `rawTail` (see `tailRaw`). */
  tail: string
  /**
   * With `{ rawTail: true }`, while not final: markdown-it's HTML of the tail, NOT sanitized — the caller
   * sanitizes it into DOM nodes itself (one parse instead of parse, serialise, parse again).
   */
  tailRaw?: string
  /**
   * With `rawTail`: the first block completed by this update renders to exactly the HTML last returned as
   * `tailRaw`, so the DOM built for that tail can be kept as the block.
   */
  tailBecameBlock?: boolean
  /**
   * With `rawTail`: plain text (letters, digits, spaces, commas: nothing to escape) appended to the last text
   * node of `tailRaw`'s HTML since `tailRaw` was rendered — the tail now renders to exactly that (see
   * `appendableText`). `tailRaw` stays the same string while text is only appended; the caller appends the part
   * of `tailAppended` it has not appended yet, with no parsing and nothing to sanitise.
   */
  tailAppended?: string
}

/**
 * markdown-it HTML whose last text is plain text at the end of a paragraph or list item, possibly inside lists
 * and quotes: text appended to the source's last line lands there (when `appendableText` allows it).
 */
const APPENDABLE_HTML = /[^>\n]<\/(?:p|li)>\n(?:<\/(?:li|ul|ol|blockquote)>\n)*$/
/** `html` (APPENDABLE_HTML) with `add` at the end of its last text: what the DOM shows after the append. */
export function withAppended(html: string, add: string): string {
  const at = html.search(APPENDABLE_HTML) + 1
  return at > 0 ? html.slice(0, at) + add + html.slice(at) : html
}
/** Text that can be appended without a render: it starts, ends and escapes nothing. */
const PLAIN_APPEND = /^[\p{L}\p{N} ,]+$/u
/** The word the append touches (the source's last word) may hold nothing but letters, digits and commas. */
const PLAIN_WORD = /^[\p{L}\p{N},]*$/u
const MARKER_ONLY = /^(?:[-+*]|\d{1,9}[.)])\s*$/

/**
 * True when markdown-it renders `src + add` to its rendering of `src` with `add` appended to the last text
 * (trailing whitespace aside: markdown-it drops it at the end of a paragraph, see IncrementalMarkdown): `add` is
 * plain (no delimiter, entity or link character, no newline), the word it extends is plain too (so no emphasis
 * flanking, entity, autolink or linkified address changes), `src` holds no `[` (a reference definition only
 * becomes one once its destination is there), and its last line is not a list marker still waiting for its
 * content (`1. ` + `x` starts a list that interrupts the paragraph).
 */
export function appendableText(src: string, add: string): boolean {
  if (!PLAIN_APPEND.test(add) || src.includes('[')) return false
  const nl = src.lastIndexOf('\n')
  const lastLine = src.slice(nl + 1)
  if (MARKER_ONLY.test(lastLine.trimStart())) return false
  const ws = Math.max(lastLine.lastIndexOf(' '), lastLine.lastIndexOf('\t'))
  return PLAIN_WORD.test(lastLine.slice(ws + 1))
}

export interface IncrementalOptions {
  /** Return the streaming tail unsanitized in `tailRaw` (the caller sanitizes it), see RenderedBlocks. */
  rawTail?: boolean
}

/**
 * Incremental renderer of one growing Markdown text. `update(text)` is O(new text + tail):
 * completed blocks are split off once and rendered once; only the tail is re-rendered.
 */
export class IncrementalMarkdown {
  private text = ''
  private tailStart = 0
  private blockHtml: string[] = []
  private tailHtml = ''
  /** With `rawTail`: the unsanitized tail HTML last returned ('' when the tail was sanitized or empty). */
  private tailRaw = ''
  /** The tail's source as shown (`tailRaw`'s source plus what was appended since), and whether text may be appended to it. */
  private tailSrc = ''
  private appendable = false
  /** Text appended to `tailRaw`'s last text node since it was rendered, and trailing spaces not shown yet. */
  private appended = ''
  private pendingSpace = ''
  constructor(
    private readonly renderer: BlockRenderer,
    private readonly opts: IncrementalOptions = {}
  ) {}

  update(text: string, final = false): RenderedBlocks {
    if (!text.startsWith(this.text)) {
      this.text = ''
      this.tailStart = 0
      this.blockHtml = []
      this.tailRaw = ''
      this.appendable = false
    }
    const sameText = text === this.text && (this.tailHtml !== '' || this.tailRaw !== '') && !final
    this.text = text
    let tailBecameBlock = false
    if (!sameText) {
      const split = splitBlocks(text.slice(this.tailStart))
      if (split.blocks.length) {
        const prevTailRaw = this.tailRaw
        this.blockHtml = this.blockHtml.concat(
          split.blocks.map((b, i) => {
            if (i !== 0 || !prevTailRaw) return this.renderer.render(b)
            // The block the tail was: markdown-it's HTML is needed anyway on a cache miss, and tells whether
            // the tail's DOM can be kept.
            const raw = this.renderer.renderRaw(b)
            tailBecameBlock = raw === (this.appended ? withAppended(prevTailRaw, this.appended) : prevTailRaw)
            return this.renderer.render(b, true, raw)
          })
        )
        this.tailStart += split.tailStart
      }
      const tail = text.slice(this.tailStart)
      if (!split.blocks.length && this.appendable && this.tailRaw && !final && tail.startsWith(this.tailSrc) && appendableText(this.tailSrc, tail.slice(this.tailSrc.length))) {
        // Only plain text was added to the tail's last line: no render (markdown-it would give the same HTML
        // with the text in its last text node).
        this.appendShown(tail.slice(this.tailSrc.length))
        this.tailSrc = tail
      } else {
        this.tailRaw = ''
        this.tailHtml = ''
        this.appendable = false
        if (tail.trim()) {
          if (this.opts.rawTail && !final) {
            this.tailRaw = this.renderer.renderRaw(tail)
            this.tailSrc = tail
            this.appended = ''
            // markdown-it drops the paragraph's trailing spaces; they show once text follows them.
            const trailing = /[ \t]*$/.exec(tail)![0]
            this.pendingSpace = trailing
            this.appendable = APPENDABLE_HTML.test(this.tailRaw) && !tail.slice(0, tail.length - trailing.length).endsWith('\n')
          } else this.tailHtml = this.renderer.render(tail, final)
        }
      }
    }
    const out: RenderedBlocks = { blocks: this.blockHtml, tail: this.tailHtml }
    if (this.tailRaw) out.tailRaw = this.tailRaw
    if (this.tailRaw && this.appended) out.tailAppended = this.appended
    if (tailBecameBlock) out.tailBecameBlock = true
    return out
  }

  /** Adds plain text to what the tail shows: spaces wait until text follows them, as markdown-it renders it. */
  private appendShown(add: string): void {
    const trailing = /[ \t]*$/.exec(add)![0]
    if (trailing.length === add.length) {
      this.pendingSpace += add
      return
    }
    this.appended += this.pendingSpace + add.slice(0, add.length - trailing.length)
    this.pendingSpace = trailing
  }

  /** The next update renders the tail again (the caller could not append to the DOM it has). */
  resync(): void {
    this.appendable = false
    this.tailRaw = ''
  }

  reset(): void {
    this.text = ''
    this.tailStart = 0
    this.blockHtml = []
    this.tailHtml = ''
    this.tailRaw = ''
    this.appendable = false
  }
}

/** Renders a whole (finished) Markdown text through the block cache. */
export function renderMarkdownBlocks(renderer: BlockRenderer, text: string): RenderedBlocks {
  const split = splitBlocks(text)
  return { blocks: split.blocks.map((b) => renderer.render(b)), tail: split.tail.trim() ? renderer.render(split.tail) : '' }
}
