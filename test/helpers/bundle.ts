/**
 * Reads the built renderer (out/renderer): which scripts the first page load fetches (the entry of
 * index.html, its modulepreloads and, transitively, their static imports; never a dynamic `import()`),
 * and how big they are gzip-compressed (zlib's default level, as `gzip -c`). Used by the bundle E2E test
 * and the start-up benchmark.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'

export function gzipSize(bytes: Buffer | string): number {
  return gzipSync(bytes).length
}

/**
 * Static imports of a built ES module: `import … from "./x.js"` and `import "./x.js"`. A dynamic
 * `import("./x.js")` does not match (a parenthesis follows `import`), nor does a path listed as a string.
 */
export function staticImports(code: string): string[] {
  const re = /\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?(["'])(\.{1,2}\/[^"']+\.js)\1/g
  return [...code.matchAll(re)].map((m) => m[2]!)
}

/** The scripts index.html loads before any code runs (paths relative to `staticDir`). */
export function initialScripts(staticDir: string): string[] {
  const html = readFileSync(join(staticDir, 'index.html'), 'utf8')
  const roots = [
    ...[...html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)].map((m) => m[1]!),
    ...[...html.matchAll(/<link[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+\.js)"/g)].map((m) => m[1]!)
  ]
  const seen = new Set<string>()
  const visit = (abs: string): void => {
    const rel = relative(staticDir, abs)
    if (seen.has(rel)) return
    seen.add(rel)
    for (const dep of staticImports(readFileSync(abs, 'utf8'))) visit(resolve(dirname(abs), dep))
  }
  for (const r of roots) visit(resolve(staticDir, r))
  return [...seen].sort()
}

/** Every built script (paths relative to `staticDir`). */
export function allScripts(staticDir: string): string[] {
  return readdirSync(join(staticDir, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => join('assets', f))
    .sort()
}

/** Total gzip size of these scripts, each compressed on its own (as they are served). */
export function gzipTotal(staticDir: string, files: string[]): number {
  return files.reduce((n, f) => n + gzipSize(readFileSync(join(staticDir, f))), 0)
}

/**
 * Strings only each library's code contains (error messages and its own names, which minification keeps),
 * to tell which built file holds it.
 */
export const LIBRARY_MARKERS: Record<string, string[]> = {
  'markdown-it': ['Wrong `markdown-it` preset'],
  katex: ['KaTeX parse error'],
  'highlight.js': ['Could not find the language']
}

/** Which of `files` contain a marker of each library. */
export function filesWithLibrary(staticDir: string, files: string[]): Record<string, string[]> {
  const texts = files.map((f) => [f, readFileSync(join(staticDir, f), 'utf8')] as const)
  return Object.fromEntries(
    Object.entries(LIBRARY_MARKERS).map(([lib, markers]) => [lib, texts.filter(([, t]) => markers.some((m) => t.includes(m))).map(([f]) => f)])
  )
}
