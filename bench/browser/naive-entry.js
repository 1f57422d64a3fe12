/**
 * Bundled for the page by the streaming benchmark (plain JS: the renderer sources belong to the web
 * tsconfig, not the node one): the renderer's own Markdown pipeline (markdown-it + highlight.js + KaTeX,
 * then DOMPurify) used naively — the whole text re-rendered on every chunk.
 */
import { createMarkdown } from '../../src/renderer/src/lib/markdown'
import { sanitize } from '../../src/renderer/src/lib/render'

const md = createMarkdown()
globalThis.__naiveMarkdown = (text) => sanitize(md.render(text))
