/**
 * The `miodesk` bin (bin/miodesk.mjs) end to end, in temp trees laid out like a checkout, against the
 * reference server in this process:
 * - with only the bin and the bundled build (scripts/build-cli.mjs; no sources, no node_modules): the
 *   build is self-contained and runs every kind of command (raw WebSocket, Socket.IO, Yunhu's chunk);
 * - a fresh clone (sources and node_modules, no build): the bin falls back to tsx + source, quietly;
 * - sources beside a build: the build runs while it is current, the source once a source is newer.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'
import { cli, ROOT } from '../helpers/cli'

const EMAIL = 'bin@miodesk.local'
const PASSWORD = 'bin-password-1'

let tmp: string
/** bin/ + out/cli/ only. */
let builtTree: string
/** bin/ + package.json + src/ + node_modules (a link), no out/. */
let sourceTree: string
let spec: RunningServer
let v2: RunningServer

const bin = (tree: string): string[] => [join(tree, 'bin', 'miodesk.mjs')]
const specArgs = (): string[] => ['--server', `ws://127.0.0.1:${spec.port}`, '--id', 'bin-test', '--token', 'bin-user']

function copyBin(tree: string): void {
  mkdirSync(join(tree, 'bin'), { recursive: true })
  cpSync(join(ROOT, 'bin', 'miodesk.mjs'), join(tree, 'bin', 'miodesk.mjs'))
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'miodesk-bin-'))
  builtTree = join(tmp, 'built')
  sourceTree = join(tmp, 'source')
  copyBin(builtTree)
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs'), '--outdir', join(builtTree, 'out', 'cli')], { cwd: ROOT, stdio: 'pipe' })

  copyBin(sourceTree)
  cpSync(join(ROOT, 'package.json'), join(sourceTree, 'package.json'))
  // Timestamps kept: the build's manifest compares the sources' mtimes with those it was made from.
  for (const d of ['cli', 'core', 'shared']) cpSync(join(ROOT, 'src', d), join(sourceTree, 'src', d), { recursive: true, preserveTimestamps: true })
  symlinkSync(join(ROOT, 'node_modules'), join(sourceTree, 'node_modules'), 'junction')

  const dataDir = join(tmp, 'yunhu-data')
  spec = await startServer({ port: 0, adminCode: 'bin-admin', userCode: 'bin-user', chunkDelayMs: 0, yunhu: { dataDir, email: EMAIL, password: PASSWORD, chunkDelayMs: 0 } })
  v2 = await startServer({ port: 0, adminCode: 'bin-admin2', userCode: 'bin-user2', chunkDelayMs: 0, mioV2: true })
}, 60_000)

afterAll(async () => {
  await spec?.close()
  await v2?.close()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('bin with the bundled build alone (no sources, no node_modules)', () => {
  it('logs in, lists models and streams a chat on a raw-WebSocket server', async () => {
    const [login, models, chat] = await Promise.all([
      cli(['login', ...specArgs()], { command: bin(builtTree), cwd: tmp }),
      cli(['models', ...specArgs()], { command: bin(builtTree), cwd: tmp }),
      cli(['chat', '--model', 'mio-demo', 'calculate 12*(3+4)', ...specArgs()], { command: bin(builtTree), cwd: tmp })
    ])
    expect(login.code, login.stderr).toBe(0)
    expect(JSON.parse(login.stdout)).toMatchObject({ dialect: 'spec', is_admin: false })
    expect(models.code, models.stderr).toBe(0)
    expect(models.stdout).toMatch(/mio-demo/)
    expect(chat.code, chat.stderr).toBe(0)
    expect(chat.stdout).toMatch(/\[tool calculator: finished\] → 84/)
  }, 30_000)

  it('detects and chats with the Socket.IO generation (socket.io-client bundled)', async () => {
    const args = ['--server', `127.0.0.1:${v2.port}`, '--id', 'bin-v2', '--token', 'bin-user2']
    const chat = await cli(['chat', '--model', 'mio-demo', 'calculate 12*(3+4)', ...args], { command: bin(builtTree), cwd: tmp })
    expect(chat.code, chat.stderr).toBe(0)
    expect(chat.stdout).toMatch(/\[tool calculator_mid_[0-9a-f]{6}: finished\] → 84/)
  }, 30_000)

  it('runs the Yunhu commands from their own chunk', async () => {
    const env = { MIODESK_CLI_CONFIG: join(tmp, 'cli.json') }
    const login = await cli(['yunhu', 'login', '--api', spec.url, '--email', EMAIL, '--password', PASSWORD], { command: bin(builtTree), cwd: tmp, env })
    expect(login.code, login.stderr).toBe(0)
    expect(login.stdout).toMatch(/^logged in as /)
    const whoami = await cli(['yunhu', 'whoami'], { command: bin(builtTree), cwd: tmp, env })
    expect(whoami.code, whoami.stderr).toBe(0)
    expect(JSON.parse(whoami.stdout)).toHaveProperty('id')
  }, 30_000)

  it('fails in words, as the source does', async () => {
    const r = await cli(['login', '--server', `ws://127.0.0.1:${spec.port}`, '--id', 'bin-bad', '--token', 'nope'], { command: bin(builtTree), cwd: tmp })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^miodesk: Invalid credentials: invalid code\n$/)
  }, 30_000)
})

describe('bin in a checkout', () => {
  it('without a build (a fresh clone): tsx + source, with nothing extra on stdout or stderr', async () => {
    rmSync(join(sourceTree, 'out'), { recursive: true, force: true })
    const [login, models] = await Promise.all([
      cli(['login', ...specArgs()], { command: bin(sourceTree), cwd: sourceTree }),
      cli(['models', ...specArgs()], { command: bin(sourceTree), cwd: sourceTree })
    ])
    expect(login.code, login.stderr).toBe(0)
    expect(login.stderr).toBe('')
    expect(JSON.parse(login.stdout)).toMatchObject({ dialect: 'spec' })
    expect(models.code, models.stderr).toBe(0)
    expect(models.stderr).toBe('')
    expect(models.stdout).toMatch(/^[^\n]*: [^\n]*mio-demo/)
  }, 30_000)

  it('with a current build runs it; MIODESK_CLI_FROM_SOURCE=1 or a newer source runs the source', async () => {
    // The build is marked so the output tells which one ran.
    cpSync(join(builtTree, 'out'), join(sourceTree, 'out'), { recursive: true })
    const entry = join(sourceTree, 'out', 'cli', 'index.mjs')
    const text = readFileSync(entry, 'utf8')
    expect(text).toContain('miodesk <command> [options]')
    writeFileSync(entry, text.replace('miodesk <command> [options]', 'miodesk <command> [options] (built)'))
    chmodSync(entry, 0o755)
    const help = (env: Record<string, string> = {}): Promise<string> =>
      cli(['help'], { command: bin(sourceTree), cwd: sourceTree, env }).then((r) => {
        expect(r.code, r.stderr).toBe(0)
        expect(r.stderr).toBe('')
        return r.stdout.split('\n')[0]!
      })

    expect(await help()).toBe('miodesk <command> [options] (built)')
    expect(await help({ MIODESK_CLI_FROM_SOURCE: '1' })).toBe('miodesk <command> [options]')

    const later = new Date(Date.now() + 60_000)
    utimesSync(join(sourceTree, 'src', 'core', 'log.ts'), later, later)
    expect(await help()).toBe('miodesk <command> [options]')
  }, 30_000)
})
