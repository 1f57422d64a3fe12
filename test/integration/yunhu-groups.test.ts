/**
 * Yunhu groups and bot commands through the handler table against the reference server: group info,
 * members (paging from 1, search), mute and remove (the owner; refused for a plain member with the
 * platform's sentence), a chat's commands (group/bot-list, instruction/list), sending normal, direct
 * and form commands and the bot's answers, quick menus, and a message with mentions.
 */
import type { EventEmitter } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { createHandlers, type ApiHandlers } from '../../src/core/handlers'
import type { SecretBox } from '../../src/core/storage/storage'
import type { AccountInfo, MainEvents } from '../../src/shared/api'
import type { ChatMessage } from '../../src/shared/mio'
import { waitFor } from '../unit/yunhu/helpers'
import { yunhuTestCore } from '../helpers/yunhu-core'
import { main } from '../../src/cli/index'
import { YunhuApi } from '../../src/core/protocols/yunhu/api'
import { fetchMembers } from '../../src/core/protocols/yunhu/groups'
import type { Io } from '../../src/cli/mio'

const EMAIL = 'demo@miodesk.local'
const PASSWORD = 'groups-it-pw-1'
const ECHO_BOT = '60000001'
const DEMO_GROUP = '300000001'
const DEV_GROUP = '300000002'
const FRIEND = '1000002'

const box: SecretBox = { isSecure: true, encrypt: (p) => `enc:${p}`, decrypt: (c) => c.slice(4) }
let dir: string
let server: RunningServer
let core: AppCore
let h: ApiHandlers
let account: AccountInfo
const received: ChatMessage[] = []

const textOf = (m: ChatMessage): string => m.segments.map((s) => String(s.data.text ?? '')).join('')
const botSaid = (contactId: string, re: RegExp): ChatMessage | undefined => received.find((m) => m.contactId === contactId && !m.self && re.test(textOf(m)))

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'miodesk-yunhu-groups-'))
  server = await startServer({ port: 0, dataDir: dir, yunhu: { dataDir: dir, email: EMAIL, password: PASSWORD, chunkDelayMs: 25, followUpMs: 60 } })
  core = yunhuTestCore({ secrets: box })
  ;(core.events as unknown as EventEmitter).on('message', (p: MainEvents['message']) => received.push(p.message))
  h = createHandlers(core)
  account = await h['accounts:add']('yunhu', { api: server.url, email: EMAIL, password: PASSWORD })
  await h['contacts:list'](account.id)
})

afterAll(async () => {
  await core?.stop()
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('Yunhu groups against the reference server', () => {
  it('group info: name, introduction, count, my role, bots', async () => {
    const g = await h['yunhu:group-info'](account.id, DEMO_GROUP)
    expect(g).toMatchObject({ groupId: DEMO_GROUP, name: 'MioDesk 演示群', myRole: 'owner', memberCount: 63 })
    expect(g.introduction).toContain('演示')
    expect(g.bots.map((b) => b.botId)).toEqual([ECHO_BOT, '60000003'])
    expect((await h['yunhu:group-info'](account.id, DEV_GROUP)).myRole).toBe('member')
    await expect(h['yunhu:group-info'](account.id, ECHO_BOT)).rejects.toThrow('This conversation is not a Yunhu group')
  })

  it('members: page 1 of 50 with the owner first, page 2 the rest, search by keywords', async () => {
    const p1 = await h['yunhu:members'](account.id, DEMO_GROUP, 1)
    expect(p1).toMatchObject({ total: 63, page: 1, hasMore: true })
    expect(p1.members).toHaveLength(50)
    expect(p1.members[0]).toMatchObject({ userId: '1000001', role: 'owner' })
    const p2 = await h['yunhu:members'](account.id, DEMO_GROUP, 2)
    expect(p2).toMatchObject({ page: 2, hasMore: false })
    expect(p2.members).toHaveLength(13)
    const ids = new Set([...p1.members, ...p2.members].map((m) => m.userId))
    expect(ids.size).toBe(63)
    const found = await h['yunhu:members'](account.id, DEMO_GROUP, 1, '林晓')
    expect(found.members.map((m) => m.name)).toEqual(['林晓雨'])
    expect(found).toMatchObject({ total: 1, hasMore: false })
  })

  it('mute as the owner (a duration of the platform), shown in the list; off again', async () => {
    await h['yunhu:mute-member'](account.id, DEMO_GROUP, FRIEND, 600)
    const m = (await h['yunhu:members'](account.id, DEMO_GROUP, 1, '小云')).members[0]!
    expect(m.muted).toBe(true)
    expect(m.mutedUntil! - Date.now() / 1000).toBeGreaterThan(500)
    await h['yunhu:mute-member'](account.id, DEMO_GROUP, FRIEND, -1)
    expect((await h['yunhu:members'](account.id, DEMO_GROUP, 1, '小云')).members[0]!.mutedUntil).toBe(-1)
    await h['yunhu:mute-member'](account.id, DEMO_GROUP, FRIEND, 0)
    expect((await h['yunhu:members'](account.id, DEMO_GROUP, 1, '小云')).members[0]!.muted).toBe(false)
    await expect(h['yunhu:mute-member'](account.id, DEMO_GROUP, FRIEND, 120)).rejects.toThrow('That mute duration is not allowed, try again')
  })

  it("a plain member is refused, with the platform's sentence; the owner cannot be muted or removed", async () => {
    await expect(h['yunhu:mute-member'](account.id, DEV_GROUP, FRIEND, 600)).rejects.toThrow('You have no permission in this group: ask the owner or an admin')
    await expect(h['yunhu:remove-member'](account.id, DEV_GROUP, FRIEND)).rejects.toThrow('You have no permission in this group: ask the owner or an admin')
    await expect(h['yunhu:mute-member'](account.id, DEMO_GROUP, '1000001', 600)).rejects.toThrow('The group owner cannot be muted')
    await expect(h['yunhu:remove-member'](account.id, DEMO_GROUP, '1000001')).rejects.toThrow('The group owner cannot be removed')
    await expect(h['yunhu:remove-member'](account.id, DEMO_GROUP, '99999')).rejects.toThrow('That user is not in this group, try again')
  })

  it('remove a member as the owner', async () => {
    await h['yunhu:remove-member'](account.id, DEMO_GROUP, '2000056')
    expect((await h['yunhu:group-info'](account.id, DEMO_GROUP)).memberCount).toBe(62)
    expect((await h['yunhu:members'](account.id, DEMO_GROUP, 1, '2000056')).members).toEqual([])
  })
})

describe('Yunhu bot commands against the reference server', () => {
  it("a group's commands (group/bot-list) and a bot chat's (instruction/list); a user chat has none", async () => {
    const g = await h['yunhu:commands'](account.id, DEMO_GROUP)
    expect(g.commands.map((c) => [c.name, c.kind, c.botName])).toEqual([
      ['润色', 'normal', '回声机器人'],
      ['重新构建', 'form', '回声机器人'],
      ['天气查询', 'normal', '天气机器人'],
      ['今日天气', 'direct', '天气机器人']
    ])
    expect(g.menus.map((m) => m.name)).toEqual(['最近构建'])
    const b = await h['yunhu:commands'](account.id, ECHO_BOT)
    expect(b.commands.map((c) => c.id)).toEqual(['2101', '3051'])
    expect(b.commands[0]!.defaultText).toBe('请润色：')
    expect((await h['yunhu:commands'](account.id, FRIEND)).commands).toEqual([])
  })

  it('normal: the text goes with the command and the bot answers it', async () => {
    const sent = await h['yunhu:send-command'](account.id, DEMO_GROUP, '1032', { text: '北京' })
    expect(sent).toMatchObject({ self: true, status: 'sent' })
    expect(textOf(sent)).toBe('/天气查询 北京')
    await waitFor(() => !!botSaid(DEMO_GROUP, /^指令 \/天气查询: 北京$/), 6000, 'the bot answer')
    await expect(h['yunhu:send-command'](account.id, DEMO_GROUP, '1032', { text: '  ' })).rejects.toThrow('Type the text for the command first')
  })

  it('direct: sent at once with nothing typed', async () => {
    await h['yunhu:send-command'](account.id, DEMO_GROUP, '1033', {})
    await waitFor(() => !!botSaid(DEMO_GROUP, /^指令 \/今日天气 已执行$/), 6000, 'the bot answer')
  })

  it("form: the form's values, checked first, and the bot reads them", async () => {
    await h['yunhu:send-command'](account.id, ECHO_BOT, '3051', { values: { brnchx: 'release', clnchx: true, envrdx: '生产' } })
    await waitFor(() => !!botSaid(ECHO_BOT, /收到表单/), 6000, 'the bot answer')
    const reply = botSaid(ECHO_BOT, /收到表单/)!
    expect(textOf(reply)).toContain('分支: release')
    expect(textOf(reply)).toContain('环境: 生产')
    await expect(h['yunhu:send-command'](account.id, ECHO_BOT, '3051', { values: { envrdx: '不存在' } })).rejects.toThrow()
    await expect(h['yunhu:send-command'](account.id, ECHO_BOT, '424242', {})).rejects.toThrow('That bot command is no longer offered here')
  })

  it('quick menu: the bot answers the button', async () => {
    await h['yunhu:menu-event'](account.id, DEMO_GROUP, '88')
    await waitFor(() => !!botSaid(DEMO_GROUP, /菜单「最近构建」/), 6000, 'the menu answer')
  })

  it('a mention is sent as the platform mention (mentioned_id) and comes back as an @ part', async () => {
    const m = await h['messages:send'](account.id, DEMO_GROUP, [
      { type: 'at', data: { qq: FRIEND, name: '小云' } },
      { type: 'text', data: { text: ' 看一下' } }
    ])
    expect(m.status).toBe('sent')
    const page = await h['history:list'](account.id, DEMO_GROUP, undefined, 50)
    const back = page.find((x) => x.id === m.id)!
    expect(back.segments.find((s) => s.type === 'at')?.data).toMatchObject({ qq: FRIEND })
  })
})

describe('the CLI: yunhu members and yunhu commands', () => {
  function io(): Io & { text: () => string } {
    let out = ''
    return { out: (s) => (out += s), err: () => {}, interrupted: new Promise<void>(() => {}), text: () => out }
  }

  it('logs in, lists every member page with --all, searches, and lists a bot\'s and a group\'s commands', async () => {
    process.env.MIODESK_CLI_CONFIG = join(dir, 'cli.json')
    try {
      expect(await main(['yunhu', 'login', '--api', server.url, '--email', EMAIL, '--password', PASSWORD], io())).toBe(0)
      const all = io()
      expect(await main(['yunhu', 'members', DEMO_GROUP, '--all'], all)).toBe(0)
      const r = JSON.parse(all.text()) as { total: number; members: { userId: string; role: string }[]; hasMore: boolean }
      expect(r.members.length).toBe(r.total)
      expect(r.total).toBeGreaterThan(50)
      expect(r.hasMore).toBe(false)
      expect(r.members[0]).toMatchObject({ userId: '1000001', role: 'owner' })
      const one = io()
      expect(await main(['yunhu', 'members', DEMO_GROUP], one)).toBe(0)
      expect(JSON.parse(one.text())).toMatchObject({ hasMore: true })
      const kw = io()
      expect(await main(['yunhu', 'members', DEMO_GROUP, '--keywords', 'Kevin'], kw)).toBe(0)
      expect(JSON.parse(kw.text()).members.map((m: { name: string }) => m.name)).toEqual(['Kevin Zhao'])
      const cmds = io()
      expect(await main(['yunhu', 'commands', ECHO_BOT], cmds)).toBe(0)
      expect(JSON.parse(cmds.text()).commands.map((c: { name: string; kind: string }) => `${c.name}:${c.kind}`)).toEqual(['润色:normal', '重新构建:form'])
      const g = io()
      expect(await main(['yunhu', 'commands', '--group', DEMO_GROUP], g)).toBe(0)
      expect(JSON.parse(g.text()).commands).toHaveLength(4)
      expect(await main(['yunhu', 'members'], io())).toBe(1)
    } finally {
      delete process.env.MIODESK_CLI_CONFIG
    }
  })
})

describe('a muted member of the reference server', () => {
  it('cannot post in the group until the mute ends (the server refuses in words)', async () => {
    await server.yunhu!.flush()
    const file = server.yunhu!.dataFile
    const url = server.url
    const port = server.port
    await server.close()
    const data = JSON.parse(await readFile(file, 'utf8')) as { groups: { groupId: string; gags?: Record<string, number> }[] }
    data.groups.find((g) => g.groupId === DEV_GROUP)!.gags = { '1000001': -1 }
    await writeFile(file, JSON.stringify(data))
    server = await startServer({ port, dataDir: dir, yunhu: { dataDir: dir, email: EMAIL, password: PASSWORD } })
    expect(server.url).toBe(url)
    const api = new YunhuApi({ baseUrl: url })
    await api.emailLogin({ email: EMAIL, password: PASSWORD, deviceId: 'it-muted' })
    const send = (chatId: string) => api.sendMessage({ chat_id: chatId, chat_type: 2, content_type: 1, content: { text: 'hi' } })
    await expect(send(DEV_GROUP)).rejects.toThrow('你已被禁言，暂时不能在本群发言')
    await expect(send(DEMO_GROUP)).resolves.toMatch(/^[0-9a-f]{32}$/)
    const members = await fetchMembers(api.http, { groupId: DEV_GROUP, page: 1, keywords: '1000001' })
    expect(members.user?.[0]).toMatchObject({ is_gag: true, gag_time: '-1' })
  })

  it('an admin (not the owner) may mute and remove members, not the owner', async () => {
    await server.yunhu!.flush()
    const file = server.yunhu!.dataFile
    const port = server.port
    await server.close()
    const data = JSON.parse(await readFile(file, 'utf8')) as { groups: { groupId: string; members: string[]; admins: string[]; gags?: Record<string, number> }[] }
    const dev = data.groups.find((g) => g.groupId === DEV_GROUP)!
    dev.gags = {}
    dev.admins.push('1000001')
    dev.members.push('1000003')
    await writeFile(file, JSON.stringify(data))
    server = await startServer({ port, dataDir: dir, yunhu: { dataDir: dir, email: EMAIL, password: PASSWORD } })
    expect((await h['yunhu:group-info'](account.id, DEV_GROUP)).myRole).toBe('admin')
    await h['yunhu:mute-member'](account.id, DEV_GROUP, '1000003', 43200)
    expect((await h['yunhu:members'](account.id, DEV_GROUP, 1, '阿湖')).members[0]).toMatchObject({ role: 'member', muted: true })
    await expect(h['yunhu:mute-member'](account.id, DEV_GROUP, FRIEND, 600)).rejects.toThrow('The group owner cannot be muted')
    await h['yunhu:remove-member'](account.id, DEV_GROUP, '1000003')
    expect((await h['yunhu:members'](account.id, DEV_GROUP, 1)).members.map((m) => m.userId).sort()).toEqual(['1000001', FRIEND])
  })
})
