/**
 * Yunhu groups and bot commands at the codec level (src/core/protocols/yunhu/groups.ts and the mapping
 * in src/core/accounts/yunhu/groups.ts): every request body is byte for byte the c_http_* fixture, and
 * the fixture replies read as the app's views.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { YunhuApi } from '../../../src/core/protocols/yunhu/api'
import { YunhuApiError, YunhuHttp } from '../../../src/core/protocols/yunhu/http'
import {
  commandContent,
  commandFormJson,
  fetchBotInstructions,
  fetchGroupBots,
  fetchGroupInfo,
  fetchMembers,
  gagMember,
  menuEvent,
  removeMember
} from '../../../src/core/protocols/yunhu/groups'
import { botCommandViews, groupCommandViews, memberView, platformRefusal, roleOf } from '../../../src/core/accounts/yunhu/groups'
import { draftOf } from '../../../src/core/accounts/yunhu/provider'
import { msgDataToMessage } from '../../../src/core/accounts/yunhu/mapping'
import { localizeCoreText } from '../../../src/shared/core-text'
import type { YunhuSettingsForm } from '../../../src/shared/yunhu-api'
import { FIXTURE_DIR, fakeFetch, fixture, fixtureResponse, jsonResponse, type Responder } from './helpers'

const BASE = 'http://127.0.0.1:9999'
const json = (name: string): any => JSON.parse(readFileSync(`${FIXTURE_DIR}${name}.json`, 'utf8'))

function setup(respond?: Responder) {
  const f = fakeFetch(respond)
  const api = new YunhuApi(new YunhuHttp({ baseUrl: BASE, token: 't', fetch: f.fetch }))
  return { api, http: api.http, last: () => f.calls[f.calls.length - 1]! }
}

describe('Yunhu group requests are the fixtures, byte for byte', () => {
  it('group/info', async () => {
    const { http, last } = setup(() => fixtureResponse('c_http_group_info_resp'))
    const r = await fetchGroupInfo(http, '872440499')
    expect(last().url.pathname).toBe('/v1/group/info')
    expect([...last().body]).toEqual([...fixture('c_http_group_info_req')])
    expect(r.data?.name).toBe('云湖客户端开发群')
    expect(r.data?.permisson_level).toBe(2)
    expect(r.bot?.map((b) => b.bot_id)).toEqual(['26146395', '41920386'])
  })

  it('group/list-member, first page, no keywords; keywords go in field 4', async () => {
    const { http, last } = setup(() => fixtureResponse('c_http_list_member_resp'))
    const r = await fetchMembers(http, { groupId: '872440499', page: 1 })
    expect(last().url.pathname).toBe('/v1/group/list-member')
    expect([...last().body]).toEqual([...fixture('c_http_list_member_req')])
    expect(r.total).toBe(238)
    await fetchMembers(http, { groupId: '872440499', page: 2, keywords: '林' })
    const withKw = last().body
    expect(withKw.length).toBeGreaterThan(fixture('c_http_list_member_req').length)
    expect(new TextDecoder().decode(withKw)).toContain('林')
  })

  it('group/bot-list and instruction/list (decoded as a list)', async () => {
    const { http, last } = setup((c) => fixtureResponse(c.url.pathname === '/v1/group/bot-list' ? 'c_http_bot_list_resp' : 'c_http_bot_instruction_resp'))
    const bots = await fetchGroupBots(http, '872440499')
    expect([...last().body]).toEqual([...fixture('c_http_bot_list_req')])
    expect(bots.instruction?.length).toBe(3)
    const list = await fetchBotInstructions(http, '53087214')
    expect(last().url.pathname).toBe('/v1/instruction/list')
    expect([...last().body]).toEqual([...fixture('c_http_bot_instruction_req')])
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ command_id: '2101', command_name: '润色', command_default_text: '请润色：' })
  })

  it('gag-member, remove-member and menu/event send the JSON of group.md and menu.md', async () => {
    const { http, last } = setup(() => jsonResponse({ code: 1, msg: 'success' }))
    await gagMember(http, { groupId: 'g1', userId: 'u1', gag: 600 })
    expect(last().url.pathname).toBe('/v1/group/gag-member')
    expect(last().json).toEqual({ groupId: 'g1', userId: 'u1', gag: 600 })
    await removeMember(http, { groupId: 'g1', userId: 'u1' })
    expect(last().url.pathname).toBe('/v1/group/remove-member')
    expect(last().json).toEqual({ groupId: 'g1', userId: 'u1' })
    await menuEvent(http, { id: '88', chatId: 'g1', chatType: 2, value: '' })
    expect(last().url.pathname).toBe('/v1/menu/event')
    expect(last().json).toEqual({ id: 88, chatId: 'g1', chatType: 2, value: '' })
  })
})

describe('command and mention messages are the fixtures, byte for byte', () => {
  async function sentBytes(input: Parameters<YunhuApi['sendMessage']>[0]): Promise<number[]> {
    const { api, last } = setup(() => fixtureResponse('c_http_status_ok'))
    await api.sendMessage(input)
    expect(last().url.pathname).toBe('/v1/msg/send-message')
    return [...last().body]
  }

  it('normal: the text with command_id', async () => {
    const f = json('c_http_send_req_command_normal')
    const body = await sentBytes({ msg_id: f.msg_id, chat_id: f.chat_id, chat_type: 3, content_type: 1, content: commandContent(1, { text: '北京' }), command_id: '1032' })
    expect(body).toEqual([...fixture('c_http_send_req_command_normal')])
  })

  it('direct: an empty content', async () => {
    const f = json('c_http_send_req_command_direct')
    const body = await sentBytes({ msg_id: f.msg_id, chat_id: f.chat_id, chat_type: 2, content_type: 1, content: commandContent(2, { text: 'ignored' }), command_id: '1033' })
    expect(body).toEqual([...fixture('c_http_send_req_command_direct')])
  })

  it("form: the form's values as content.form, the int64 id exact", async () => {
    const f = json('c_http_send_req_command_form')
    const form: YunhuSettingsForm = {
      fields: [
        { id: 'kfumpw', key: 0, title: 'Input 输入框', label: '主题', props: [], type: 'input', defaultValue: '', placeholder: '' },
        { id: 'note', key: 1, title: 'Label', label: '说明', props: [], type: 'label' },
        { id: 'rpzjmd', key: 2, title: 'Switch 开关', label: '正式语气', props: [], type: 'switch', defaultValue: false },
        { id: 'bodnzx', key: 3, title: 'Radio 单选框', label: '长度', props: [], type: 'radio', options: ['简短', '中等', '详细'], defaultValue: '' }
      ]
    }
    const formJson = commandFormJson(form, { kfumpw: '周报', rpzjmd: true, bodnzx: '中等' })
    expect(formJson).toBe(f.content.form)
    const body = await sentBytes({ msg_id: f.msg_id, chat_id: f.chat_id, chat_type: 3, content_type: 1, content: commandContent(5, { form: formJson }), command_id: f.command_id })
    expect(body).toEqual([...fixture('c_http_send_req_command_form')])
  })

  it('mentions: the "@name" runs stay in the text, the ids go in mentioned_id', async () => {
    const f = json('c_http_send_req_text_group_mentions')
    const draft = draftOf([
      { type: 'at', data: { qq: '7358021', name: '林晓雨' } },
      { type: 'text', data: { text: ' ' } },
      { type: 'at', data: { qq: '3920475', name: 'Kevin Zhao' } },
      { type: 'text', data: { text: ' the release branch is cut, please test before Friday.' } }
    ])
    expect(draft).toMatchObject({ contentType: 'text', text: f.content.text, mentions: f.content.mentioned_id })
    const body = await sentBytes({ msg_id: f.msg_id, chat_id: f.chat_id, chat_type: 2, content_type: 1, content: { text: draft.text, mentioned_id: draft.mentions } })
    expect(body).toEqual([...fixture('c_http_send_req_text_group_mentions')])
  })
})

describe('fixture replies as the app shows them', () => {
  it('members: roles, mute', async () => {
    const { http } = setup(() => fixtureResponse('c_http_list_member_resp'))
    const r = await fetchMembers(http, { groupId: '872440499', page: 1 })
    const views = (r.user ?? []).map(memberView)
    expect(views.map((v) => [v.name, v.role, v.muted])).toEqual([
      ['Kevin Zhao', 'owner', false],
      ['陈默', 'admin', false],
      ['林晓雨', 'admin', false],
      ['王思远', 'member', true]
    ])
    expect(views[3]!.mutedUntil).toBe(1787204600)
    expect(roleOf(undefined)).toBe('member')
  })

  it('commands: kinds, hint, form parsed, sort order; a broken form or unknown type is left out', async () => {
    const { http } = setup(() => fixtureResponse('c_http_bot_list_resp'))
    const r = await fetchGroupBots(http, '872440499')
    const cmds = groupCommandViews(r.instruction ?? [])
    expect(cmds.map((c) => [c.id, c.name, c.kind])).toEqual([
      ['1032', '天气查询', 'normal'],
      ['3051', '重新构建', 'form'],
      ['1033', '今日天气', 'direct']
    ])
    expect(cmds[0]!.hint).toBe('输入城市名')
    expect(cmds[1]!.form?.fields[0]).toMatchObject({ id: 'brnchx', type: 'input', label: '分支', defaultValue: 'main' })
    expect(groupCommandViews([{ id: '1', type: 5, form: '[not json' }, { id: '2', type: 9 }, { id: '3', type: 2, name: 'ok' }]).map((c) => c.id)).toEqual(['3'])
    expect(botCommandViews([{ command_id: '2101', command_name: '润色', instruction_type: 1, command_default_text: '请润色：' }], '回声')[0]).toMatchObject({ kind: 'normal', defaultText: '请润色：', botName: '回声' })
  })

  it("the platform's refusals: English in the core, the platform's own sentence in zh", () => {
    const e = platformRefusal(new YunhuApiError('/v1/group/gag-member', -1, '您无权操作此群聊，请联系群主或者管理员')) as Error
    expect(e.message).toBe('You have no permission in this group: ask the owner or an admin')
    expect(localizeCoreText(e.message, 'zh-CN')).toBe('您无权操作此群聊，请联系群主或者管理员')
    const owner = platformRefusal(new YunhuApiError('/v1/group/gag-member', -1, '不可以禁言群主！')) as Error
    expect(localizeCoreText(owner.message, 'zh-CN')).toBe('不可以禁言群主！')
    const other = new YunhuApiError('/x', -1, '别的错误')
    expect(platformRefusal(other)).toBe(other)
  })
})

describe('received command messages', () => {
  it('read "/name" before what went with them; a direct one (empty content) is not an empty message', () => {
    const direct = msgDataToMessage({ msg_id: 'm1', sender: { chat_id: 'u' }, direction: 'left', content_type: 1, content: {}, cmd: { cmd_id: '1033', name: '今日天气', type: 2 } }, 'g', 'me')
    expect(direct.segments).toEqual([{ type: 'text', data: { text: '/今日天气' } }])
    const normal = msgDataToMessage({ msg_id: 'm2', sender: { chat_id: 'u' }, content_type: 1, content: { text: '北京', quote_msg_text: 'a: b' }, quote_msg_id: 'q', cmd: { cmd_id: '1032', name: '天气查询', type: 1 } }, 'g', 'me')
    expect(normal.segments).toEqual([
      { type: 'reply', data: { id: 'q', text: 'a: b' } },
      { type: 'text', data: { text: '/天气查询 北京' } }
    ])
    const plain = msgDataToMessage({ msg_id: 'm3', sender: { chat_id: 'u' }, content_type: 1, content: { text: 'hi' }, cmd: { cmd_id: '5' } }, 'g', 'me')
    expect(plain.segments).toEqual([{ type: 'text', data: { text: 'hi' } }])
  })
})
