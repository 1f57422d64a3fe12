/**
 * The Yunhu reference server's data model: exactly what `<dataDir>/yunhu.json` holds.
 * Ids are decimal strings; times are Unix seconds unless the name ends in `Ms`.
 */
import type { YunhuMsgContent } from '../../src/shared/yunhu'
import type { YunhuBanner, YunhuBotLlmSettings, YunhuLlmModel } from '../../src/shared/yunhu-api'

export const DATA_VERSION = 1

export interface UserRec {
  id: string
  name: string
  avatarUrl: string
  /** Only users with an email and a password hash can log in. */
  email?: string
  /** `scrypt$N$r$p$<salt b64>$<hash b64>` */
  passwordHash?: string
  /** Live account tokens (newest last, capped). */
  tokens: string[]
  isVip?: boolean
}

/** One item of a settings form (`settingJson`): radio, input, switch, checkbox, textarea or select. */
export interface SettingItem {
  id: string
  key: number
  type: string
  title: string
  props: Array<{ name: string; type: string; value: unknown; placeholder?: string }>
  propsValue: Record<string, unknown>
  /** Saved value (per-group settings only). */
  value?: unknown
  selectIndex?: number
  selectValue?: string
}

/** A bot's LLM settings as llm-setting-ref-info sends them; the flags are 0 or 1 here. */
export interface LlmSettings extends YunhuBotLlmSettings {
  isBigModel: 0 | 1
  isNeedReply: 0 | 1
}

export interface BotRec {
  botId: string
  nickname: string
  nicknameId: number
  avatarId: number
  avatarUrl: string
  introduction: string
  /** Owner user id. */
  createBy: string
  createTime: number
  private: 0 | 1
  isStop: 0 | 1
  alwaysAgree: 0 | 1
  groupLimit: 0 | 1
  /** Bot token (open API), see reset-bot-token. */
  token: string
  /** Message subscription URL (edit-subscribed-link). */
  link: string
  linkStop: 0 | 1
  /** The settings form as a JSON string ("" = none). */
  settingJson: string
  /** Users who added the bot. */
  followers: string[]
  llm: LlmSettings
  /** Shown in the store under this many users on top of the real followers. */
  headcountBonus: number
  /** The bot's commands ("instructions"), groups.ts. Absent in older files (none). */
  instructions?: InstructionRec[]
  /** Quick-menu buttons, groups.ts. */
  menus?: MenuRec[]
}

/** A bot command: type 1 normal, 2 direct, 5 custom input (form = JSON array of form items). */
export interface InstructionRec {
  id: string
  name: string
  desc: string
  type: 1 | 2 | 5
  hintText?: string
  defaultText?: string
  sort?: number
  form?: string
}

/** A quick-menu button (menu_type 1 button, 2 toggle, 3 drop-down). */
export interface MenuRec {
  id: string
  name: string
  content: string
  menuType: 1 | 2 | 3
  createTime: number
}

export interface GroupRec {
  groupId: string
  name: string
  introduction: string
  avatarUrl: string
  avatarId: number
  createBy: string
  createTime: number
  /** User ids (the owner included). */
  members: string[]
  /** Owner and admins: may read and save per-group bot settings. */
  admins: string[]
  /** Bot ids added to the group. */
  bots: string[]
  categoryId: number
  category: string
  private: 0 | 1
  /** user id → muted until (Unix seconds; -1 for ever), groups.ts. Absent in older files (nobody muted). */
  gags?: Record<string, number>
}

/** A board set by a bot: in a group (chatType 2) or in its private chat with a user (chatType 1, chatId = user id). */
export interface BoardRec {
  botId: string
  chatType: 1 | 2
  chatId: string
  content: string
  /** 1 text, 2 markdown, 3 html (board numbering). */
  contentType: 1 | 2 | 3
  lastUpdateTime: number
}

/** A store banner as the API sends it, every field present. */
export interface BannerRec extends Required<YunhuBanner> {
  delFlag: 0
}

/** A model group (or a model, in subItems) of llm-setting-list. */
export type LlmModel = YunhuLlmModel

/** A user's entry in the conversation list. chatId is as that user sees it (group id, bot id, other user's id). */
export interface ConvRec {
  chatId: string
  chatType: 1 | 2 | 3
  /** Highest msg seq this user has read. */
  readSeq: number
  doNotDisturb?: boolean
  top?: boolean
}

export interface MsgRec {
  msgId: string
  seq: number
  senderId: string
  /** 1 user, 3 bot. */
  senderType: 1 | 3
  contentType: number
  content: YunhuMsgContent
  sendTimeMs: number
  quoteMsgId?: string
  commandId?: string
  recallTimeMs?: number
  editTimeMs?: number
}

/** A client msg_id a user has sent in a chat (send-message is idempotent on it). */
export interface SentRec {
  /** The chat key (as in YunhuData.messages). */
  chat: string
  msgId: string
  atMs: number
}

export interface YunhuData {
  version: typeof DATA_VERSION
  /** Next numeric id handed out for users, bots and groups. */
  nextId: number
  users: UserRec[]
  bots: BotRec[]
  groups: GroupRec[]
  /** `<botId>:<groupId>` → the group's saved settings form (JSON text). */
  groupSettings: Record<string, string>
  boards: BoardRec[]
  banners: BannerRec[]
  llmModels: LlmModel[]
  /** user id → conversation list entries. */
  conversations: Record<string, ConvRec[]>
  /** chat key (`g:<group>`, `b:<bot>:<user>`, `u:<a>:<b>`) → messages in seq order. */
  messages: Record<string, MsgRec[]>
  /**
   * user id → the client msg_ids the user sent, oldest first (capped): a resend of one is answered
   * like the first send without storing it again, even once the message has left `messages`.
   * Absent in files written before it existed (read as empty).
   */
  sent: Record<string, SentRec[]>
}
