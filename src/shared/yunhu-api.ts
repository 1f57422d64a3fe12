/**
 * Yunhu (云湖) HTTP API and push shapes for the renderer and the core (no runtime code besides
 * constants). JSON endpoint fields keep the seed's camelCase names (docs/protocol/yunhu-seed.txt);
 * protobuf bodies use the codec's snake_case types from ./yunhu.
 */
import type {
  YunhuBotBoardMessage,
  YunhuLiveMessage,
  YunhuMsgInput,
  YunhuPushMessage,
  YunhuStreamMessage
} from './yunhu'

export const YUNHU_DEFAULT_API = 'https://chat-go.jwzhd.com'
export const YUNHU_DEFAULT_WS = 'wss://chat-ws-go.jwzhd.com/ws'

/** Case-sensitive platform values the push login accepts ("Web" with a capital W). */
export const YUNHU_PLATFORMS = ['windows', 'macos', 'android', 'linux', 'ios', 'fuchsia', 'Web'] as const
export type YunhuPlatform = (typeof YUNHU_PLATFORMS)[number]

/** The JSON reply envelope of every JSON endpoint. */
export interface YunhuJsonReply<T = unknown> {
  /** 1 = ok, -101 = not logged in. */
  code: number
  msg: string
  data?: T
}

// ---------------------------------------------------------------------------------------- store

/** POST /v1/bot/banner → data.banners[] */
export interface YunhuBanner {
  id: number
  title: string
  introduction: string
  /** Id opened by "查看详情". */
  targetId: string
  targetUrl: string
  imageUrl: string
  sort: number
  delFlag?: number
  createTime?: number
  remark?: string
  createBy?: number
  typ?: number
}

/** POST /v1/bot/new-list → data.bots[] (the seed sends the numbers as strings). */
export interface YunhuStoreBot {
  chatId: string
  /** "1" user, "2" group, "3" bot. */
  chatType: string
  headcount: string
  nickname: string
  introduction: string
  instructions?: string
  avatarUrl: string
}

/** POST /v1/bot/bot-detail → data.bot */
export interface YunhuBotDetail {
  id?: number
  botId: string
  nickname: string
  nicknameId?: number
  avatarId?: number
  avatarUrl: string
  type?: number
  introduction: string
  createBy: string
  createTime: number
  headcount: number
  /** 0 public, 1 private. */
  private: number
  /** 0 enabled, 1 stopped. */
  isStop: number
  /** The bot's settings form schema, as a JSON string (see parseSettingsForm). */
  settingJson: string
  del_flag?: number
  alwaysAgree?: number
  banId?: number
  /** The bot's send-message URL prefix. */
  uri?: string
}

/** POST /v1/bot/bot-detail → data.groups[] */
export interface YunhuBotGroup {
  id?: number
  groupId: string
  name: string
  introduction: string
  createBy?: string
  createTime?: number
  avatarId?: number
  del_flag?: number
  avatarUrl: string
  headcount?: number
  readHistory?: number
  alwaysAgree?: number
  categoryId?: number
  category?: string
  private?: number
  banId?: number
  gag?: number
  gagBy?: string
  msgTypeLimit?: string
}

export interface YunhuBotDetailResult {
  bot: YunhuBotDetail
  groups: YunhuBotGroup[]
}

/** POST /v1/bot/bot-group-list → data.list.bots[]: a bot the account created (with its token). */
export interface YunhuMyBot {
  id?: number
  botId: string
  nickname: string
  nicknameId?: number
  avatarId?: number
  avatarUrl: string
  /** The bot's secret token: never log it. */
  token: string
  /** The subscribed link (message webhook). */
  link: string
  type?: number
  introduction: string
  createBy?: string
  createTime?: number
  headcount?: number
  private: number
  isStop: number
  settingJson: string
  del_flag?: number
  alwaysAgree?: number
  groupLimit?: number
  banId?: number
  linkStop?: number
  uri?: string
}

export interface YunhuMyBotsResult {
  total: number
  bots: YunhuMyBot[]
}

/** POST /v1/bot/web-edit-bot */
export interface YunhuEditBotRequest {
  botId: string
  nickname: string
  introduction: string
  avatarUrl: string
  /** 0 public, 1 private. */
  private: number
}

/** POST /v1/bot/create-bot (protobuf CreateBotRequest). */
export interface YunhuCreateBotInput {
  name: string
  introduction?: string
  avatarUrl?: string
  private?: boolean
}

// ---------------------------------------------------------------------------------------- LLM

/** POST /v1/bot/llm/llm-setting-list → data.list[] (groups with subItems = models). */
export interface YunhuLlmModel {
  icon: string | null
  id: number
  name: string
  /** Parameter template, a JSON string (see parseLlmParamsTemplate). */
  params: string
  parent_id: number
  subItems: YunhuLlmModel[] | null
  tag: string | null
}

/** One entry of a parameter template (`params`), e.g. {"name": "API Key", "type": "input"}. */
export interface YunhuLlmParam {
  name: string
  type: string
  [extra: string]: unknown
}

/** POST /v1/bot/llm/llm-setting-ref-info → data */
export interface YunhuBotLlmSettings {
  historyCount: number
  id: number
  /** 0 off, 1 on. */
  isBigModel: number
  isNeedReply: number
  /** The model API key: never log it. */
  key: string
  llmBaseUrl: string
  llmId: number
  llmModelName: string
  llmName: string
  /** JSON string (see parseMcpJson). */
  mcpJson: string
  /** JSON string (see parseParamJson). */
  paramJson: string
  prompt: string
}

// ---------------------------------------------------------------------------------------- settings form

/** Item types of a bot settings form. */
export const YUNHU_SETTINGS_TYPES = ['label', 'input', 'radio', 'checkbox', 'select', 'switch', 'textarea'] as const
export type YunhuSettingsType = (typeof YUNHU_SETTINGS_TYPES)[number]

/** One editable property of a form item as the seed gives it (`props[]`). */
export interface YunhuSettingsProp {
  /** Display name of the property, e.g. "标签". */
  name: string
  /** Which property: "label", "options", "defaultValue", "placeholder". */
  type: string
  value: string
  placeholder?: string
}

interface YunhuSettingsFieldBase {
  /** The item id (form id), e.g. "pqkyru". */
  id: string
  /** Position in the form (0-based). */
  key: number
  /** The item title as the editor shows it, e.g. "Radio 单选框". */
  title: string
  /** The label shown to the user (propsValue.label). */
  label: string
  /** The raw props list, kept so a form round-trips. */
  props: YunhuSettingsProp[]
  /** propsValue entries other than the typed ones below, kept so a form round-trips. */
  extraProps?: Record<string, string>
}

/** A bot settings form item, typed by `type`. */
export type YunhuSettingsField =
  | (YunhuSettingsFieldBase & { type: 'label' })
  | (YunhuSettingsFieldBase & { type: 'input'; defaultValue: string; placeholder: string })
  | (YunhuSettingsFieldBase & { type: 'textarea'; defaultValue: string; placeholder: string })
  /** defaultValue "1" means on ("1:默认打开,0:默认关闭"). */
  | (YunhuSettingsFieldBase & { type: 'switch'; defaultValue: boolean })
  /** options come from propsValue.options split on "#". */
  | (YunhuSettingsFieldBase & { type: 'radio' | 'select'; options: string[]; defaultValue: string })
  | (YunhuSettingsFieldBase & { type: 'checkbox'; options: string[]; defaultValue: string[] })

/** A parsed settings form. */
export interface YunhuSettingsForm {
  fields: YunhuSettingsField[]
}

/** A value per field id: string (input, textarea, radio, select), boolean (switch), string[] (checkbox). */
export type YunhuSettingsValue = string | boolean | string[]
export type YunhuSettingsValues = Record<string, YunhuSettingsValue>

export interface YunhuSettingsIssue {
  /** Field id ("" for the whole value set). */
  id: string
  message: string
}

/** POST /v1/bot/get-user-settings-json, parsed. */
export interface YunhuGroupSettings {
  form: YunhuSettingsForm
  /** Saved values found in the reply (items carrying `value`), else the form's defaults. */
  values: YunhuSettingsValues
  /** The settingsJson as received (string, or the array re-serialised). */
  raw: string
}

// ---------------------------------------------------------------------------------------- push

/** A stream_message with the text of its message assembled so far. */
export interface YunhuStreamUpdate {
  kind: 'stream_message'
  seq: string
  cmd: string
  /** The appended chunk as received. */
  message: YunhuStreamMessage
  /** The whole text so far (what push_message started plus every chunk). */
  text: string
  /** The message started by push_message with content.text = text (a minimal one when the start was missed). */
  assembled: YunhuPushMessage
}

/** What YunhuPush emits per decoded frame (heartbeat acks and unknown cmds are not emitted). */
export type YunhuPushUpdate =
  | { kind: 'push_message'; seq: string; cmd: string; message: YunhuPushMessage }
  | { kind: 'recall'; seq: string; cmd: string; message: YunhuPushMessage }
  | { kind: 'edit_message'; seq: string; cmd: string; message: YunhuPushMessage }
  | { kind: 'blocked_message'; seq: string; cmd: string; message: YunhuPushMessage }
  | YunhuStreamUpdate
  | { kind: 'bot_board_message'; seq: string; cmd: string; message: YunhuBotBoardMessage }
  | { kind: 'draft_input'; seq: string; cmd: string; message: YunhuMsgInput }
  | { kind: 'live_video_user_hang_up'; seq: string; cmd: string; message: YunhuLiveMessage }
  | { kind: 'invite_apply'; seq: string; cmd: string }

// ---------------------------------------------------------------------------------------- groups and bot commands

/** A member's role in a group (permission level 100 owner, 2 admin, else member). */
export type YunhuGroupRole = 'owner' | 'admin' | 'member'

/** A bot of a group (group/info bot, group/bot-list bot). */
export interface YunhuGroupBotView {
  botId: string
  name: string
  avatarUrl: string
  introduction: string
}

/** POST /v1/group/info, as the app shows it. */
export interface YunhuGroupInfoView {
  groupId: string
  name: string
  avatarUrl: string
  introduction: string
  memberCount: number
  /** The logged-in user's role. */
  myRole: YunhuGroupRole
  ownerId: string
  bots: YunhuGroupBotView[]
}

/** One member of a group (group/list-member). */
export interface YunhuGroupMemberView {
  userId: string
  name: string
  avatarUrl: string
  role: YunhuGroupRole
  muted: boolean
  /** Muted until (Unix seconds as the platform sends it; -1 for ever), when muted. */
  mutedUntil?: number
}

/** One page of members. Pages count from 1. */
export interface YunhuMemberPage {
  members: YunhuGroupMemberView[]
  /** All members matching (the platform's total). */
  total: number
  page: number
  hasMore: boolean
}

/** The mute durations the platform takes, in seconds: off, 10 min, 1 h, 6 h, 12 h, for ever. */
export const YUNHU_MUTE_CHOICES = [600, 3600, 21600, 43200, -1, 0] as const
export type YunhuMuteSeconds = (typeof YUNHU_MUTE_CHOICES)[number]

/** How a bot command is sent: normal (text with the command), direct (at once), form (its form's values). */
export type YunhuCommandKind = 'normal' | 'direct' | 'form'

/** A bot command ("instruction") of a chat. */
export interface YunhuCommandView {
  /** The instruction id (int64, as digits): the message's command_id. */
  id: string
  botId: string
  botName: string
  name: string
  description: string
  kind: YunhuCommandKind
  /** Placeholder of the input (normal commands). */
  hint: string
  /** Prefilled text (normal commands). */
  defaultText: string
  /** The form (form commands). */
  form?: YunhuSettingsForm
}

/** A quick-menu button of a bot (BotListResponse.menu). */
export interface YunhuQuickMenuView {
  id: string
  botId: string
  name: string
  content: string
  /** 1 button, 2 toggle, 3 drop-down. */
  menuType: number
  select?: string
}

/** The commands and quick menus of a chat (a group's bots, or the bot of a private bot chat). */
export interface YunhuChatCommands {
  commands: YunhuCommandView[]
  menus: YunhuQuickMenuView[]
}

/** What a command message carries: the text (normal) or the form's values (form); nothing for direct. */
export interface YunhuCommandInput {
  text?: string
  values?: YunhuSettingsValues
}
