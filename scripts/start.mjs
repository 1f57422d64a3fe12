#!/usr/bin/env node
/**
 * `npm start`: build the app, start the local reference server beside it, and launch Electron with the
 * server offered as a ready account on first run (MIODESK_SUGGESTED_ACCOUNT).
 *
 *   --no-build      skip `electron-vite build`
 *   --no-server     do not start the reference server
 *   MIODESK_SERVER_PORT   preferred server port (default 8787; a free one is used when busy)
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const argv = process.argv.slice(2)
const flag = (name) => argv.includes(name)
const passThrough = argv.filter((a) => a !== '--no-build' && a !== '--no-server')

/** The Electron binary path, or null when it is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1). */
function electronBinary() {
  try {
    const p = require('electron')
    return typeof p === 'string' && existsSync(p) ? p : null
  } catch {
    return null
  }
}

function missingBinary() {
  console.error(
    [
      '',
      'MioDesk: the Electron binary is missing on this machine.',
      '',
      '  It was not downloaded when the dependencies were installed (for example with',
      '  ELECTRON_SKIP_BINARY_DOWNLOAD=1, or without network access).',
      '',
      '  To run the desktop app, fetch it with network access (and ELECTRON_SKIP_BINARY_DOWNLOAD unset):',
      '      node node_modules/electron/install.js',
      '',
      '  Or use the browser build instead:',
      '      npm run dev:web',
      ''
    ].join('\n')
  )
  process.exit(1)
}

function build() {
  const bin = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  console.log('Building MioDesk (electron-vite build)…')
  const r = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) {
    console.error('MioDesk: the build failed (see above).')
    process.exit(r.status ?? 1)
  }
}

/** Starts `tsx server/index.ts`; resolves with { child, port } once it prints its address, or null. */
function startServer(port, adminCode, userCode) {
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs')
  const args = [tsx, 'server/index.ts', '--port', String(port), '--admin-code', adminCode, '--user-code', userCode, '--data-dir', '.miodesk-server']
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env })
  return new Promise((resolveStart) => {
    let out = ''
    let done = false
    const finish = (value) => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolveStart(value)
    }
    const timer = setTimeout(() => {
      child.kill()
      finish(null)
    }, 30000)
    child.stdout.on('data', (chunk) => {
      const text = chunk.toString()
      if (!done) {
        out += text
        const m = /http:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
        if (m) finish({ child, port: Number(m[1]) })
      }
      process.stdout.write(text.replace(/^(?=.)/gm, '[server] '))
    })
    child.stderr.on('data', (chunk) => process.stderr.write(chunk.toString().replace(/^(?=.)/gm, '[server] ')))
    child.on('exit', () => finish(null))
    child.on('error', () => finish(null))
  })
}

async function main() {
  const electron = electronBinary()
  if (!electron) missingBinary()

  if (!flag('--no-build')) build()

  let server = null
  const adminCode = randomBytes(9).toString('base64url')
  const userCode = randomBytes(9).toString('base64url')
  if (!flag('--no-server')) {
    const preferred = Number(process.env.MIODESK_SERVER_PORT) || 8787
    server = (await startServer(preferred, adminCode, userCode)) ?? (await startServer(0, adminCode, userCode))
    if (!server) console.warn('MioDesk: the local reference server did not start; launching the app without it.')
  }

  const env = { ...process.env }
  delete env.ELECTRON_RUN_AS_NODE
  if (server) {
    env.MIODESK_SUGGESTED_ACCOUNT = JSON.stringify({
      server: `ws://127.0.0.1:${server.port}`,
      id: 'me',
      token: adminCode,
      label: 'Local reference server'
    })
  }

  const app = spawn(electron, ['.', ...passThrough], { cwd: root, stdio: 'inherit', env })
  const stopServer = () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGTERM')
  }
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      if (app.exitCode === null) app.kill(sig)
      stopServer()
    })
  }
  app.on('error', (err) => {
    console.error(`MioDesk: could not launch Electron: ${err.message}`)
    stopServer()
    process.exit(1)
  })
  app.on('exit', (code, signal) => {
    stopServer()
    process.exit(code ?? (signal ? 1 : 0))
  })
}

main().catch((err) => {
  console.error(`MioDesk: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
