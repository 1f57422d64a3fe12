#!/usr/bin/env node
// Bundles the CLI (src/cli/index.ts) into ESM under out/cli/ with esbuild, so `bin/miodesk.mjs` starts
// without transpiling TypeScript on every run (tsx costs ~200 ms of start-up; see bench/cli.ts).
//
//   node scripts/build-cli.mjs [--outdir DIR]     (default out/cli; part of `npm run build`)
//
// - One entry file plus chunks: code reached only through a dynamic import (the Yunhu commands and
//   their protobuf codec) is split into its own chunk, so a Mio-Chat command never loads it.
// - Every npm dependency is bundled (ws, socket.io-client, protobufjs, …): a start resolves a few
//   files, not a hundred. Native and optional packages stay external and are required at run time
//   only if some code path asks for them.
// - manifest.json lists the project sources the build was made from and when the build started: the
//   bin runs the source instead of a build when one of them was modified since (or is gone).
import { build } from 'esbuild'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outFlag = process.argv.indexOf('--outdir')
const outDir = outFlag > 0 && process.argv[outFlag + 1] ? resolve(process.argv[outFlag + 1]) : join(root, 'out', 'cli')

/** Never bundled: native addons and ws's optional speed-ups (loaded by a try/catch require when installed). */
const EXTERNAL = ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'electron']

// A stale chunk of an earlier build must not linger beside the new ones.
rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })

// Taken before esbuild reads anything: a source saved during the build makes the build stale, not current.
const sourcesAsOfMs = Date.now()
const result = await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/cli/index.ts' },
  outdir: outDir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  external: EXTERNAL,
  // Bundled CommonJS packages (ws, debug, …) call require() for Node's built-ins: give the ESM output one.
  banner: { js: "import { createRequire as __miodeskCreateRequire } from 'node:module'; const require = __miodeskCreateRequire(import.meta.url);" },
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning'
})

const sources = Object.keys(result.metafile.inputs)
  .filter((p) => !p.includes('node_modules/'))
  .map((p) => relative(root, resolve(root, p)).split('\\').join('/'))
  .sort()
writeFileSync(join(outDir, 'manifest.json'), JSON.stringify({ entry: 'index.mjs', sourcesAsOfMs, sources }, null, 2) + '\n')

const bytes = Object.entries(result.metafile.outputs)
  .filter(([p]) => p.endsWith('.mjs'))
  .reduce((n, [, o]) => n + o.bytes, 0)
process.stdout.write(`build-cli: ${relative(root, outDir) || outDir}/index.mjs (${Math.round(bytes / 1024)} KB of JS in ${Object.keys(result.metafile.outputs).filter((p) => p.endsWith('.mjs')).length} files, from ${sources.length} sources)\n`)
