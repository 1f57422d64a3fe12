/**
 * Demo data written to `<dataDir>/yunhu.json` on first start: one account that can log in, a few
 * other users, bots (one with a settings form using all six item types), groups, per-group settings,
 * boards, banners, the LLM model list, conversations and messages of every common content type.
 */
import { randomUUID } from 'node:crypto'
import { YunhuContentType } from '../../src/shared/yunhu'
import { DATA_VERSION, type BotRec, type InstructionRec, type LlmSettings, type MsgRec, type SettingItem, type YunhuData } from './types'

export const DEMO_USER_ID = '1000001'
export const FRIEND_ID = '1000002'
export const MEMBER_ID = '1000003'
export const OFFICIAL_ID = '1000000'
/** The demo user's own bot that answers commands (see bot.ts). */
export const ECHO_BOT_ID = '60000001'
export const STREAM_BOT_ID = '60000002'
/** Public bot owned by someone else (the "not your bot" case). */
export const WEATHER_BOT_ID = '60000003'
/** Private bot of another user (hidden from the store). */
export const SECRET_BOT_ID = '60000004'
/** Group owned by the demo user. */
export const DEMO_GROUP_ID = '300000001'
/** Group where the demo user is a plain member (not an admin). */
export const DEV_GROUP_ID = '300000002'

const AVATAR = (seed: string): string => `https://chat-img.jwznb.com/miodesk-demo/${seed}.png`

/** Members of the demo group beside the demo user, 小云 and 阿湖 (the names of the c_http_list_member fixture, then numbered ones): two pages of 50. */
export const EXTRA_MEMBERS: ReadonlyArray<{ id: string; name: string }> = [
  { id: '3920475', name: 'Kevin Zhao' },
  { id: '5184731', name: '陈默' },
  { id: '7358021', name: '林晓雨' },
  { id: '6402913', name: '王思远' },
  ...Array.from({ length: 56 }, (_, i) => ({ id: String(2000001 + i), name: i % 2 ? `Member ${String(i + 1).padStart(2, '0')}` : `成员${String(i + 1).padStart(2, '0')}` }))
]

/** The bot commands of the c_http_bot_list / c_http_bot_instruction fixtures (ids kept). */
export const WEATHER_COMMANDS: InstructionRec[] = [
  { id: '1032', name: '天气查询', desc: '查询城市天气', type: 1, hintText: '输入城市名' },
  { id: '1033', name: '今日天气', desc: '直接发送', type: 2, sort: 1 }
]
export const ECHO_COMMANDS: InstructionRec[] = [
  { id: '2101', name: '润色', desc: '润色一段文字', type: 1, defaultText: '请润色：' },
  {
    id: '3051',
    name: '重新构建',
    desc: 'Rebuild a branch',
    type: 5,
    form: JSON.stringify([
      { key: 0, type: 'input', title: 'Input 输入框', propsValue: { label: '分支', defaultValue: 'main', placeholder: 'branch' }, id: 'brnchx' },
      { key: 1, type: 'switch', title: 'Switch 开关', propsValue: { label: '清理缓存', defaultValue: '0' }, id: 'clnchx' },
      { key: 2, type: 'radio', title: 'Radio 单选框', propsValue: { label: '环境', options: '测试#生产' }, id: 'envrdx' }
    ])
  }
]

/** A settings form with all six item types, in the seed's exact shape. */
export function demoSettingForm(): SettingItem[] {
  const label = { name: '标签', type: 'label', value: '' }
  const options = { name: '选项', placeholder: '用#分割,如:北京#上海#天津', type: 'options', value: '' }
  return [
    { id: 'pqkyru', key: 0, type: 'radio', title: 'Radio 单选框', props: [label, options], propsValue: { label: '回复语言', options: '中文#English#日本語' } },
    {
      id: 'xmmtbi',
      key: 1,
      type: 'input',
      title: 'Input 输入框',
      props: [label, { name: '默认内容', type: 'defaultValue', value: '' }, { name: '占位文本', type: 'placeholder', value: '' }],
      propsValue: { defaultValue: '小湖', label: '机器人昵称', placeholder: '在群里怎么称呼机器人' }
    },
    {
      id: 'vnafdx',
      key: 2,
      type: 'switch',
      title: 'Switch 开关',
      props: [label, { name: '默认状态', placeholder: '1:默认打开,0:默认关闭', type: 'defaultValue', value: '' }],
      propsValue: { defaultValue: '1', label: '欢迎新成员' }
    },
    { id: 'sdudlm', key: 3, type: 'checkbox', title: 'Checkbox 多选框', props: [label, options], propsValue: { label: '订阅内容', options: '新闻#天气#股票' } },
    {
      id: 'qievxs',
      key: 4,
      type: 'textarea',
      title: 'textarea 多行输入框',
      props: [label, { name: '占位文本', type: 'placeholder', value: '' }],
      propsValue: { label: '欢迎语', placeholder: '新成员入群时发送的文字' }
    },
    { id: 'pzdslt', key: 5, type: 'select', title: 'Select 选择器', props: [label, options], propsValue: { label: '城市', options: '北京#上海#天津' } }
  ]
}

function llm(overrides: Partial<LlmSettings> = {}): LlmSettings {
  return {
    historyCount: 0,
    id: 0,
    isBigModel: 0,
    isNeedReply: 0,
    key: '',
    llmBaseUrl: '',
    llmId: 0,
    llmModelName: '',
    llmName: '',
    mcpJson: '',
    paramJson: '',
    prompt: '',
    ...overrides
  }
}

function bot(b: Partial<BotRec> & Pick<BotRec, 'botId' | 'nickname' | 'introduction' | 'createBy' | 'createTime'>): BotRec {
  return {
    nicknameId: Number(b.botId) + 1,
    avatarId: Number(b.botId) + 2,
    avatarUrl: AVATAR(`bot-${b.botId}`),
    private: 0,
    isStop: 0,
    alwaysAgree: 1,
    groupLimit: 0,
    token: randomUUID().replace(/-/g, ''),
    link: '',
    linkStop: 0,
    settingJson: '',
    followers: [],
    llm: llm(),
    headcountBonus: 0,
    ...b
  }
}

export function seedData(demo: { email: string; passwordHash: string }, nowMs = Date.now()): YunhuData {
  const now = Math.floor(nowMs / 1000)
  const day = 86_400
  const t0 = nowMs - 2 * 3600_000
  let n = 0
  const at = (): number => t0 + n++ * 60_000
  const msg = (seq: number, senderId: string, senderType: 1 | 3, contentType: number, content: MsgRec['content'], extra: Partial<MsgRec> = {}): MsgRec => ({
    msgId: randomUUID().replace(/-/g, ''),
    seq,
    senderId,
    senderType,
    contentType,
    content,
    sendTimeMs: at(),
    ...extra
  })

  const groupMsgs: MsgRec[] = []
  groupMsgs.push(msg(1, FRIEND_ID, 1, YunhuContentType.Text, { text: '大家好,欢迎来到 MioDesk 演示群!' }))
  groupMsgs.push(msg(2, DEMO_USER_ID, 1, YunhuContentType.Markdown, { text: '## 今日安排\n- 测试 **Markdown** 渲染\n- 试试 `/buttons` 和 `/board 内容`' }))
  groupMsgs.push(
    msg(3, ECHO_BOT_ID, 3, YunhuContentType.Html, { text: '<p>这是一条 <b>HTML</b> 消息, <a href="https://www.yhchat.com">云湖</a></p>' })
  )
  groupMsgs.push(
    msg(4, MEMBER_ID, 1, YunhuContentType.Image, { image_url: 'https://chat-img.jwznb.com/miodesk-demo/sunset.jpg', width: 1280, height: 720, file_size: '183204' })
  )
  groupMsgs.push(
    msg(5, FRIEND_ID, 1, YunhuContentType.File, { file_name: '会议纪要.pdf', file_url: 'https://chat-file.jwznb.com/miodesk-demo/minutes.pdf', file_size: '20480' })
  )
  groupMsgs.push(
    msg(6, DEMO_USER_ID, 1, YunhuContentType.Text, { text: '收到, 我晚点看', quote_msg_text: '小云: [文件] 会议纪要.pdf' }, { quoteMsgId: groupMsgs[4].msgId })
  )
  groupMsgs.push(msg(7, FRIEND_ID, 1, YunhuContentType.Text, { text: '@MioDesk 演示用户 记得看一下看板', mentioned_id: [DEMO_USER_ID] }))
  groupMsgs.push(
    msg(8, ECHO_BOT_ID, 3, YunhuContentType.Text, {
      text: '请选择一个操作:',
      buttons: JSON.stringify([
        [
          { text: '打开云湖', actionType: 1, url: 'https://www.yhchat.com' },
          { text: '复制口令', actionType: 2, value: 'miodesk' }
        ],
        [{ text: '点我回报', actionType: 3, value: 'demo-report' }]
      ])
    })
  )

  const echoChat: MsgRec[] = [
    msg(1, ECHO_BOT_ID, 3, YunhuContentType.Text, { text: '你好, 我是回声机器人。发什么我就回什么。' }),
    msg(2, ECHO_BOT_ID, 3, YunhuContentType.Markdown, { text: HELP_MARKDOWN }),
    msg(3, DEMO_USER_ID, 1, YunhuContentType.Text, { text: 'hello' }),
    msg(4, ECHO_BOT_ID, 3, YunhuContentType.Text, { text: '收到: hello', quote_msg_text: 'MioDesk 演示用户: hello' })
  ]
  echoChat[3].quoteMsgId = echoChat[2].msgId
  const weatherChat: MsgRec[] = [msg(1, WEATHER_BOT_ID, 3, YunhuContentType.Text, { text: '今日天气: 晴, 26°C' })]
  const friendChat: MsgRec[] = [msg(1, FRIEND_ID, 1, YunhuContentType.Text, { text: '周末一起测试客户端吗?' })]
  const devMsgs: MsgRec[] = [msg(1, FRIEND_ID, 1, YunhuContentType.Text, { text: '开发者交流群: 这里讨论云湖 API' })]

  const form = demoSettingForm()
  const savedForm = demoSettingForm().map((item) => {
    if (item.type === 'radio' || item.type === 'select') return { ...item, selectIndex: 1, selectValue: item.type === 'radio' ? 'English' : '上海' }
    if (item.type === 'switch') return { ...item, value: true }
    if (item.type === 'checkbox') return { ...item, value: ['新闻', '天气'] }
    return { ...item, value: item.type === 'input' ? '小湖' : '欢迎新朋友!' }
  })

  return {
    version: DATA_VERSION,
    nextId: 7_000_000,
    users: [
      { id: DEMO_USER_ID, name: 'MioDesk 演示用户', avatarUrl: AVATAR('user-demo'), email: demo.email, passwordHash: demo.passwordHash, tokens: [], isVip: true },
      { id: FRIEND_ID, name: '小云', avatarUrl: AVATAR('user-friend'), tokens: [] },
      { id: MEMBER_ID, name: '阿湖', avatarUrl: AVATAR('user-member'), tokens: [] },
      { id: OFFICIAL_ID, name: '云湖官方', avatarUrl: AVATAR('user-official'), tokens: [] },
      ...EXTRA_MEMBERS.map((m) => ({ id: m.id, name: m.name, avatarUrl: AVATAR(`user-${m.id}`), tokens: [] }))
    ],
    bots: [
      bot({
        botId: ECHO_BOT_ID,
        nickname: '回声机器人',
        introduction: '回复你发的每一条消息; 支持 /help /buttons /board /markdown /html /image /file /recall /edit 和流式回复(消息里带 "stream" 或 "流")',
        createBy: DEMO_USER_ID,
        createTime: now - 30 * day,
        settingJson: JSON.stringify(form),
        followers: [DEMO_USER_ID],
        headcountBonus: 24,
        link: 'https://example.com/yunhu/subscribe',
        instructions: ECHO_COMMANDS,
        menus: [{ id: '88', name: '最近构建', content: 'recent-builds', menuType: 1, createTime: now - day }]
      }),
      bot({
        botId: STREAM_BOT_ID,
        nickname: '流式助手',
        introduction: '大模型机器人 (演示): 每条回复都以流式输出',
        createBy: DEMO_USER_ID,
        createTime: now - 10 * day,
        private: 1,
        followers: [DEMO_USER_ID],
        llm: llm({
          historyCount: 10,
          id: 5,
          isBigModel: 1,
          isNeedReply: 1,
          key: 'sk-demo-not-a-real-key',
          llmBaseUrl: 'https://api.example.com/v1',
          llmId: 1,
          llmModelName: '云湖演示大模型-chat',
          llmName: '云湖演示大模型',
          mcpJson: JSON.stringify({ mcpServers: { time: { url: 'https://mcp.example.com/time' } } }),
          paramJson: JSON.stringify([{ name: 'API Key', type: 'input', value: 'sk-demo-not-a-real-key' }]),
          prompt: '你是一个乐于助人的助手。'
        })
      }),
      bot({
        botId: WEATHER_BOT_ID,
        nickname: '天气机器人',
        introduction: '每天早上推送天气',
        createBy: OFFICIAL_ID,
        createTime: now - 400 * day,
        followers: [DEMO_USER_ID, FRIEND_ID],
        headcountBonus: 1200,
        instructions: WEATHER_COMMANDS
      }),
      bot({ botId: SECRET_BOT_ID, nickname: '小云的私有机器人', introduction: '不公开', createBy: FRIEND_ID, createTime: now - 5 * day, private: 1, followers: [FRIEND_ID] })
    ],
    groups: [
      {
        groupId: DEMO_GROUP_ID,
        name: 'MioDesk 演示群',
        introduction: '消息类型、按钮、看板和机器人设置的演示',
        avatarUrl: AVATAR('group-demo'),
        avatarId: 8001,
        createBy: DEMO_USER_ID,
        createTime: now - 20 * day,
        members: [DEMO_USER_ID, FRIEND_ID, MEMBER_ID, ...EXTRA_MEMBERS.map((m) => m.id)],
        admins: [DEMO_USER_ID],
        bots: [ECHO_BOT_ID, WEATHER_BOT_ID],
        categoryId: 3,
        category: '技术',
        private: 0
      },
      {
        groupId: DEV_GROUP_ID,
        name: '云湖开发者交流群',
        introduction: '讨论云湖 API',
        avatarUrl: AVATAR('group-dev'),
        avatarId: 8002,
        createBy: FRIEND_ID,
        createTime: now - 90 * day,
        members: [FRIEND_ID, DEMO_USER_ID],
        admins: [FRIEND_ID],
        bots: [ECHO_BOT_ID],
        categoryId: 3,
        category: '技术',
        private: 0
      }
    ],
    groupSettings: { [`${ECHO_BOT_ID}:${DEMO_GROUP_ID}`]: JSON.stringify(savedForm) },
    boards: [
      { botId: ECHO_BOT_ID, chatType: 2, chatId: DEMO_GROUP_ID, content: '**群公告**: 本周五发布 MioDesk 0.1', contentType: 2, lastUpdateTime: now - 3600 },
      { botId: WEATHER_BOT_ID, chatType: 1, chatId: DEMO_USER_ID, content: '今日天气: 晴, 26°C', contentType: 1, lastUpdateTime: now - 7200 }
    ],
    banners: [
      {
        id: 1,
        title: '欢迎使用 MioDesk',
        introduction: '本地参考服务器的机器人商店',
        targetId: ECHO_BOT_ID,
        targetUrl: '',
        imageUrl: AVATAR('banner-1'),
        sort: 1,
        delFlag: 0,
        createTime: now - 7 * day,
        remark: '',
        createBy: Number(OFFICIAL_ID),
        typ: 1
      },
      {
        id: 2,
        title: '云湖开放平台',
        introduction: '创建你自己的机器人',
        targetId: '',
        targetUrl: 'https://www.yhchat.com',
        imageUrl: AVATAR('banner-2'),
        sort: 2,
        delFlag: 0,
        createTime: now - 3 * day,
        remark: '',
        createBy: Number(OFFICIAL_ID),
        typ: 2
      }
    ],
    llmModels: [
      {
        icon: AVATAR('llm-1'),
        id: 1,
        name: '云湖演示大模型',
        params: JSON.stringify([{ name: 'API Key', type: 'input' }]),
        parent_id: 0,
        subItems: [
          { icon: null, id: 161, name: '云湖演示大模型-chat', params: JSON.stringify([{ name: 'API Key', type: 'input' }]), parent_id: 1, subItems: null, tag: '推荐' },
          { icon: null, id: 162, name: '云湖演示大模型-reasoner', params: JSON.stringify([{ name: 'API Key', type: 'input' }]), parent_id: 1, subItems: null, tag: null }
        ],
        tag: '演示'
      },
      {
        icon: AVATAR('llm-2'),
        id: 2,
        name: 'OpenAI 兼容接口',
        params: JSON.stringify([
          { name: 'API Key', type: 'input' },
          { name: 'Base URL', type: 'input' }
        ]),
        parent_id: 0,
        subItems: [
          {
            icon: null,
            id: 201,
            name: 'gpt-4o-mini',
            params: JSON.stringify([
              { name: 'API Key', type: 'input' },
              { name: 'Base URL', type: 'input' }
            ]),
            parent_id: 2,
            subItems: null,
            tag: null
          }
        ],
        tag: null
      }
    ],
    conversations: {
      [DEMO_USER_ID]: [
        { chatId: DEMO_GROUP_ID, chatType: 2, readSeq: 5 },
        { chatId: DEV_GROUP_ID, chatType: 2, readSeq: 1 },
        { chatId: ECHO_BOT_ID, chatType: 3, readSeq: 4 },
        { chatId: STREAM_BOT_ID, chatType: 3, readSeq: 0 },
        { chatId: WEATHER_BOT_ID, chatType: 3, readSeq: 0, doNotDisturb: true },
        { chatId: FRIEND_ID, chatType: 1, readSeq: 0, top: true }
      ],
      [FRIEND_ID]: [
        { chatId: DEMO_GROUP_ID, chatType: 2, readSeq: 8 },
        { chatId: DEV_GROUP_ID, chatType: 2, readSeq: 1 },
        { chatId: DEMO_USER_ID, chatType: 1, readSeq: 1 },
        { chatId: WEATHER_BOT_ID, chatType: 3, readSeq: 0 },
        { chatId: SECRET_BOT_ID, chatType: 3, readSeq: 0 }
      ],
      [MEMBER_ID]: [{ chatId: DEMO_GROUP_ID, chatType: 2, readSeq: 8 }]
    },
    messages: {
      [`g:${DEMO_GROUP_ID}`]: groupMsgs,
      [`g:${DEV_GROUP_ID}`]: devMsgs,
      [`b:${ECHO_BOT_ID}:${DEMO_USER_ID}`]: echoChat,
      [`b:${WEATHER_BOT_ID}:${DEMO_USER_ID}`]: weatherChat,
      [`u:${DEMO_USER_ID}:${FRIEND_ID}`]: friendChat
    },
    sent: {}
  }
}

export const HELP_MARKDOWN = [
  '### 回声机器人指令',
  '- 任意文字: 原样回复 (引用你的消息)',
  '- 带 `stream` 或 `流` 的文字: **流式**回复',
  '- `/buttons`: 带按钮的消息 (点击会调用 button-report)',
  '- `/board 内容`: 设置看板; 只发 `/board` 清除看板',
  '- `/markdown` `/html` `/image` `/file`: 各类消息',
  '- `/recall`: 发一条消息然后撤回',
  '- `/edit`: 发一条消息然后编辑'
].join('\n')
