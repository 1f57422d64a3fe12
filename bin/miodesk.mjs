#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (a dependency of the project checkout).
import { register } from 'tsx/esm/api'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

register()
const here = dirname(fileURLToPath(import.meta.url))
process.argv[1] = join(here, '..', 'src', 'cli', 'index.ts')
await import(join(here, '..', 'src', 'cli', 'index.ts'))
