/**
 * The Yunhu conversations-and-people client (protocols/yunhu/social.ts) and its reading into the
 * app's shapes (accounts/yunhu/conversations.ts): request bytes against the c_http_* fixtures,
 * the JSON bodies the facts give, replies decoded from the fixtures, errors in words.
 */
import { describe, expect, it } from 'vitest'
import { YunhuApiError, YunhuHttp } from '../../../src/core/protocols/yunhu/http'
import { YunhuSocialApi, chatSearchItem } from '../../../src/core/protocols/yunhu/social'
import { addressBookOf, applyPins, requestsOf, searchHitsOf, userProfileOf } from '../../../src/core/accounts/yunhu/conversations'
import { decodeYunhuBody } from '../../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuContact } from '../../../src/core/accounts/yunhu/mapping'
import { fakeFetch, fixture, fixtureResponse, jsonResponse } from './helpers'

function client(respond?: Parameters<typeof fakeFetch>[0]) {
  const f = fakeFetch(respond)
  const api = new YunhuSocialApi(new YunhuHttp({ baseUrl: 'https://chat-go.jwzhd.com', token: 'tok', fetch: f.fetch }))
  return { api, calls: f.calls }
}

describe('request bytes', () => {
  it('address-book-list sends AddressBookListRequest {md5} byte for byte', async () => {
    const { api, calls } = client(() => fixtureResponse('c_http_address_book_resp'))
    await api.addressBook('c0ffee00c0ffee00c0ffee00c0ffee00')
    expect(calls[0]!.url.pathname).toBe('/v1/friend/address-book-list')
    expect(calls[0]!.method).toBe('POST')
    expect(calls[0]!.headers.token).toBe('tok')
    expect([...calls[0]!.body]).toEqual([...fixture('c_http_address_book_req')])
  })

  it('get-user sends GetUserRequest {id} byte for byte', async () => {
    const { api, calls } = client(() => fixtureResponse('c_http_get_user_resp'))
    const u = await api.getUser('7358021')
    expect([...calls[0]!.body]).toEqual([...fixture('c_http_get_user_req')])
    expect(u.id).toBe('7358021')
  })

  it('request-list posts an empty body', async () => {
    const { api, calls } = client(() => fixtureResponse('c_http_request_list_resp'))
    const r = await api.requestList()
    expect(calls[0]!.url.pathname).toBe('/v1/friend/request-list')
    expect(calls[0]!.body.length).toBe(0)
    expect(r.requests).toHaveLength(2)
  })

  it('the JSON bodies are the documented ones', async () => {
    const { api, calls } = client()
    await api.dismissNotification('872440499')
    await api.removeConversation('872440499')
    await api.setSticky('872440499', 2, true)
    await api.setSticky('872440499', 2, false)
    await api.noNotify('26146395', 3, true)
    await api.agreeApply(90121, true)
    await api.agreeApply(90121, false)
    await api.forward('m1', 2, [{ chatId: '7358021', chatType: 1 }])
    expect(calls.map((c) => [c.url.pathname, c.json])).toEqual([
      ['/v1/conversation/dismiss-notification', { chatId: '872440499' }],
      ['/v1/conversation/remove', { chatId: '872440499' }],
      ['/v1/sticky/add', { chatId: '872440499', chatType: 2 }],
      ['/v1/sticky/delete', { chatId: '872440499', chatType: 2 }],
      ['/v1/friend/no-notify', { chatId: '26146395', chatType: 3, noNotify: 1 }],
      ['/v1/friend/agree-apply', { id: 90121, agree: 1 }],
      ['/v1/friend/agree-apply', { id: 90121, agree: 2 }],
      ['/v1/msg/msg-forward', { msgId: 'm1', chatType: 2, receive: [{ chatId: '7358021', chatType: 1 }] }]
    ])
  })

  it("a2ui-form-report sends msg.md's whole body, interactionJson a JSON string", async () => {
    const { api, calls } = client()
    await api.a2uiFormReport({ msgId: 'm', chatId: 'b', chatType: 3, senderId: 'b', surfaceId: 's', actionName: 'go', sourceComponentId: 'btn', context: { city: '杭州', daily: true }, now: new Date(0) })
    expect(calls[0]!.url.pathname).toBe('/v1/msg/a2ui-form-report')
    const body = calls[0]!.json
    expect(body).toEqual({ msgId: 'm', chatType: 3, chatId: 'b', senderId: 'b', actionName: 'go', sourceComponentId: 'btn', formContext: { city: '杭州', daily: true }, interactionJson: expect.any(String) })
    expect(JSON.parse(body.interactionJson)).toEqual({ version: 'v0.9', action: { name: 'go', sourceComponentId: 'btn', timestamp: '1970-01-01T00:00:00.000Z', context: { city: '杭州', daily: true }, surfaceId: 's' } })
  })

  it('chat-search sends word, chat, type "all", size, time and direction', async () => {
    const { api, calls } = client(() => jsonResponse({ code: 1, msg: 'success', data: { list: [{ id: 'a', sequence: 7, name: '小云', content: '看板', type: '1', time: 1787190900123 }, { nope: 1 }] } }))
    const hits = await api.chatSearch({ word: '看板', chatId: 'g', chatType: 2, before: 1787190900999 })
    expect(calls[0]!.json).toEqual({ word: '看板', chatId: 'g', chatType: 2, type: 'all', size: 30, time: 1787190900999, direction: 1 })
    expect(hits).toEqual([{ msgId: 'a', seq: '7', name: '小云', content: '看板', type: '1', time: 1787190900123 }])
  })
})

describe('replies', () => {
  it('a get-user error (4402) is a YunhuApiError with the server words', async () => {
    const { api } = client(() => fixtureResponse('c_http_error_get_user_not_found'))
    const e = await api.getUser('1').catch((x: unknown) => x)
    expect(e).toBeInstanceOf(YunhuApiError)
    expect((e as YunhuApiError).code).toBe(4402)
    expect((e as YunhuApiError).msg).toBe('该用户不存在')
  })

  it('a JSON refusal keeps its words', async () => {
    const { api } = client(() => jsonResponse({ code: -1, msg: '申请不存在' }))
    await expect(api.agreeApply(1, true)).rejects.toMatchObject({ code: -1, msg: '申请不存在' })
  })

  it('the address book is keyed on chat_type (not on the section names)', () => {
    const r = decodeYunhuBody('AddressBookListResponse', fixture('c_http_address_book_resp'))
    r.data![0]!.list_name = 'Users, renamed'
    const book = addressBookOf(r)
    expect(book.users.map((u) => [u.id, u.name, u.realName])).toEqual([
      ['7358021', '晓雨', '林晓雨'],
      ['3920475', 'Kevin Zhao', undefined]
    ])
    expect(book.groups.map((g) => [g.id, g.role, g.muted])).toEqual([
      ['872440499', 'admin', false],
      ['615209837', 'owner', true]
    ])
    expect(book.bots.map((b) => b.id)).toEqual(['26146395'])
  })

  it('requests: pending first, kinds from target_type, times in ms', () => {
    const r = requestsOf(decodeYunhuBody('RequestListResponse', fixture('c_http_request_list_resp')))
    expect(r.pending).toBe(1)
    expect(r.list[0]).toMatchObject({ id: '90121', kind: 'user', fromName: '王思远', note: '你好，我是群里的王思远', state: 'pending', time: 1787190900000 })
    expect(r.list[1]).toMatchObject({ id: '90087', kind: 'group', targetName: 'Rust 学习小组', targetId: '615209837', fromId: '7358021', state: 'accepted' })
  })

  it('a profile: medals in their order, introduction, remark, place', () => {
    const d = decodeYunhuBody('GetUserResponse', fixture('c_http_get_user_resp')).data!
    expect(userProfileOf(d)).toMatchObject({ id: '7358021', kind: 'user', name: '林晓雨', medals: ['内测用户', '活跃之星'], introduction: '喜欢火锅和开源。', remark: '晓雨', place: '杭州市 西湖区', pinned: true, onlineDays: 1204 })
  })

  it('pins are laid over the contacts by chat type and id', () => {
    const m = new Map<string, YunhuContact>([
      ['1', { id: '1', kind: 'user', name: 'a' }],
      ['2', { id: '2', kind: 'group', name: 'b', pinned: true }]
    ])
    applyPins(m, [{ id: '9', chatId: '1', chatType: 1 }, { id: '8', chatId: '2', chatType: 3 }])
    expect(m.get('1')!.pinned).toBe(true)
    expect(m.get('2')!.pinned).toBeUndefined()
  })

  it('search items: the other key names clients saw; seconds become ms; no id, no hit', () => {
    expect(chatSearchItem({ msgId: 'x', senderName: 'n', text: 't', timestamp: 1787190900 })).toEqual({ msgId: 'x', name: 'n', content: 't', time: 1787190900000 })
    expect(chatSearchItem({ name: 'n' })).toBeUndefined()
    expect(searchHitsOf([{ msgId: 'x', name: 'n', content: 'y'.repeat(900), time: 5 }])[0]!.text).toHaveLength(500)
  })
})
