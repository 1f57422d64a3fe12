/**
 * The fake Yunhu (云湖) account of the mock API (`?mock=1&yunhu=1`, or add a Yunhu account in the
 * mock). It mirrors the reference server's demo data: a bot store with banners, my bots with tokens
 * and a settings form of all six item types, a group with a board and a chat of every content type,
 * a streamed bot reply (send anything to 流式助手, or a text containing "stream"), buttons, recall
 * and edit. Password "wrong" fails login; sending "/logout" makes the token expire (-101) until
 * the account logs in again. XSS payloads sit in a bot's name, introduction, a board and messages.
 */
import type { AccountInfo, AddYunhuAccountInput, ApiMethods, Contact, StreamDelta, YunhuBoard } from '@shared/api'
import type { ChatMessage, Segment } from '@shared/mio'
import type { YunhuBanner, YunhuBotGroup, YunhuGroupSettings, YunhuLlmModel, YunhuMyBot, YunhuSettingsForm, YunhuSettingsValues, YunhuStoreBot } from '@shared/yunhu-api'
import type { YunhuBotData } from '@shared/yunhu'
import { formToJson, initialValues, isHttpUrl, parseForm } from './lib/yunhu'

export const YH_ACC = 'yunhu-1'
const ME = '1000001'
const GROUP = '300000001'
const ECHO = '60000001'
const STREAM = '60000002'
const WEATHER = '60000003'
const FRIEND = '1000002'
const XSS_BOT = '60000009'

type Handlers = { [C in keyof ApiMethods]?: (...args: Parameters<ApiMethods[C]>) => ReturnType<ApiMethods[C]> }

export interface YunhuMockContext {
  emit: (event: string, payload: unknown) => void
  sleep: (ms: number) => Promise<void>
  image: (w: number, h: number, a: string, b: string, label: string) => string
}

/** A message as the mock keeps it (senderName/editedAt ride along for the renderer). */
type Msg = ChatMessage & { senderName?: string; editedAt?: number }

const FORM = JSON.stringify([
  { id: 'pqkyru', key: 0, type: 'radio', title: 'Radio 单选框', props: [], propsValue: { label: '回复语言', options: '中文#English#日本語', defaultValue: '中文' } },
  { id: 'xmmtbi', key: 1, type: 'input', title: 'Input 输入框', props: [], propsValue: { defaultValue: '小湖', label: '机器人昵称', placeholder: '在群里怎么称呼机器人' } },
  { id: 'vnafdx', key: 2, type: 'switch', title: 'Switch 开关', props: [], propsValue: { defaultValue: '1', label: '欢迎新成员' } },
  { id: 'sdudlm', key: 3, type: 'checkbox', title: 'Checkbox 多选框', props: [], propsValue: { label: '订阅内容', options: '新闻#天气#股票' } },
  { id: 'qievxs', key: 4, type: 'textarea', title: 'textarea 多行输入框', props: [], propsValue: { label: '欢迎语', placeholder: '新成员入群时发送的文字' } },
  { id: 'pzdslt', key: 5, type: 'select', title: 'Select 选择器', props: [], propsValue: { label: '城市', options: '北京#上海#天津' } }
])

export function createYunhuMock(ctx: YunhuMockContext) {
  const { emit, sleep, image } = ctx
  const dataUrl = (w: number, h: number, a: string, b: string, label: string) => image(w, h, a, b, label).replace('base64://', 'data:image/svg+xml;base64,')
  let account: AccountInfo | null = null
  let expired = false
  let seq = 5000
  const nextId = () => `ym${++seq}`
  const history = new Map<string, Msg[]>()
  const boards = new Map<string, YunhuBoard>()
  const groupValues = new Map<string, YunhuSettingsValues>()

  const bots: YunhuMyBot[] = [
    { botId: ECHO, nickname: '回声机器人', avatarUrl: dataUrl(96, 96, '#22c55e', '#0ea5e9', 'E'), token: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', link: 'https://example.com/yunhu/subscribe', introduction: '回复你发的每一条消息; 支持 /help /buttons /board', private: 0, isStop: 0, settingJson: FORM, headcount: 25 },
    { botId: STREAM, nickname: '流式助手', avatarUrl: dataUrl(96, 96, '#a855f7', '#ec4899', 'S'), token: 'ffeeddccbbaa99887766554433221100', link: '', introduction: '大模型机器人 (演示): 每条回复都以流式输出', private: 1, isStop: 0, settingJson: '', headcount: 1 }
  ]
  const storeBots: YunhuStoreBot[] = [
    { chatId: ECHO, chatType: '3', headcount: '25', nickname: '回声机器人', introduction: '回复你发的每一条消息; 支持 /help /buttons /board /markdown /html', avatarUrl: bots[0]!.avatarUrl },
    { chatId: WEATHER, chatType: '3', headcount: '1202', nickname: '天气机器人', introduction: '每天早上推送天气', avatarUrl: dataUrl(96, 96, '#f59e0b', '#ef4444', 'W') },
    { chatId: XSS_BOT, chatType: '3', headcount: '3', nickname: '<img src=x onerror="window.__xss=1">XSS 测试', introduction: '<script>window.__xss=1</script>介绍里的 <b onclick="window.__xss=1">脚本</b> 不会执行', avatarUrl: 'javascript:window.__xss=1' }
  ]
  const banners: YunhuBanner[] = [
    { id: 1, title: '欢迎使用 MioDesk', introduction: '本地参考服务器的机器人商店', targetId: ECHO, targetUrl: '', imageUrl: dataUrl(960, 280, '#3a76f0', '#22c55e', ''), sort: 1 },
    { id: 2, title: '云湖开放平台', introduction: '创建你自己的机器人', targetId: '', targetUrl: 'https://www.yhchat.com', imageUrl: dataUrl(960, 280, '#a855f7', '#f97316', ''), sort: 2 }
  ]
  const groups: Record<string, YunhuBotGroup[]> = {
    [ECHO]: [
      { groupId: GROUP, name: 'MioDesk 演示群', introduction: '消息类型、按钮、看板和机器人设置的演示', avatarUrl: '', headcount: 3 },
      { groupId: '300000002', name: '云湖开发者交流群', introduction: '讨论云湖 API', avatarUrl: '', headcount: 2 }
    ],
    [WEATHER]: [{ groupId: GROUP, name: 'MioDesk 演示群', introduction: '消息类型、按钮、看板和机器人设置的演示', avatarUrl: '', headcount: 3 }]
  }
  const models: YunhuLlmModel[] = [
    {
      icon: null,
      id: 1,
      name: '云湖演示大模型',
      params: '[{"name":"API Key","type":"input"}]',
      parent_id: 0,
      tag: '演示',
      subItems: [
        { icon: null, id: 161, name: '云湖演示大模型-chat', params: '[]', parent_id: 1, subItems: null, tag: '推荐' },
        { icon: null, id: 162, name: '云湖演示大模型-reasoner', params: '[]', parent_id: 1, subItems: null, tag: null }
      ]
    },
    { icon: null, id: 2, name: 'OpenAI 兼容接口', params: '[]', parent_id: 0, tag: null, subItems: [{ icon: null, id: 201, name: 'gpt-4o-mini', params: '[]', parent_id: 2, subItems: null, tag: null }] }
  ]

  function list(contactId: string): Msg[] {
    let l = history.get(contactId)
    if (!l) history.set(contactId, (l = []))
    return l
  }

  function seed(): void {
    const now = Date.now()
    const at = (min: number) => now - min * 60_000
    const m = (id: string, contactId: string, minAgo: number, segments: Segment[], extra: Partial<Msg> = {}): Msg => ({ id, contactId, self: false, time: at(minAgo), segments, status: 'sent', ...extra })
    list(GROUP).push(
      m('g1', GROUP, 120, [{ type: 'text', data: { text: '大家好,欢迎来到 MioDesk 演示群!' } }], { senderId: FRIEND, senderName: '小云' }),
      m('g2', GROUP, 118, [{ type: 'markdown', data: { text: '## 今日安排\n- 测试 **Markdown** 渲染\n- 试试 `/buttons` 和 `/board 内容`\n\n| 项目 | 状态 |\n|---|---|\n| 看板 | ✅ |' } }], { self: true, senderId: ME }),
      m('g3', GROUP, 116, [{ type: 'html', data: { html: '<p>这是一条 <b>HTML</b> 消息, <a href="https://www.yhchat.com">云湖</a></p><img src="x" onerror="window.__xss=1"><a href="javascript:window.__xss=1">危险链接</a><script>window.__xss=1</script>' } }], { senderId: ECHO, senderName: '回声机器人' }),
      m('g4', GROUP, 114, [{ type: 'image', data: { file: image(640, 360, '#0ea5e9', '#6366f1', 'sunset.jpg'), image: '', width: 640, height: 360 } }], { senderId: '1000003', senderName: '阿湖' }),
      m('g5', GROUP, 112, [{ type: 'file', data: { name: '会议纪要.pdf', url: 'https://chat-file.jwznb.com/miodesk-demo/minutes.pdf', size: 20480 } }], { senderId: FRIEND, senderName: '小云' }),
      m('g6', GROUP, 110, [{ type: 'reply', data: { id: 'g5', text: '小云: [文件] 会议纪要.pdf' } }, { type: 'text', data: { text: '收到, 我晚点看' } }], { self: true, senderId: ME, replyTo: 'g5' }),
      m('g7', GROUP, 108, [{ type: 'at', data: { qq: ME, name: 'MioDesk 演示用户' } }, { type: 'text', data: { text: ' 记得看一下看板' } }], { senderId: FRIEND, senderName: '小云' }),
      m('g8', GROUP, 106, [{ type: 'text', data: { text: '请选择一个操作:' } }, { type: 'buttons', data: { rows: [[{ text: '打开云湖', actionType: 1, url: 'https://www.yhchat.com' }, { text: '复制口令', actionType: 2, value: 'miodesk' }], [{ text: '点我回报', actionType: 3, value: 'demo-report' }]] } }], { senderId: ECHO, senderName: '回声机器人' }),
      m('g9', GROUP, 104, [], { senderId: FRIEND, senderName: '小云', status: 'recalled' }),
      m('g10', GROUP, 102, [{ type: 'text', data: { text: '这条消息被编辑过' } }], { senderId: FRIEND, senderName: '小云', editedAt: at(101) }),
      m('g11', GROUP, 100, [{ type: 'markdown', data: { text: 'Markdown 里的 <img src=x onerror="window.__xss=1"> 和 [链接](javascript:window.__xss=1) 都是安全的' } }], { senderId: FRIEND, senderName: '小云' })
    )
    list(ECHO).push(
      m('e1', ECHO, 90, [{ type: 'text', data: { text: '你好, 我是回声机器人。发什么我就回什么。' } }], { senderId: ECHO, senderName: '回声机器人' }),
      m('e2', ECHO, 89, [{ type: 'markdown', data: { text: '### 回声机器人指令\n- 任意文字: 原样回复\n- 带 `stream` 的文字: **流式**回复\n- `/buttons`, `/board 内容`, `/logout` (模拟 -101)' } }], { senderId: ECHO, senderName: '回声机器人' })
    )
    list(STREAM).push(m('s1', STREAM, 60, [{ type: 'text', data: { text: '我是流式助手, 每条回复都会逐字出现。' } }], { senderId: STREAM, senderName: '流式助手' }))
    list(FRIEND).push(m('f1', FRIEND, 30, [{ type: 'text', data: { text: '周末一起测试客户端吗?' } }], { senderId: FRIEND, senderName: '小云' }))
    boards.set(GROUP, { chatId: GROUP, botId: ECHO, botName: '回声机器人', contentType: 'markdown', content: '**群公告**: 本周五发布 MioDesk 0.1', updatedAt: Date.now() - 3600_000 })
    boards.set(ECHO, { chatId: ECHO, botId: ECHO, botName: '回声机器人', contentType: 'html', content: '<b>状态</b>: 在线 <img src=x onerror="window.__xss=1"> <a href="https://www.yhchat.com">云湖</a>', updatedAt: Date.now() - 600_000 })
  }

  function contacts(): Contact[] {
    const last = (id: string) => {
      const l = list(id)
      const x = l[l.length - 1]
      if (!x) return undefined
      const seg = x.segments.find((s) => s.type === 'text' || s.type === 'markdown')
      return { preview: x.status === 'recalled' ? 'Message recalled' : String(seg?.data.text ?? '[…]').slice(0, 80), time: x.time }
    }
    return [
      { id: GROUP, kind: 'group', name: 'MioDesk 演示群', lastMessage: last(GROUP) },
      { id: ECHO, kind: 'bot', name: '回声机器人', lastMessage: last(ECHO) },
      { id: STREAM, kind: 'bot', name: '流式助手', lastMessage: last(STREAM) },
      { id: FRIEND, kind: 'user', name: '小云', lastMessage: last(FRIEND) }
    ]
  }

  function push(m: Msg): void {
    list(m.contactId).push(m)
    emit('message', { accountId: YH_ACC, message: structuredClone(m) })
    emit('contacts', { accountId: YH_ACC, contacts: contacts() })
  }

  function guard(): void {
    if (expired) throw new Error('Yunhu refused the token (-101 未登录): sign in again.')
  }

  function myBot(botId: string): YunhuMyBot {
    const b = bots.find((x) => x.botId === botId)
    if (!b) throw new Error('这不是你的机器人 (not your bot)')
    return b
  }

  async function streamReply(contactId: string, prompt: string, sender: string, senderName: string): Promise<void> {
    const reply: Msg = { id: nextId(), contactId, self: false, senderId: sender, senderName, time: Date.now() + 1, segments: [], status: 'sent', ai: { requestId: '', status: 'streaming', text: '', reasoning: '', toolCalls: [] } }
    push(reply)
    const answer = `好的, 关于「${prompt.slice(0, 30)}」:\n\n1. 流式回复会**逐段**出现\n2. 支持 Markdown, 例如 \`code\`\n3. 结束后保留完整文本\n\n完成 ✅`
    for (let i = 0; i < answer.length; i += 3) {
      await sleep(40)
      const d: StreamDelta = { accountId: YH_ACC, contactId, messageId: reply.id, status: 'streaming', textAppend: answer.slice(i, i + 3), reasoningAppend: '' }
      reply.ai!.text += d.textAppend
      emit('stream', d)
    }
    reply.ai!.status = 'completed'
    emit('stream', { accountId: YH_ACC, contactId, messageId: reply.id, status: 'completed', textAppend: '', reasoningAppend: '' } satisfies StreamDelta)
  }

  async function botAnswer(contactId: string, text: string, quoteId: string): Promise<void> {
    const bot = contactId === GROUP ? ECHO : contactId
    const botName = bot === STREAM ? '流式助手' : '回声机器人'
    if (contactId === FRIEND || (contactId === GROUP && !text.startsWith('/') && !/stream|流/.test(text))) return
    await sleep(400)
    if (bot === STREAM || /stream|流/.test(text)) return streamReply(contactId, text, bot, botName)
    if (text.startsWith('/board')) {
      const content = text.slice(6).trim()
      const board: YunhuBoard | null = content ? { chatId: contactId, botId: bot, botName, contentType: 'markdown', content, updatedAt: Date.now() } : null
      if (board) boards.set(contactId, board)
      else boards.delete(contactId)
      emit('board', { accountId: YH_ACC, contactId, board })
      return
    }
    if (text === '/buttons') {
      push({ id: nextId(), contactId, self: false, senderId: bot, senderName: botName, time: Date.now(), status: 'sent', segments: [{ type: 'text', data: { text: '请选择:' } }, { type: 'buttons', data: { rows: [[{ text: '打开云湖', actionType: 1, url: 'https://www.yhchat.com' }, { text: '复制口令', actionType: 2, value: 'miodesk' }], [{ text: '点我回报', actionType: 3, value: 'demo-report' }]] } }] })
      return
    }
    push({ id: nextId(), contactId, self: false, senderId: bot, senderName: botName, time: Date.now(), status: 'sent', replyTo: quoteId, segments: [{ type: 'reply', data: { id: quoteId, text: `MioDesk 演示用户: ${text.slice(0, 40)}` } }, { type: 'text', data: { text: `收到: ${text}` } }] })
  }

  function makeAccount(input: AddYunhuAccountInput): AccountInfo {
    return { id: YH_ACC, kind: 'yunhu', label: input.label || 'MioDesk 演示用户', server: input.api || 'https://chat-go.jwzhd.com', userId: ME, status: { state: 'online', delayMs: 31 } }
  }

  function login(input: AddYunhuAccountInput): void {
    if (!input.token && (!input.email || !input.password)) throw new Error('Email and password, or a token, are required.')
    if (input.password === 'wrong' || input.token === 'wrong') throw new Error('Yunhu refused the sign-in: 账号或密码错误 (invalid credentials)')
    if (input.api && /unreachable/.test(input.api)) throw new Error('The Yunhu server could not be reached (ECONNREFUSED).')
  }

  function groupSettings(botId: string, groupId: string): YunhuGroupSettings {
    const b = bots.find((x) => x.botId === botId)
    const form: YunhuSettingsForm = parseForm(b?.settingJson ?? FORM)
    const saved = groupValues.get(`${botId}:${groupId}`) ?? {}
    return { form, values: initialValues(form, saved), raw: formToJson(form) }
  }

  const handlers: Handlers = {
    'accounts:add-yunhu': async (input) => {
      await sleep(450)
      login(input)
      account = makeAccount(input)
      expired = false
      if (!history.size) seed()
      return structuredClone(account)
    },
    'accounts:relogin-yunhu': async (_id, input) => {
      await sleep(400)
      login(input)
      expired = false
      if (account) account.status = { state: 'online', delayMs: 28 }
      emit('connection', { accountId: YH_ACC, status: { state: 'online', delayMs: 28 } })
      return structuredClone(account ?? makeAccount(input))
    },
    'yunhu:banners': async () => (guard(), await sleep(120), banners),
    'yunhu:store': async () => (guard(), await sleep(160), storeBots),
    'yunhu:bot-detail': async (_a, botId) => {
      guard()
      await sleep(150)
      const s = storeBots.find((b) => b.chatId === botId)
      const mine = bots.find((b) => b.botId === botId)
      if (!s && !mine) throw new Error('机器人不存在 (no such bot)')
      return {
        bot: { botId, nickname: mine?.nickname ?? s!.nickname, avatarUrl: mine?.avatarUrl ?? s!.avatarUrl, introduction: mine?.introduction ?? s!.introduction, createBy: mine ? ME : '1000000', createTime: Math.floor(Date.now() / 1000) - 86400 * 30, headcount: Number(s?.headcount ?? mine?.headcount ?? 0), private: mine?.private ?? 0, isStop: 0, settingJson: mine?.settingJson ?? '' },
        groups: groups[botId] ?? []
      }
    },
    'yunhu:my-bots': async () => (guard(), await sleep(140), { total: bots.length, bots }),
    'yunhu:bot-info': async (_a, botId): Promise<YunhuBotData> => {
      const b = myBot(botId)
      return { bot_id: b.botId, name: b.nickname, avatar_url: b.avatarUrl, introduction: b.introduction, private: b.private === 1 }
    },
    'yunhu:create-bot': async (_a, input): Promise<YunhuBotData> => {
      guard()
      await sleep(300)
      if (!input.name.trim()) throw new Error('机器人名称不能为空')
      const b: YunhuMyBot = { botId: String(60000100 + bots.length), nickname: input.name, avatarUrl: input.avatarUrl ?? '', token: Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join(''), link: '', introduction: input.introduction ?? '', private: input.private ? 1 : 0, isStop: 0, settingJson: '', headcount: 0 }
      bots.push(b)
      return { bot_id: b.botId, name: b.nickname, avatar_url: b.avatarUrl, introduction: b.introduction, private: !!input.private }
    },
    'yunhu:edit-bot': async (_a, req) => {
      guard()
      await sleep(250)
      const b = myBot(req.botId)
      Object.assign(b, { nickname: req.nickname, introduction: req.introduction, avatarUrl: req.avatarUrl, private: req.private })
    },
    'yunhu:reset-token': async (_a, botId) => {
      guard()
      await sleep(300)
      const b = myBot(botId)
      b.token = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('')
      return b.token
    },
    'yunhu:set-link': async (_a, botId, link) => {
      guard()
      await sleep(200)
      if (link && !isHttpUrl(link)) throw new Error('订阅链接必须是 http(s) 地址')
      myBot(botId).link = link
    },
    'yunhu:remove-follower': async (_a, botId, userId) => {
      guard()
      await sleep(200)
      myBot(botId)
      if (!/^\d+$/.test(userId)) throw new Error('用户不存在 (no such user)')
    },
    'yunhu:remove-group': async (_a, botId, groupId) => {
      guard()
      await sleep(200)
      myBot(botId)
      groups[botId] = (groups[botId] ?? []).filter((g) => g.groupId !== groupId)
    },
    'yunhu:llm-models': async () => (guard(), models),
    'yunhu:llm-settings': async (_a, botId) => {
      guard()
      myBot(botId)
      return botId === STREAM
        ? { historyCount: 10, id: 5, isBigModel: 1, isNeedReply: 1, key: 'sk-demo-not-a-real-key', llmBaseUrl: 'https://api.example.com/v1', llmId: 161, llmModelName: '云湖演示大模型-chat', llmName: '云湖演示大模型', mcpJson: '', paramJson: '', prompt: '你是一个乐于助人的助手。' }
        : { historyCount: 0, id: 0, isBigModel: 0, isNeedReply: 0, key: '', llmBaseUrl: '', llmId: 0, llmModelName: '', llmName: '', mcpJson: '', paramJson: '', prompt: '' }
    },
    'yunhu:edit-setting-form': async (_a, botId, form) => {
      guard()
      await sleep(250)
      myBot(botId).settingJson = formToJson(form, 0)
    },
    'yunhu:group-settings': async (_a, botId, groupId) => {
      guard()
      await sleep(200)
      return groupSettings(botId, groupId)
    },
    'yunhu:save-group-settings': async (_a, botId, groupId, values) => {
      guard()
      await sleep(250)
      groupValues.set(`${botId}:${groupId}`, structuredClone(values))
      return groupSettings(botId, groupId)
    },
    'yunhu:board': async (_a, contactId) => (guard(), boards.get(contactId) ?? null),
    'yunhu:send': async (_a, contactId, out) => {
      guard()
      await sleep(150)
      if (out.text.trim() === '/logout') {
        expired = true
        emit('relogin-required', { accountId: YH_ACC })
        throw new Error('Yunhu refused the token (-101 未登录): sign in again.')
      }
      const segments: Segment[] = []
      if (out.quoteMsgId) segments.push({ type: 'reply', data: { id: out.quoteMsgId, text: out.quoteText ?? '' } })
      segments.push(out.contentType === 'html' ? { type: 'html', data: { html: out.text } } : { type: out.contentType, data: { text: out.text } })
      const m: Msg = { id: nextId(), contactId, self: true, senderId: ME, time: Date.now(), segments, status: 'sent', replyTo: out.quoteMsgId }
      list(contactId).push(m)
      emit('contacts', { accountId: YH_ACC, contacts: contacts() })
      void botAnswer(contactId, out.text, m.id)
      return structuredClone(m)
    },
    'yunhu:recall': async (_a, contactId, messageId) => {
      guard()
      const m = list(contactId).find((x) => x.id === messageId)
      if (!m) return
      m.status = 'recalled'
      m.segments = []
      emit('message', { accountId: YH_ACC, message: structuredClone(m) })
    },
    'yunhu:button': async (_a, contactId, _messageId, value) => {
      guard()
      await sleep(150)
      push({ id: nextId(), contactId, self: false, senderId: ECHO, senderName: '回声机器人', time: Date.now(), status: 'sent', segments: [{ type: 'text', data: { text: `你点击了按钮: ${value}` } }] })
    }
  }

  return {
    handlers,
    owns: (accountId: unknown) => accountId === YH_ACC,
    account: () => account,
    /** Starts logged in (for `?yunhu=1`). */
    start(): AccountInfo {
      account = makeAccount({ label: 'MioDesk 演示用户' })
      seed()
      return account
    },
    contacts,
    history(contactId: string, before: number | undefined, limit: number): ChatMessage[] {
      guard()
      const l = list(contactId)
      let end = l.length
      if (before !== undefined) {
        end = l.findIndex((m) => m.time >= before)
        if (end < 0) end = l.length
      }
      return structuredClone(l.slice(Math.max(0, end - limit), end))
    }
  }
}
