/**
 * `npm run dev:web` — MioDesk in an ordinary browser. Starts the local reference server (in-process),
 * builds the renderer when `out/renderer` is missing or older than its sources, starts the browser
 * bridge (src/bridge/host.ts: the main-process core in Node behind a token-checked WebSocket on
 * 127.0.0.1) and prints the URL to open. The reference server is offered as the suggested account.
 *
 * This is a development/test harness: secrets are kept in plain text (base64) in the data dir.
 *
 *   --no-server          do not start the reference server
 *   --no-build           never build (serve whatever is in --static)
 *   --rebuild            always build first
 *   --port N             bridge port (default 5178; 0 = random)
 *   --server-port N      reference server port (default 8787, a free one when busy; 0 = random)
 *   --chunk-delay MS     reference server: delay between streamed chunks (default 25)
 *   --data-dir DIR       keep the bridge's store here (default: a temp dir removed on exit)
 *   --static DIR         serve this renderer build (default out/renderer)
 *   --json               print one JSON line {url, token, serverUrl, adminCode, userCode} (for scripts)
 *   --quiet              no request log
 */
import { parseArgs } from 'node:util'
import { startBridge, type RunningBridge } from '../src/bridge/host'
import { ensureRendererBuilt } from '../src/bridge/build'
import { startServer, type RunningServer } from '../server/app'

function int(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined || v === '') return dflt
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`dev:web: invalid ${name}: ${v}`)
    process.exit(2)
  }
  return n
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'no-server': { type: 'boolean' },
      'no-build': { type: 'boolean' },
      rebuild: { type: 'boolean' },
      port: { type: 'string' },
      'server-port': { type: 'string' },
      'chunk-delay': { type: 'string' },
      'data-dir': { type: 'string' },
      static: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' }
    },
    strict: true
  })
  if (values.help) {
    console.log(
      'Usage: npm run dev:web -- [--no-server] [--no-build] [--rebuild] [--port N] [--server-port N] [--chunk-delay MS] [--data-dir DIR] [--static DIR] [--json] [--quiet]'
    )
    return
  }
  const say = values.json ? (_: string): void => {} : (line: string): void => console.log(line)
  const log = values.quiet || values.json ? undefined : (line: string): void => console.log(`[${new Date().toISOString().slice(11, 23)}] ${line}`)

  if (!values['no-build']) {
    const state = ensureRendererBuilt({ force: values.rebuild, staticDir: values.static, quiet: values.json })
    if (state !== 'fresh' || values.rebuild) say(`dev:web: renderer build was ${values.rebuild ? 'forced' : state}; built it.`)
  }

  let server: RunningServer | undefined
  if (!values['no-server']) {
    const opts = { chunkDelayMs: int(values['chunk-delay'], 'chunk delay', 25), log: log && ((l: string) => log(`[server] ${l}`)) }
    const preferred = int(values['server-port'], 'server port', 8787)
    try {
      server = await startServer({ ...opts, port: preferred })
    } catch (e) {
      if (preferred === 0) throw e
      say(`dev:web: port ${preferred} is busy; starting the reference server on a free port.`)
      server = await startServer({ ...opts, port: 0 })
    }
  }

  const bridgePort = int(values.port, 'port', 5178)
  const bridgeOpts = {
    staticDir: values.static,
    dataDir: values['data-dir'],
    log: log && ((l: string) => log(`[bridge] ${l}`)),
    suggestedAccount: server && { server: `ws://127.0.0.1:${server.port}`, id: 'me', token: server.adminCode, label: 'Local reference server' }
  }
  let bridge: RunningBridge
  try {
    bridge = await startBridge({ ...bridgeOpts, port: bridgePort })
  } catch (e) {
    if (bridgePort === 0) throw e
    say(`dev:web: port ${bridgePort} is busy; using a free port.`)
    bridge = await startBridge({ ...bridgeOpts, port: 0 })
  }

  if (values.json) {
    console.log(JSON.stringify({ url: bridge.url, token: bridge.token, serverUrl: server && `ws://127.0.0.1:${server.port}`, adminCode: server?.adminCode, userCode: server?.userCode }))
  } else {
    say('')
    say('MioDesk in the browser (development harness: secrets are stored in plain text)')
    if (server) {
      say(`  reference server: ws://127.0.0.1:${server.port}   (admin code ${server.adminCode}, user code ${server.userCode})`)
    }
    say(`  data dir:         ${bridge.dataDir}`)
    say('')
    say(`  Open: ${bridge.url}`)
    say('')
    say('The token in that URL is required; other pages cannot use the bridge. Press Ctrl-C to stop.')
  }

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) process.exit(1)
    stopping = true
    say(`\n${signal}: shutting down…`)
    const force = setTimeout(() => process.exit(1), 5000)
    force.unref()
    Promise.allSettled([bridge.close(), server?.close()]).then(() => process.exit(0))
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((err: unknown) => {
  console.error(`dev:web: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
