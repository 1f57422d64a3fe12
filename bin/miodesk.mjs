#!/usr/bin/env node
// The `miodesk` command. Runs the bundled CLI (out/cli/index.mjs, made by `npm run build` or
// `npm run build:cli`) when it is there and not older than its sources; otherwise the TypeScript
// source through tsx (a dev dependency of the checkout), so a fresh clone works without a build, only
// slower to start. MIODESK_CLI_FROM_SOURCE=1 always runs the source.
//
// Only Node built-ins are loaded before the choice: tsx is imported on the source path alone.
import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const built = join(root, 'out', 'cli', 'index.mjs')
const source = join(root, 'src', 'cli', 'index.ts')

/** The build, unless it is missing or one of the sources it was made from was modified since (or is gone). */
function usableBuild() {
  if (process.env.MIODESK_CLI_FROM_SOURCE === '1') return undefined
  let manifest
  try {
    manifest = JSON.parse(readFileSync(join(root, 'out', 'cli', 'manifest.json'), 'utf8'))
    statSync(built)
  } catch {
    return undefined
  }
  // A build without its sources beside it (copied or packed alone) is all there is.
  if (!statSync(source, { throwIfNoEntry: false })) return built
  for (const p of manifest.sources ?? []) {
    const s = statSync(join(root, p), { throwIfNoEntry: false })
    if (!s || !(s.mtimeMs <= manifest.sourcesAsOfMs)) return undefined
  }
  return built
}

const entry = usableBuild()
if (!entry) {
  const { register } = await import('tsx/esm/api')
  register()
}
// The CLI starts itself when argv[1] names its entry file (src/cli/index.ts or out/cli/index.mjs).
process.argv[1] = entry ?? source
await import(pathToFileURL(entry ?? source).href)
