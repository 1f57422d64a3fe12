/**
 * `miodesk yunhu …` — the Yunhu (云湖) HTTP API and push WebSocket from a terminal.
 *
 * The token of `yunhu login` is kept in ~/.config/miodesk/cli.json (MIODESK_CLI_CONFIG overrides
 * the path), mode 0600, and printed only with --show-token. Bot tokens and API keys in outputs are
 * masked the same way.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { YunhuApi } from '../core/protocols/yunhu/api'
import { YunhuHttp } from '../core/protocols/yunhu/http'
import { YunhuPush } from '../core/protocols/yunhu/push'
import { parseSettingsValues, validateSettingsValues } from '../core/protocols/yunhu/settings-schema'
import { createConsoleLogger, silentLogger, type Logger } from '../core/log'
import { YUNHU_DEFAULT_API, YUNHU_DEFAULT_WS, YUNHU_PLATFORMS, type YunhuPlatform } from '../shared/yunhu-api'
import { str, type ParsedArgs } from './args'
import { UsageError, type Io } from './mio'
import { listCommands, listMembers } from './yunhu-groups'

export interface YunhuCliConfig {
  api?: string
  ws?: string
  token?: string
  userId?: string
  deviceId?: string
  email?: string
}

interface CliConfigFile {
  yunhu?: YunhuCliConfig
  [other: string]: unknown
}

export function cliConfigPath(): string {
  return process.env.MIODESK_CLI_CONFIG || join(homedir(), '.config', 'miodesk', 'cli.json')
}

async function readConfigFile(): Promise<CliConfigFile> {
  let text: string
  try {
    text = await readFile(cliConfigPath(), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new UsageError(`Cannot read the CLI config ${cliConfigPath()}: ${(e as Error).message}`)
  }
  try {
    const v = JSON.parse(text) as unknown
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as CliConfigFile) : {}
  } catch {
    throw new UsageError(`The CLI config ${cliConfigPath()} is not valid JSON: fix or delete it`)
  }
}

export async function readYunhuConfig(): Promise<YunhuCliConfig> {
  const f = await readConfigFile()
  return typeof f.yunhu === 'object' && f.yunhu !== null ? f.yunhu : {}
}

/** Merges `patch` into the yunhu section; the file is written with mode 0600 (it holds a token). */
export async function writeYunhuConfig(patch: YunhuCliConfig): Promise<YunhuCliConfig> {
  const path = cliConfigPath()
  const f = await readConfigFile()
  const yunhu = { ...(typeof f.yunhu === 'object' && f.yunhu !== null ? f.yunhu : {}), ...patch }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify({ ...f, yunhu }, null, 2) + '\n', { mode: 0o600 })
  await chmod(tmp, 0o600)
  await rename(tmp, path)
  return yunhu
}

function logger(args: ParsedArgs): Logger {
  return args.verbose ? createConsoleLogger('miodesk', 'debug') : silentLogger
}

function need(args: ParsedArgs, key: string, hint: string): string {
  const v = str(args, key)
  if (!v) throw new UsageError(`Missing --${key}: ${hint}`)
  return v
}

async function apiFrom(args: ParsedArgs, opts: { auth?: boolean } = {}): Promise<{ api: YunhuApi; cfg: YunhuCliConfig }> {
  const cfg = await readYunhuConfig()
  const base = str(args, 'api', 'MIODESK_YUNHU_API') ?? cfg.api ?? YUNHU_DEFAULT_API
  const token = str(args, 'token', 'MIODESK_YUNHU_TOKEN') ?? cfg.token ?? ''
  if (opts.auth !== false && !token) throw new UsageError('Not logged in: run "miodesk yunhu login --email E --password P" (or pass --token)')
  return { api: new YunhuApi(new YunhuHttp({ baseUrl: base, token, logger: logger(args) })), cfg }
}

const print = (io: Io, v: unknown): void => io.out(JSON.stringify(v, null, 2) + '\n')
const mask = (show: boolean, s: string | undefined): string | undefined => (show || !s ? s : '***')

function bool01(v: string | boolean | string[] | undefined): number | undefined {
  if (v === undefined) return undefined
  if (v === true || v === '1' || v === 'true' || v === 'yes') return 1
  if (v === false || v === '0' || v === 'false' || v === 'no') return 0
  throw new UsageError('--private takes 0 or 1')
}

function chatTarget(args: ParsedArgs): { chatId: string; chatType: number } {
  const group = str(args, 'group')
  const bot = str(args, 'bot')
  const user = str(args, 'user')
  if (user) return { chatId: user, chatType: 1 }
  const chat = str(args, 'chat')
  if (chat) {
    const t = Number(str(args, 'chat-type') ?? '2')
    if (![1, 2, 3].includes(t)) throw new UsageError('--chat-type is 1 (user), 2 (group) or 3 (bot)')
    return { chatId: chat, chatType: t }
  }
  if (group) return { chatId: group, chatType: 2 }
  if (bot) return { chatId: bot, chatType: 3 }
  throw new UsageError('Missing --user U, --group G, --bot B or --chat ID --chat-type N')
}

export async function runYunhu(cmd: string, args: ParsedArgs, io: Io): Promise<number> {
  const show = args['show-token'] === true
  switch (cmd) {
    case 'login': {
      const email = need(args, 'email', 'the account e-mail')
      const password = str(args, 'password', 'MIODESK_YUNHU_PASSWORD')
      if (!password) throw new UsageError('Missing --password (or MIODESK_YUNHU_PASSWORD)')
      const cfg = await readYunhuConfig()
      const base = str(args, 'api', 'MIODESK_YUNHU_API') ?? cfg.api ?? YUNHU_DEFAULT_API
      const deviceId = str(args, 'device-id') ?? cfg.deviceId ?? `miodesk-cli-${randomBytes(8).toString('hex')}`
      const platform = str(args, 'platform') ?? 'windows'
      const api = new YunhuApi(new YunhuHttp({ baseUrl: base, logger: logger(args) }))
      const token = await api.emailLogin({ email, password, deviceId, platform })
      const me = await api.userInfo()
      const patch: YunhuCliConfig = { api: api.http.baseUrl, token, deviceId, email, userId: me.id }
      const ws = str(args, 'ws')
      if (ws) patch.ws = ws
      await writeYunhuConfig(patch)
      io.out(`logged in as ${me.name ?? '?'} (user ${me.id ?? '?'}); token saved to ${cliConfigPath()}\n`)
      if (show) io.out(`token: ${token}\n`)
      return 0
    }
    case 'whoami': {
      const { api } = await apiFrom(args)
      print(io, await api.userInfo())
      return 0
    }
    case 'bots': {
      const { api } = await apiFrom(args)
      const r = await api.myBots()
      print(io, { total: r.total, bots: r.bots.map((b) => ({ ...b, token: mask(show, b.token) })) })
      return 0
    }
    case 'store': {
      const { api } = await apiFrom(args)
      const [banners, bots] = await Promise.all([api.banners(), api.storeList()])
      print(io, { banners, bots })
      return 0
    }
    case 'models': {
      const { api } = await apiFrom(args)
      print(io, await api.llmModels())
      return 0
    }
    case 'members': {
      const { api } = await apiFrom(args)
      print(io, await listMembers(api, args))
      return 0
    }
    case 'commands': {
      const { api } = await apiFrom(args)
      print(io, await listCommands(api, args))
      return 0
    }
    case 'bot':
      return runBot(args._[0] ?? '', { ...args, _: args._.slice(1) }, io, show)
    case 'settings':
      return runSettings(args._[0] ?? '', args, io)
    case 'watch':
      return watch(args, io)
    case 'send': {
      const { api } = await apiFrom(args)
      const { sendCommand } = await import('./yunhu-send')
      return sendCommand(api, chatTarget(args), args, io, logger(args))
    }
    default:
      throw new UsageError(`Unknown command "yunhu ${cmd}"`)
  }
}

async function runBot(sub: string, args: ParsedArgs, io: Io, show: boolean): Promise<number> {
  const { api } = await apiFrom(args)
  const bot = (): string => need(args, 'bot', 'the bot id')
  switch (sub) {
    case 'info':
      print(io, await api.botInfo(bot()))
      return 0
    case 'detail':
      print(io, await api.botDetail(bot()))
      return 0
    case 'board': {
      const t = chatTarget(args)
      const board = await api.board(t.chatId, t.chatType)
      print(io, board ?? null)
      return 0
    }
    case 'reset-token': {
      const token = await api.resetBotToken(bot())
      io.out(show ? `new bot token: ${token}\n` : 'bot token reset (run with --show-token to print it, or "yunhu bots --show-token")\n')
      return 0
    }
    case 'set-link': {
      const link = str(args, 'link')
      if (link === undefined) throw new UsageError('Missing --link URL (use --link "" to clear it)')
      await api.editSubscribedLink(bot(), link)
      io.out('subscribed link saved\n')
      return 0
    }
    case 'create': {
      const created = await api.createBot({
        name: need(args, 'name', 'the bot name'),
        introduction: str(args, 'introduction'),
        avatarUrl: str(args, 'avatar-url'),
        private: bool01(args.private) === 1
      })
      print(io, created)
      return 0
    }
    case 'edit': {
      const id = bot()
      const { bot: cur } = await api.botDetail(id)
      await api.editBot({
        botId: id,
        nickname: str(args, 'name') ?? cur.nickname,
        introduction: str(args, 'introduction') ?? cur.introduction,
        avatarUrl: str(args, 'avatar-url') ?? cur.avatarUrl,
        private: bool01(args.private) ?? cur.private
      })
      io.out('bot saved\n')
      return 0
    }
    case 'llm': {
      const s = await api.llmSettings(bot())
      print(io, { ...s, key: mask(show, s.key) })
      return 0
    }
    case 'remove-follower':
      await api.removeFollower(bot(), need(args, 'user', 'the user id'))
      io.out('follower removed\n')
      return 0
    case 'remove-group':
      await api.removeGroup(bot(), need(args, 'group', 'the group id'))
      io.out('group removed\n')
      return 0
    case 'set-form': {
      await api.editSettingJson(bot(), need(args, 'json', 'the settings form as a JSON list'))
      io.out('settings form saved\n')
      return 0
    }
    default:
      throw new UsageError(`Unknown command "yunhu bot ${sub}": use info, detail, board, reset-token, set-link, create, edit, llm, remove-follower, remove-group or set-form`)
  }
}

async function runSettings(sub: string, args: ParsedArgs, io: Io): Promise<number> {
  const { api } = await apiFrom(args)
  const bot = need(args, 'bot', 'the bot id')
  const group = need(args, 'group', 'the group id')
  switch (sub) {
    case 'get': {
      const s = await api.groupSettings(bot, group)
      print(io, { form: s.form, values: s.values })
      return 0
    }
    case 'set': {
      const json = need(args, 'json', `the values as JSON, e.g. --json '{"fieldId": "value"}'`)
      const cur = await api.groupSettings(bot, group)
      let values
      try {
        values = parseSettingsValues(json, cur.form, '--json value')
      } catch (e) {
        throw new UsageError((e as Error).message)
      }
      const issues = validateSettingsValues(cur.form, values)
      if (issues.length) throw new UsageError(`Invalid settings: ${issues.map((i) => i.message).join('; ')}`)
      await api.saveGroupSettings(bot, group, { form: cur.form, values: { ...cur.values, ...values } })
      io.out('settings saved\n')
      return 0
    }
    default:
      throw new UsageError(`Unknown command "yunhu settings ${sub}": use get or set`)
  }
}

async function watch(args: ParsedArgs, io: Io): Promise<number> {
  const cfg = await readYunhuConfig()
  const token = str(args, 'token', 'MIODESK_YUNHU_TOKEN') ?? cfg.token
  if (!token) throw new UsageError('Missing --token (or log in first with "miodesk yunhu login")')
  const userId = str(args, 'user-id') ?? cfg.userId
  if (!userId) throw new UsageError('Missing --user-id (your own Yunhu user id)')
  const platform = str(args, 'platform') ?? 'windows'
  if (!(YUNHU_PLATFORMS as readonly string[]).includes(platform)) throw new UsageError(`--platform must be one of ${YUNHU_PLATFORMS.join(', ')}`)
  let deviceId = str(args, 'device-id') ?? cfg.deviceId
  if (!deviceId) {
    deviceId = `miodesk-cli-${randomBytes(8).toString('hex')}`
    await writeYunhuConfig({ deviceId })
  }
  const push = new YunhuPush({
    url: str(args, 'ws', 'MIODESK_YUNHU_WS') ?? cfg.ws ?? YUNHU_DEFAULT_WS,
    userId,
    token,
    deviceId,
    platform: platform as YunhuPlatform,
    logger: logger(args),
    heartbeatIntervalMs: args.heartbeat ? Number(args.heartbeat) * 1000 : undefined
  })
  const line = (o: unknown): void => io.out(JSON.stringify(o) + '\n')
  push.on('status', (s) => line({ event: 'status', ...s }))
  push.on('update', (u) => {
    if (u.kind === 'stream_message') line({ event: u.kind, seq: u.seq, msg_id: u.message.msg_id, append: u.message.content ?? '', text: u.text, message: u.assembled })
    else {
      const { kind, ...rest } = u
      line({ event: kind, ...rest })
    }
  })
  push.on('dropped', (reason) => line({ event: 'dropped', reason }))
  let failed = false
  const stopped = new Promise<void>((resolve) => {
    push.on('status', (s) => {
      if (s.state === 'failed') {
        failed = true
        resolve()
      }
    })
  })
  push.start()
  await Promise.race([io.interrupted, stopped])
  push.stop()
  return failed ? 1 : 0
}
