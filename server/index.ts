/**
 * `npm run server` — starts the MioDesk reference server on 127.0.0.1: Mio-Chat spec dialect
 * (`/api/gateway`), Mio-Chat v2 (Socket.IO at `/socket.io/`) and Yunhu.
 *
 *   --port N            (env PORT, default 8787; 0 = random)
 *   --admin-code CODE   (env MIODESK_ADMIN_CODE; random when absent)
 *   --user-code CODE    (env MIODESK_USER_CODE; random when absent)
 *   --chunk-delay MS    (env MIODESK_CHUNK_DELAY_MS, default 25)
 *   --data-dir DIR      (env MIODESK_DATA_DIR; persists shares; Yunhu data, default ./.miodesk-server)
 *   --yunhu-email E     (env MIODESK_YUNHU_EMAIL; default demo@miodesk.local)
 *   --yunhu-password P  (env MIODESK_YUNHU_PASSWORD; random and printed on first start)
 *   --no-yunhu          serve Mio-Chat only
 *   --no-v2             do not mount the Mio-Chat v2 generation (Socket.IO)
 *   OPENAI_BASE_URL / OPENAI_API_KEY enable the upstream proxy.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_PORT, startServer } from './app'

function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535 * 1000) {
    console.error(`invalid ${name}: ${value}`)
    process.exit(2)
  }
  return n
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      'admin-code': { type: 'string' },
      'user-code': { type: 'string' },
      'chunk-delay': { type: 'string' },
      'data-dir': { type: 'string' },
      'yunhu-email': { type: 'string' },
      'yunhu-password': { type: 'string' },
      'no-yunhu': { type: 'boolean' },
      'no-v2': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' }
    },
    strict: true
  })
  if (values.help) {
    console.log(
      'Usage: npm run server -- [--port N] [--admin-code CODE] [--user-code CODE] [--chunk-delay MS] [--data-dir DIR]\n' +
        '                         [--yunhu-email E] [--yunhu-password P] [--no-yunhu] [--no-v2] [--quiet]'
    )
    return
  }
  const port = intOption(values.port ?? process.env.PORT, 'port', DEFAULT_PORT)
  if (port > 65535) {
    console.error(`invalid port: ${port}`)
    process.exit(2)
  }
  const env = process.env
  const adminGiven = values['admin-code'] || env.MIODESK_ADMIN_CODE || undefined
  const userGiven = values['user-code'] || env.MIODESK_USER_CODE || undefined
  const quiet = values.quiet === true
  const dataDir = values['data-dir'] || env.MIODESK_DATA_DIR || undefined
  const yunhu = values['no-yunhu']
    ? undefined
    : {
        dataDir: resolve(dataDir ?? '.miodesk-server'),
        email: values['yunhu-email'] || env.MIODESK_YUNHU_EMAIL || undefined,
        password: values['yunhu-password'] || env.MIODESK_YUNHU_PASSWORD || undefined
      }
  const server = await startServer({
    port,
    adminCode: adminGiven,
    userCode: userGiven,
    chunkDelayMs: intOption(values['chunk-delay'] ?? env.MIODESK_CHUNK_DELAY_MS, 'chunk delay', 25),
    openaiBaseUrl: env.OPENAI_BASE_URL || undefined,
    openaiApiKey: env.OPENAI_API_KEY || undefined,
    dataDir,
    yunhu,
    mioV2: values['no-v2'] !== true,
    log: quiet ? undefined : (line) => console.log(`[${new Date().toISOString()}] ${line}`)
  })

  const wsUrl = `ws://127.0.0.1:${server.port}/api/gateway`
  console.log(`MioDesk reference server (Mio-Chat spec dialect)`)
  console.log(`  gateway:    ${wsUrl}`)
  console.log(`  http:       ${server.url}`)
  console.log(`  admin code: ${server.adminCode}${adminGiven ? '' : ' (generated)'}`)
  console.log(`  user code:  ${server.userCode}${userGiven ? '' : ' (generated)'}`)
  if (env.OPENAI_BASE_URL) console.log(`  upstream:   ${env.OPENAI_BASE_URL}`)
  if (server.mioV2) {
    console.log(`Mio-Chat v2 (Socket.IO; same codes)  — turn off with --no-v2`)
    console.log(`  socket.io:  ws://127.0.0.1:${server.port}/socket.io/   (client URL: ${server.url})`)
    console.log(`  bootId:     ${server.mioV2.bootId}`)
  }
  if (server.yunhu) {
    const y = server.yunhu
    console.log(`Yunhu (云湖) API`)
    console.log(`  API:        ${server.url}/v1   (client base URL: ${server.url})`)
    console.log(`  push WS:    ws://127.0.0.1:${server.port}/ws`)
    console.log(`  email:      ${y.email}`)
    if (y.generatedPassword) console.log(`  password:   ${y.generatedPassword} (generated; stored hashed, shown only now)`)
    console.log(`  data file:  ${y.dataFile}${y.created ? ' (created with demo data)' : ''}`)
  }
  console.log('Press Ctrl-C to stop.')

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      process.exit(1)
    }
    stopping = true
    console.log(`\n${signal}: shutting down…`)
    const force = setTimeout(() => process.exit(1), 5000)
    force.unref()
    server.close().then(
      () => {
        console.log('stopped')
        process.exit(0)
      },
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
