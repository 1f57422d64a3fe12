/**
 * Typed Yunhu (云湖) endpoints over YunhuHttp: every bot endpoint of the seed
 * (docs/protocol/yunhu-seed.txt) plus the account, conversation and message endpoints of the facts
 * sheet (docs/protocol/yunhu.md §5). Paths and field names exactly as those documents give them.
 */
import { coreText } from '../../../shared/core-text'
import { randomBytes } from 'node:crypto'
import { TransportError } from '../../transport/errors'
import { encodeBody, YunhuHttp, type YunhuCallOptions, type YunhuHttpOptions } from './http'
import { defaultSettingsValues, parseSettingsForm, parseSettingsValues, serializeSettingsForm, serializeSettingsValues } from './settings-schema'
import type {
  YunhuBotBoardMessage,
  YunhuBotData,
  YunhuButtonReportRequest,
  YunhuConversationListResponse,
  YunhuListMsgByMidSeqRequest,
  YunhuListMsgResponse,
  YunhuSendMsgRequest,
  YunhuUserInfoData
} from '../../../shared/yunhu'
import type {
  YunhuBanner,
  YunhuBotDetail,
  YunhuBotDetailResult,
  YunhuBotGroup,
  YunhuBotLlmSettings,
  YunhuCreateBotInput,
  YunhuEditBotRequest,
  YunhuGroupSettings,
  YunhuLlmModel,
  YunhuMyBot,
  YunhuMyBotsResult,
  YunhuPlatform,
  YunhuSettingsForm,
  YunhuSettingsValues,
  YunhuStoreBot
} from '../../../shared/yunhu-api'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A client-made message id (uuid4 hex, as the SDK makes them). */
export function newYunhuMsgId(): string {
  return randomBytes(16).toString('hex')
}

function list<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : []
}

function obj(v: unknown, what: string, path: string): Obj {
  if (!isObj(v)) throw new TransportError('protocol', `Yunhu ${path} sent no ${what}`)
  return v
}


export interface YunhuEmailLoginInput {
  email: string
  password: string
  deviceId: string
  platform?: YunhuPlatform | string
}

export interface YunhuListMessagesInput {
  chatId: string
  chatType: number
  /** How many messages (default 20). */
  count?: number
  /** Messages before this one; omitted/"" = the latest (undocumented, as the SDK does). */
  beforeMsgId?: string
}

export interface YunhuSendInput extends Omit<YunhuSendMsgRequest, 'msg_id'> {
  /** Made up (uuid4 hex) when omitted. */
  msg_id?: string
}

export class YunhuApi {
  readonly http: YunhuHttp

  constructor(http: YunhuHttp | YunhuHttpOptions = {}) {
    this.http = http instanceof YunhuHttp ? http : new YunhuHttp(http)
  }

  // ---------------------------------------------------------------- account

  /** POST /v1/user/email-login (no token). Stores the token on the client and returns it. */
  async emailLogin(input: YunhuEmailLoginInput, opts?: YunhuCallOptions): Promise<string> {
    const path = '/v1/user/email-login'
    const r = await this.http.json(path, { email: input.email, password: input.password, deviceId: input.deviceId, platform: input.platform ?? 'windows' }, { ...opts, auth: false })
    const d = obj(r.data, 'data', path)
    if (typeof d.token !== 'string' || !d.token) throw new TransportError('protocol', `Yunhu ${path} sent no token`)
    this.http.token = d.token
    return d.token
  }

  /** GET /v1/user/info (protobuf UserInfo): the account's own id, name and avatar. */
  async userInfo(opts?: YunhuCallOptions): Promise<YunhuUserInfoData> {
    const r = await this.http.proto('/v1/user/info', undefined, 'UserInfo', { ...opts, method: 'GET' })
    return r.data ?? {}
  }

  // ---------------------------------------------------------------- conversations and messages

  /** POST /v1/conversation/list. With `md5` equal to the server's, the list comes back empty. */
  async conversations(md5?: string, opts?: YunhuCallOptions): Promise<Required<Pick<YunhuConversationListResponse, 'data'>> & Omit<YunhuConversationListResponse, 'data'>> {
    const path = '/v1/conversation/list'
    const r = await this.http.proto(path, encodeBody('ConversationListRequest', md5 ? { md5 } : {}, path), 'ConversationListResponse', opts)
    return { ...r, data: r.data ?? [] }
  }

  /** POST /v1/msg/list-message: `count` messages before `beforeMsgId` (the latest when omitted). */
  async listMessages(input: YunhuListMessagesInput, opts?: YunhuCallOptions): Promise<YunhuListMsgResponse & { data: NonNullable<YunhuListMsgResponse['data']> }> {
    const path = '/v1/msg/list-message'
    const body = encodeBody('ListMsgRequest', { msg_count: input.count ?? 20, msg_id: input.beforeMsgId ?? '', chat_type: input.chatType, chat_id: input.chatId }, path)
    const r = await this.http.proto(path, body, 'ListMsgResponse', opts)
    return { ...r, data: r.data ?? [] }
  }

  /** POST /v1/msg/list-message-by-seq: the messages after `afterSeq` (excluded). */
  async listMessagesBySeq(input: { chatId: string; chatType: number; afterSeq: string }, opts?: YunhuCallOptions): Promise<YunhuListMsgResponse & { data: NonNullable<YunhuListMsgResponse['data']> }> {
    const path = '/v1/msg/list-message-by-seq'
    const body = encodeBody('ListMsgBySeqRequest', { msg_start: input.afterSeq, chat_type: input.chatType, chat_id: input.chatId }, path)
    const r = await this.http.proto(path, body, 'ListMsgResponse', opts)
    return { ...r, data: r.data ?? [] }
  }

  /** POST /v1/msg/list-message-by-mid-seq: msg_count messages around msg_id (included). */
  async listMessagesByMidSeq(input: YunhuListMsgByMidSeqRequest, opts?: YunhuCallOptions): Promise<YunhuListMsgResponse & { data: NonNullable<YunhuListMsgResponse['data']> }> {
    const path = '/v1/msg/list-message-by-mid-seq'
    const r = await this.http.proto(path, encodeBody('ListMsgByMidSeqRequest', input, path), 'ListMsgResponse', opts)
    return { ...r, data: r.data ?? [] }
  }

  /** POST /v1/msg/send-message. Returns the message id (made up when not given). */
  async sendMessage(input: YunhuSendInput, opts?: YunhuCallOptions): Promise<string> {
    const path = '/v1/msg/send-message'
    const msg_id = input.msg_id || newYunhuMsgId()
    await this.http.proto(path, encodeBody('SendMsgRequest', { ...input, msg_id }, path), 'StatusResponse', opts)
    return msg_id
  }

  /** POST /v1/msg/edit-message: the same body as send, msg_id = the message to change (sender only). */
  async editMessage(input: YunhuSendMsgRequest & { msg_id: string }, opts?: YunhuCallOptions): Promise<void> {
    const path = '/v1/msg/edit-message'
    await this.http.proto(path, encodeBody('SendMsgRequest', input, path), 'StatusResponse', opts)
  }

  /** POST /v1/msg/recall-msg (one id) or /v1/msg/recall-msg-batch (several). */
  async recall(input: { chatId: string; chatType: number; msgIds: string | string[] }, opts?: YunhuCallOptions): Promise<void> {
    const ids = Array.isArray(input.msgIds) ? input.msgIds : [input.msgIds]
    if (ids.length === 0) throw new TransportError('protocol', coreText('nothingToRecall'))
    const path = ids.length > 1 ? '/v1/msg/recall-msg-batch' : '/v1/msg/recall-msg'
    await this.http.proto(path, encodeBody('RecallMsg', { msg_id: ids, chat_id: input.chatId, chat_type: input.chatType }, path), 'StatusResponse', opts)
  }

  /** POST /v1/msg/button-report: a click on a message button. */
  async buttonReport(input: YunhuButtonReportRequest, opts?: YunhuCallOptions): Promise<void> {
    const path = '/v1/msg/button-report'
    await this.http.proto(path, encodeBody('ButtonReportRequest', input, path), 'StatusResponse', opts)
  }

  // ---------------------------------------------------------------- bot store

  /** POST /v1/bot/banner */
  async banners(opts?: YunhuCallOptions): Promise<YunhuBanner[]> {
    const r = await this.http.json<{ banners?: YunhuBanner[] }>('/v1/bot/banner', undefined, opts)
    return list<YunhuBanner>(isObj(r.data) ? r.data.banners : undefined)
  }

  /** POST /v1/bot/new-list: the bot store. */
  async storeList(opts?: YunhuCallOptions): Promise<YunhuStoreBot[]> {
    const r = await this.http.json<{ bots?: YunhuStoreBot[] }>('/v1/bot/new-list', undefined, opts)
    return list<YunhuStoreBot>(isObj(r.data) ? r.data.bots : undefined)
  }

  /** POST /v1/bot/bot-detail: a bot and the groups that use it. */
  async botDetail(botId: string, opts?: YunhuCallOptions): Promise<YunhuBotDetailResult> {
    const path = '/v1/bot/bot-detail'
    const r = await this.http.json<Obj>(path, { id: botId }, opts)
    const d = obj(r.data, 'data', path)
    const bot = obj(d.bot, 'bot', path) as unknown as YunhuBotDetail
    return { bot, groups: list<YunhuBotGroup>(d.groups) }
  }

  /** POST /v1/bot/bot-group-list: the bots the account created (with their tokens). */
  async myBots(opts?: YunhuCallOptions): Promise<YunhuMyBotsResult> {
    const path = '/v1/bot/bot-group-list'
    const r = await this.http.json<Obj>(path, undefined, opts)
    const d = isObj(r.data) ? r.data : {}
    const bots = list<YunhuMyBot>(isObj(d.list) ? d.list.bots : undefined)
    return { total: typeof d.botsTotal === 'number' ? d.botsTotal : bots.length, bots }
  }

  /** POST /v1/bot/edit-setting-json: the bot's settings form (a form or its JSON string). */
  async editSettingJson(botId: string, setting: string | YunhuSettingsForm, opts?: YunhuCallOptions): Promise<void> {
    const settingJson = typeof setting === 'string' ? setting : serializeSettingsForm(setting)
    if (typeof setting === 'string') parseSettingsForm(setting) // refuse to upload a broken form
    await this.http.json('/v1/bot/edit-setting-json', { id: botId, settingJson }, opts)
  }

  /** POST /v1/bot/web-edit-bot */
  async editBot(input: YunhuEditBotRequest, opts?: YunhuCallOptions): Promise<void> {
    await this.http.json(
      '/v1/bot/web-edit-bot',
      { nickname: input.nickname, introduction: input.introduction, avatarUrl: input.avatarUrl, botId: input.botId, private: input.private },
      opts
    )
  }

  /** POST /v1/bot/bot-info (protobuf). */
  async botInfo(botId: string, opts?: YunhuCallOptions): Promise<YunhuBotData> {
    const path = '/v1/bot/bot-info'
    const r = await this.http.proto(path, encodeBody('BotInfoRequest', { id: botId }, path), 'BotInfoResponse', opts)
    return r.data ?? {}
  }

  /** POST /v1/bot/board (protobuf): the board of a group (chatType 2), user (1) or bot (3); undefined when none. */
  async board(chatId: string, chatType: number, opts?: YunhuCallOptions): Promise<YunhuBotBoardMessage | undefined> {
    const path = '/v1/bot/board'
    const r = await this.http.proto(path, encodeBody('BoardRequest', { id: chatId, chat_type: chatType }, path), 'BoardResponse', opts)
    return r.data
  }

  /** POST /v1/bot/remove-follower (bot admin token). */
  async removeFollower(botId: string, userId: string, opts?: YunhuCallOptions): Promise<void> {
    await this.http.json('/v1/bot/remove-follower', { botId, userId }, opts)
  }

  /** POST /v1/bot/remove-group (bot admin token). */
  async removeGroup(botId: string, groupId: string, opts?: YunhuCallOptions): Promise<void> {
    await this.http.json('/v1/bot/remove-group', { botId, groupId }, opts)
  }

  /** POST /v1/bot/llm/llm-setting-list: model groups, each with its models in subItems. */
  async llmModels(opts?: YunhuCallOptions): Promise<YunhuLlmModel[]> {
    const r = await this.http.json<Obj>('/v1/bot/llm/llm-setting-list', undefined, opts)
    return list<YunhuLlmModel>(isObj(r.data) ? r.data.list : undefined)
  }

  /** POST /v1/bot/llm/llm-setting-ref-info (bot admin token): the bot's LLM settings. */
  async llmSettings(botId: string, opts?: YunhuCallOptions): Promise<YunhuBotLlmSettings> {
    const path = '/v1/bot/llm/llm-setting-ref-info'
    const r = await this.http.json<Obj>(path, { botId }, opts)
    return obj(r.data, 'data', path) as unknown as YunhuBotLlmSettings
  }

  /** POST /v1/bot/reset-bot-token (bot admin token): returns the new bot token. */
  async resetBotToken(botId: string, opts?: YunhuCallOptions): Promise<string> {
    const path = '/v1/bot/reset-bot-token'
    const r = await this.http.json<Obj>(path, { botId }, opts)
    const d = obj(r.data, 'data', path)
    if (typeof d.token !== 'string') throw new TransportError('protocol', `Yunhu ${path} sent no token`)
    return d.token
  }

  /** POST /v1/bot/create-bot (protobuf): returns the new bot (at least bot_id). */
  async createBot(input: YunhuCreateBotInput, opts?: YunhuCallOptions): Promise<YunhuBotData> {
    const path = '/v1/bot/create-bot'
    const body = encodeBody(
      'CreateBotRequest',
      { name: input.name, introduction: input.introduction ?? '', avatar_url: input.avatarUrl ?? '', private: input.private ?? false },
      path
    )
    const r = await this.http.proto(path, body, 'CreateBotResponse', opts)
    if (!r.data?.bot_id) throw new TransportError('protocol', `Yunhu ${path} sent no bot id`)
    return r.data
  }

  /** POST /v1/bot/edit-subscribed-link (bot admin token): the message webhook. */
  async editSubscribedLink(botId: string, link: string, opts?: YunhuCallOptions): Promise<void> {
    await this.http.json('/v1/bot/edit-subscribed-link', { botId, link }, opts)
  }

  /**
   * POST /v1/bot/get-user-settings-json (group admin token): the bot's settings form in a chat,
   * with the saved values when the reply carries them (else the defaults).
   */
  async groupSettings(botId: string, chatId: string, opts?: YunhuCallOptions): Promise<YunhuGroupSettings> {
    const path = '/v1/bot/get-user-settings-json'
    const r = await this.http.json<Obj>(path, { botId, chatId }, opts)
    const d = isObj(r.data) ? r.data : {}
    const raw = d.settingsJson ?? d.settingJson
    const form = parseSettingsForm(raw, 'settingsJson')
    const saved = Array.isArray(raw) || typeof raw === 'string' ? parseSettingsValues(raw, form, 'settingsJson') : {}
    return {
      form,
      values: { ...defaultSettingsValues(form), ...saved },
      raw: typeof raw === 'string' ? raw : JSON.stringify(raw ?? [])
    }
  }

  /**
   * POST /v1/bot/send-setting-json (group admin token): saves the bot's settings in a group.
   * `settings` is the JSON string as is, or values checked against `form` and serialised.
   */
  async saveGroupSettings(botId: string, groupId: string, settings: string | { form: YunhuSettingsForm; values: YunhuSettingsValues }, opts?: YunhuCallOptions): Promise<void> {
    const settingJson = typeof settings === 'string' ? settings : serializeSettingsValues(settings.form, settings.values)
    await this.http.json('/v1/bot/send-setting-json', { id: botId, groupId, settingJson }, opts)
  }
}
