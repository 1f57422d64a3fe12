/**
 * The renderer's shared Markdown block renderer (markdown-it, highlight.js and KaTeX, sanitised with
 * DOMPurify). Only MarkdownView imports it, and MarkdownView is loaded on first use (see lazy.ts), so this
 * module, the libraries behind it and KaTeX's stylesheet and fonts are not part of the first load.
 */
import 'katex/dist/katex.min.css'
import { createBlockRenderer, type BlockRenderer } from './markdown'
import { sanitize } from './render'

let shared: BlockRenderer | null = null
export function blockRenderer(): BlockRenderer {
  return (shared ??= createBlockRenderer(sanitize))
}
