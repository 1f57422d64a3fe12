/**
 * Yunhu (云湖) group and bot-command endpoints (docs/protocol/yunhu-client-facts.md §6.1–6.5, §2.3):
 * group/info, group/list-member, group/gag-member, group/remove-member, group/bot-list,
 * instruction/list, menu/event, and the body of a command message. Over YunhuHttp, bodies by the
 * codec's names; no state here.
 */
import { encodeBody, type YunhuCallOptions, type YunhuHttp } from './http'
import type {
  YunhuBodyTypes,
  YunhuBotInstruction,
  YunhuBotListResponse,
  YunhuGroupInfoResponse,
  YunhuListMemberResponse,
  YunhuMsgContent
} from '../../../shared/yunhu'
import type { YunhuSettingsForm, YunhuSettingsValues } from '../../../shared/yunhu-api'

/** The member page size the official web client (and VUE) use. */
export const YUNHU_MEMBER_PAGE_SIZE = 50

/** The mute durations group/gag-member takes, in seconds (0 = off, -1 = for ever); no other value. */
export const YUNHU_GAG_SECONDS = [0, 600, 3600, 21600, 43200, -1] as const

/** Instruction types (InstructionData.type / instruction_type). */
export const YUNHU_COMMAND_TYPES = { normal: 1, direct: 2, form: 5 } as const


/** POST /v1/group/info (protobuf): the group, my role in it (permisson_level) and its bots. */
export async function fetchGroupInfo(http: YunhuHttp, groupId: string, opts?: YunhuCallOptions): Promise<YunhuGroupInfoResponse> {
  const path = '/v1/group/info'
  return http.proto(path, encodeBody('GroupInfoRequest', { group_id: groupId }, path), 'GroupInfoResponse', opts)
}

/** POST /v1/group/list-member (protobuf): one page (from 1) of members, optionally matching `keywords`. */
export async function fetchMembers(
  http: YunhuHttp,
  input: { groupId: string; page: number; size?: number; keywords?: string },
  opts?: YunhuCallOptions
): Promise<YunhuListMemberResponse> {
  const path = '/v1/group/list-member'
  const body: YunhuBodyTypes['ListMemberRequest'] = { data: { size: input.size ?? YUNHU_MEMBER_PAGE_SIZE, page: input.page }, group_id: input.groupId }
  if (input.keywords) body.keywords = input.keywords
  return http.proto(path, encodeBody('ListMemberRequest', body, path), 'ListMemberResponse', opts)
}

/** POST /v1/group/gag-member (JSON, owner or admin): mutes for `gag` seconds (one of YUNHU_GAG_SECONDS). */
export async function gagMember(http: YunhuHttp, input: { groupId: string; userId: string; gag: number }, opts?: YunhuCallOptions): Promise<void> {
  await http.json('/v1/group/gag-member', { groupId: input.groupId, userId: input.userId, gag: input.gag }, opts)
}

/** POST /v1/group/remove-member (JSON, owner or admin). */
export async function removeMember(http: YunhuHttp, input: { groupId: string; userId: string }, opts?: YunhuCallOptions): Promise<void> {
  await http.json('/v1/group/remove-member', { groupId: input.groupId, userId: input.userId }, opts)
}

/** POST /v1/group/bot-list (protobuf, members only): the group's bots, their commands and quick menus. */
export async function fetchGroupBots(http: YunhuHttp, groupId: string, opts?: YunhuCallOptions): Promise<YunhuBotListResponse> {
  const path = '/v1/group/bot-list'
  return http.proto(path, encodeBody('BotListRequest', { group_id: groupId }, path), 'BotListResponse', opts)
}

/** POST /v1/instruction/list (protobuf): a bot's commands for its private chat (data decoded as repeated). */
export async function fetchBotInstructions(http: YunhuHttp, botId: string, opts?: YunhuCallOptions): Promise<YunhuBotInstruction[]> {
  const path = '/v1/instruction/list'
  const r = await http.proto(path, encodeBody('GetBotInstructionRequest', { bot_id: botId }, path), 'GetBotInstructionListResponse', opts)
  return r.data ?? []
}

/** POST /v1/menu/event (JSON): fires a quick-menu button; `value` is the choice of a toggle or drop-down. */
export async function menuEvent(http: YunhuHttp, input: { id: string; chatId: string; chatType: number; value?: string }, opts?: YunhuCallOptions): Promise<void> {
  // The menu id is int64: sent as a JSON number when it is exact, else as its digits.
  const n = Number(input.id)
  const id = Number.isSafeInteger(n) ? n : input.id
  await http.json('/v1/menu/event', { id, chatId: input.chatId, chatType: input.chatType, value: input.value ?? '' }, opts)
}

/**
 * content.form of a form (type 5) command (msg.md form guide): a JSON object keyed by item id, each
 * `{id, type, label, value}`; radio and select carry `selectIndex` (0-based) + `selectValue` instead,
 * switches true/false. Labels (display only) are left out.
 */
export function commandFormJson(form: YunhuSettingsForm, values: YunhuSettingsValues): string {
  const out: Record<string, Record<string, unknown>> = {}
  for (const f of form.fields) {
    if (f.type === 'label') continue
    const v = values[f.id]
    const base = { id: f.id, type: f.type, label: f.label }
    if (f.type === 'radio' || f.type === 'select') {
      const s = typeof v === 'string' ? v : ''
      out[f.id] = { ...base, selectIndex: f.options.indexOf(s), selectValue: s }
    } else if (f.type === 'switch') out[f.id] = { ...base, value: v === true }
    else if (f.type === 'checkbox') out[f.id] = { ...base, value: Array.isArray(v) ? v : [] }
    else out[f.id] = { ...base, value: typeof v === 'string' ? v : '' }
  }
  return JSON.stringify(out)
}

/** The MsgContent of a command message by its type (§2.3): normal = the text, direct = empty, form = content.form. */
export function commandContent(type: number, input: { text?: string; form?: string }): YunhuMsgContent {
  if (type === YUNHU_COMMAND_TYPES.direct) return {}
  if (type === YUNHU_COMMAND_TYPES.form) return { form: input.form ?? '{}' }
  return { text: input.text ?? '' }
}
