/**
 * Yunhu (云湖) decoded wire shapes, shared by main, renderer, server and tests.
 *
 * Field names are the schema's (snake_case, see docs/protocol/yunhu.md). Conventions of the codec
 * (src/core/protocols/yunhu/codec/yunhu.ts):
 * - proto3 defaults ("" / 0 / false / empty list) are absent, so every field is optional;
 * - 64-bit integers are decimal strings (some ids exceed 2^53; never turn them into Number);
 * - int32 and enums are numbers (unknown enum values are kept as numbers).
 */

/** Decimal string of a 64-bit integer, e.g. "1958276403318333167". */
export type YunhuInt64 = string

/** 1 user, 2 group, 3 bot (0 unused). */
export const YunhuChatType = { User: 1, Group: 2, Bot: 3 } as const
export type YunhuChatTypeValue = number

/** Message content type (PushMessage / MsgData / SendMsgRequest). Video has no documented number. */
export const YunhuContentType = {
  Text: 1,
  Image: 2,
  Markdown: 3,
  File: 4,
  Form: 5,
  Post: 6,
  Sticker: 7,
  Html: 8,
  Voice: 11,
  VoiceCall: 13,
  A2UI: 14
} as const

/** Board content type (ContentTypeTextOnly): numbered differently from YunhuContentType. */
export const YunhuBoardContentType = { Text: 1, Markdown: 2, Html: 3 } as const

// ---------------------------------------------------------------- common

export interface YunhuStatus {
  request_id?: YunhuInt64
  /** 1 = ok; -101 = not logged in (assumed for protobuf endpoints); -1 generic failure. */
  code?: number
  msg?: string
}

export interface YunhuStatusResponse {
  status?: YunhuStatus
}

export interface YunhuTag {
  id?: YunhuInt64
  group_id?: string
  text?: string
  /** e.g. "#FFFFFFFF" */
  color?: string
}

export interface YunhuSender {
  chat_id?: string
  chat_type?: number
  name?: string
  avatar_url?: string
  is_vip?: boolean
  tag_old?: string[]
  tag?: YunhuTag[]
}

/** The bot command a message was sent with. type: 1 normal, 2 direct-send, 5 custom input. */
export interface YunhuCmd {
  cmd_id?: YunhuInt64
  name?: string
  type?: number
}

export interface YunhuMsgContent {
  /** Body of text, markdown and html messages (not transformed). */
  text?: string
  /** JSON string: rows of `{text, actionType, url?, value?}`. See parseYunhuButtons. */
  buttons?: string
  image_url?: string
  file_name?: string
  file_url?: string
  mentioned_id?: string[]
  form?: string
  /** By convention "name: text". */
  quote_msg_text?: string
  /** Image / sticker key when sending. */
  image?: string
  post_id?: string
  post_title?: string
  post_content?: string
  post_content_type?: string
  expression_id?: string
  quote_image_url?: string
  quote_image_name?: string
  file_size?: YunhuInt64
  video_url?: string
  video_time?: number
  audio_url?: string
  /** Seconds. */
  audio_time?: number
  quote_video_url?: string
  quote_video_time?: number
  sticker_item_id?: YunhuInt64
  sticker_pack_id?: YunhuInt64
  room_name?: string
  call_status_text?: string
  width?: number
  height?: number
  tip?: string
}

/** One button of MsgContent.buttons (after JSON.parse). actionType meaning is ambiguous in the docs. */
export interface YunhuButton {
  text: string
  actionType: number
  url?: string
  value?: string
}

export interface YunhuBotBoardMessage {
  bot_id?: string
  chat_id?: string
  chat_type?: number
  content?: string
  /** YunhuBoardContentType: 1 text, 2 markdown, 3 html. */
  content_type?: number
  /** Unit undocumented (seconds in practice). */
  last_update_time?: YunhuInt64
  bot_name?: string
}

// ---------------------------------------------------------------- WebSocket

export interface YunhuWsInfo {
  seq?: string
  cmd?: string
}

/** google.protobuf.Any on the wire. */
export interface YunhuWsAny {
  type_url?: string
  value?: Uint8Array
}

/** The raw server frame envelope. */
export interface YunhuWsWrapper {
  info?: YunhuWsInfo
  data?: YunhuWsAny
}

/** push_message / edit_message (subset) / blocked_message payload. */
export interface YunhuPushMessage {
  msg_id?: string
  sender?: YunhuSender
  recv_id?: string
  chat_id?: string
  chat_type?: number
  content?: YunhuMsgContent
  content_type?: number
  /** Milliseconds. */
  timestamp?: YunhuInt64
  cmd?: YunhuCmd
  /** Set (non-zero) means recalled. */
  delete_timestamp?: YunhuInt64
  quote_msg_id?: string
  msg_seq?: YunhuInt64
  edit_time?: YunhuInt64
}

/** stream_message payload: append `content` to message `msg_id`. */
export interface YunhuStreamMessage {
  msg_id?: string
  recv_id?: string
  chat_id?: string
  content?: string
}

/** draft_input payload: the whole draft; absent input = empty draft. */
export interface YunhuMsgInput {
  chat_id?: string
  input?: string
}

/** live_video_user_hang_up payload. */
export interface YunhuLiveMessage {
  msg_id?: string
  cmd?: string
}

interface YunhuEventBase {
  /** info.seq ("" when absent). */
  seq: string
  /** info.cmd ("" when absent). */
  cmd: string
  /** data.type_url when present (informational only: dispatch is by cmd). */
  type_url?: string
}

/** A decoded server frame, dispatched on info.cmd. */
export type YunhuPushEvent =
  | (YunhuEventBase & { kind: 'heartbeat_ack' })
  | (YunhuEventBase & { kind: 'invite_apply' })
  /** A new message (cmd push_message, delete_timestamp unset). */
  | (YunhuEventBase & { kind: 'push_message'; message: YunhuPushMessage })
  /** A recall notice: cmd push_message with delete_timestamp set. */
  | (YunhuEventBase & { kind: 'recall'; message: YunhuPushMessage })
  | (YunhuEventBase & { kind: 'edit_message'; message: YunhuPushMessage })
  | (YunhuEventBase & { kind: 'blocked_message'; message: YunhuPushMessage })
  | (YunhuEventBase & { kind: 'stream_message'; message: YunhuStreamMessage })
  | (YunhuEventBase & { kind: 'bot_board_message'; message: YunhuBotBoardMessage })
  | (YunhuEventBase & { kind: 'draft_input'; message: YunhuMsgInput })
  | (YunhuEventBase & { kind: 'live_video_user_hang_up'; message: YunhuLiveMessage })
  /**
   * A frame the client should skip: unknown cmd, or no info/cmd at all (cmd "").
   * `value` holds the raw payload bytes when there were any.
   */
  | (YunhuEventBase & { kind: 'unknown'; value?: Uint8Array })

export type YunhuPushEventKind = YunhuPushEvent['kind']

// ---------------------------------------------------------------- bot endpoints

/** The seed calls it Bot_data. */
export interface YunhuBotData {
  bot_id?: string
  name?: string
  name_id?: YunhuInt64
  avatar_url?: string
  avatar_id?: YunhuInt64
  introduction?: string
  create_by?: string
  create_time?: YunhuInt64
  headcount?: YunhuInt64
  private?: boolean
  is_stop?: boolean
  always_agree?: boolean
  prevent_deletion?: boolean
  do_not_disturb?: boolean
  ban_id?: YunhuInt64
  ban_until_timestamp?: YunhuInt64
  top?: boolean
  is_deleted?: boolean
  group_limit?: boolean
  field21?: number
  ban_reason?: string
}

/** POST /v1/bot/bot-info */
export interface YunhuBotInfoRequest {
  id?: string
}
export interface YunhuBotInfoResponse {
  status?: YunhuStatus
  data?: YunhuBotData
}

/** POST /v1/bot/board */
export interface YunhuBoardRequest {
  /** Group or bot id. */
  id?: string
  chat_type?: number
}
export interface YunhuBoardResponse {
  status?: YunhuStatus
  data?: YunhuBotBoardMessage
}

/** POST /v1/bot/create-bot */
export interface YunhuCreateBotRequest {
  name?: string
  introduction?: string
  avatar_url?: string
  private?: boolean
}
export interface YunhuCreateBotResponse {
  status?: YunhuStatus
  data?: YunhuBotData
}

// ---------------------------------------------------------------- account, conversations, messages

/** GET /v1/user/info (facts §9). coin is a double. */
export interface YunhuUserInfoData {
  id?: string
  name?: string
  field3?: number
  avatar_url?: string
  avatar_id?: YunhuInt64
  phone?: string
  email?: string
  coin?: number
  is_vip?: boolean
  vip_expired_time?: YunhuInt64
  /** 0 none, 1 active, 2 expired. */
  vip_status?: number
  invitation_code?: string
}
export interface YunhuUserInfo {
  status?: YunhuStatus
  data?: YunhuUserInfoData
}

/** POST /v1/conversation/list */
export interface YunhuConversationListRequest {
  md5?: string
}

export interface YunhuAtData {
  unknown?: YunhuInt64
  mentioned_id?: string
  mentioned_name?: string
  mentioned_in?: string
  mentioner_id?: string
  mentioner_name?: string
  msg_seq?: YunhuInt64
}

/** ConversationListResponse.Data */
export interface YunhuConversation {
  chat_id?: string
  chat_type?: number
  remark?: string
  /** Preview text. */
  chat_content?: string
  timestamp_ms?: YunhuInt64
  unread_msg?: number
  at?: boolean
  avatar_id?: YunhuInt64
  avatar_url?: string
  do_not_disturb?: boolean
  /** Seconds. */
  send_timestamp?: YunhuInt64
  is_vip?: boolean
  at_data?: YunhuAtData
  name?: string
  /** 1 official, 2 regional. */
  certification_level?: number
}

export interface YunhuConversationListResponse {
  status?: YunhuStatus
  data?: YunhuConversation[]
  total?: number
  md5?: string
}

/** POST /v1/msg/send-message and /v1/msg/edit-message */
export interface YunhuSendMsgRequest {
  msg_id?: string
  chat_id?: string
  chat_type?: number
  content?: YunhuMsgContent
  content_type?: number
  command_id?: YunhuInt64
  quote_msg_id?: string
}

/** POST /v1/msg/list-message */
export interface YunhuListMsgRequest {
  msg_count?: number
  msg_id?: string
  chat_type?: number
  chat_id?: string
}

/** POST /v1/msg/list-message-by-seq */
export interface YunhuListMsgBySeqRequest {
  msg_start?: YunhuInt64
  chat_type?: number
  chat_id?: string
}

/** POST /v1/msg/list-message-by-mid-seq */
export interface YunhuListMsgByMidSeqRequest {
  msg_seq?: YunhuInt64
  chat_type?: number
  chat_id?: string
  unknown?: YunhuInt64
  msg_count?: number
  msg_id?: string
}

/** One message of a list reply (numbered differently from PushMessage on the wire). */
export interface YunhuMsgData {
  msg_id?: string
  sender?: YunhuSender
  /** "left" / "right" */
  direction?: string
  content_type?: number
  content?: YunhuMsgContent
  /** Milliseconds. */
  send_time?: YunhuInt64
  cmd?: YunhuCmd
  recall_time?: YunhuInt64
  quote_msg_id?: string
  msg_seq?: YunhuInt64
  edit_time?: YunhuInt64
}

export interface YunhuListMsgResponse {
  status?: YunhuStatus
  data?: YunhuMsgData[]
  total?: number
}

/** POST /v1/msg/recall-msg and /v1/msg/recall-msg-batch */
export interface YunhuRecallMsg {
  msg_id?: string[]
  chat_id?: string
  chat_type?: number
}

/** POST /v1/msg/button-report */
export interface YunhuButtonReportRequest {
  msg_id?: string
  chat_type?: number
  chat_id?: string
  user_id?: string
  button_value?: string
}

// ------------------------------------------------ groups, commands, contacts, profiles (facts §6–7)

/** POST /v1/group/info */
export interface YunhuGroupInfoRequest {
  group_id?: string
}
export interface YunhuGroupData {
  group_id?: string
  name?: string
  avatar_url?: string
  avatar_id?: YunhuInt64
  introduction?: string
  headcount?: YunhuInt64
  create_by?: string
  direct_join?: boolean
  /** The requester's own role (sic): 100 owner, 2 admin, 0 or absent member. */
  permisson_level?: number
  history_msg?: boolean
  category_name?: string
  category_id?: YunhuInt64
  private?: boolean
  do_not_disturb?: boolean
  community_id?: YunhuInt64
  community_name?: string
  ban_id?: YunhuInt64
  ban_until_timestamp?: YunhuInt64
  top?: boolean
  admin?: string[]
  gag_until_timestamp?: YunhuInt64
  limited_msg_type?: string
  owner?: string
  recommandation?: boolean
  is_gag?: boolean
  tag_old?: string[]
  tag?: YunhuTag[]
  my_group_nickname?: string
  group_code?: string
  hide_group_members?: boolean
  field31?: YunhuInt64
  auto_delete_message?: boolean
  deny_members_upload_to_group_disk?: boolean
  ban_reason?: string
}
export interface YunhuGroupInfoResponse {
  status?: YunhuStatus
  data?: YunhuGroupData
  bot?: YunhuBotData[]
}

/** POST /v1/group/list-member (pages from 1). */
export interface YunhuListMemberRequest {
  data?: { size?: number; page?: number }
  group_id?: string
  keywords?: string
}
export interface YunhuGroupMember {
  group_id?: string
  user_info?: { user_id?: string; name?: string; avatar_url?: string; is_vip?: boolean }
  /** 100 owner, 2 admin. */
  permission_level?: number
  gag_time?: YunhuInt64
  is_gag?: boolean
}
export interface YunhuListMemberResponse {
  status?: YunhuStatus
  user?: YunhuGroupMember[]
  total?: number
}

/** POST /v1/group/bot-list */
export interface YunhuBotListRequest {
  group_id?: string
}
export interface YunhuInstructionData {
  id?: YunhuInt64
  bot_id?: string
  name?: string
  desc?: string
  /** 1 normal, 2 direct, 5 custom input (form). */
  type?: number
  hint_text?: string
  default_text?: string
  sort?: YunhuInt64
  /** JSON array of form items (type 5). */
  form?: string
  bot_name?: string
}
export interface YunhuMenuData {
  id?: YunhuInt64
  bot_id?: string
  name?: string
  content?: string
  menu_type?: number
  create_time?: YunhuInt64
  menu_action?: number
  select?: string
}
export interface YunhuBotListResponse {
  status?: YunhuStatus
  bot?: YunhuBotData[]
  instruction?: YunhuInstructionData[]
  menu?: YunhuMenuData[]
}

/** POST /v1/instruction/list */
export interface YunhuGetBotInstructionRequest {
  bot_id?: string
}
export interface YunhuBotInstruction {
  command_id?: YunhuInt64
  bot_id?: string
  command_name?: string
  command_description?: string
  instruction_type?: number
  command_default_text?: string
  command_settings_json?: string
}
/** FP's shape: one command. */
export interface YunhuGetBotInstructionResponse {
  status?: YunhuStatus
  data?: YunhuBotInstruction
}
/** MX's shape (the same bytes for one item): what the client decodes. */
export interface YunhuGetBotInstructionListResponse {
  status?: YunhuStatus
  data?: YunhuBotInstruction[]
}

/** POST /v1/friend/address-book-list */
export interface YunhuAddressBookListRequest {
  md5?: string
}
export interface YunhuAddressBookEntry {
  chat_id?: string
  remark?: string
  avatar_url?: string
  permisson_level?: number
  no_disturb?: boolean
  name?: string
}
export interface YunhuAddressBookSection {
  list_name?: string
  data?: YunhuAddressBookEntry[]
  chat_type?: number
}
export interface YunhuAddressBookListResponse {
  status?: YunhuStatus
  data?: YunhuAddressBookSection[]
  md5?: string
}

/** POST /v1/friend/request-list (empty request). */
export interface YunhuFriendRequest {
  receiver_name?: string
  receiver_avatar?: string
  name?: string
  avatar?: string
  group_name?: string
  group_avatar?: string
  inviter_id?: string
  inviter_id_alt?: string
  source_type?: number
  target_type?: number
  target_id?: string
  receiver_id?: string
  result?: number
  processed_at?: YunhuInt64
  invite_at?: YunhuInt64
  invite_at_str?: string
  request_id?: number
  bot_name?: string
  bot_avatar?: string
  processor_name?: string
  note?: string
  is_vip?: boolean
}
export interface YunhuRequestListResponse {
  status?: YunhuStatus
  requests?: YunhuFriendRequest[]
  total?: number
  pending?: number
}

/** POST /v1/user/get-user (a bot id answers "user not found": use bot-info). */
export interface YunhuGetUserRequest {
  id?: string
}
export interface YunhuGetUserData {
  id?: string
  name?: string
  name_id?: YunhuInt64
  avatar_url?: string
  avatar_id?: YunhuInt64
  medal?: { id?: YunhuInt64; name?: string; sort?: YunhuInt64 }[]
  register_time?: string
  do_not_disturb?: boolean
  ban_id?: YunhuInt64
  ban_until_timestamp?: YunhuInt64
  online_day?: number
  continuous_online_day?: number
  is_vip?: boolean
  vip_expired_timestamp?: YunhuInt64
  vip_status?: number
  is_blocked?: boolean
  top?: boolean
  remark_info?: { remark_name?: string; phone?: string; extra_remark?: string }
  profile_info?: {
    last_active_time?: string
    introduction?: string
    gender?: number
    birthday_timestamp?: YunhuInt64
    city?: string
    district?: string
    address?: string
  }
  ip_geo?: string
  ban_reason?: string
}
export interface YunhuGetUserResponse {
  status?: YunhuStatus
  data?: YunhuGetUserData
}

/** Every protobuf HTTP body the codec knows, by schema message name. */
export interface YunhuBodyTypes {
  Status: YunhuStatus
  StatusResponse: YunhuStatusResponse
  BotData: YunhuBotData
  BotInfoRequest: YunhuBotInfoRequest
  BotInfoResponse: YunhuBotInfoResponse
  BoardRequest: YunhuBoardRequest
  BoardResponse: YunhuBoardResponse
  CreateBotRequest: YunhuCreateBotRequest
  CreateBotResponse: YunhuCreateBotResponse
  UserInfo: YunhuUserInfo
  GroupInfoRequest: YunhuGroupInfoRequest
  GroupInfoResponse: YunhuGroupInfoResponse
  ListMemberRequest: YunhuListMemberRequest
  ListMemberResponse: YunhuListMemberResponse
  BotListRequest: YunhuBotListRequest
  BotListResponse: YunhuBotListResponse
  GetBotInstructionRequest: YunhuGetBotInstructionRequest
  GetBotInstructionResponse: YunhuGetBotInstructionResponse
  GetBotInstructionListResponse: YunhuGetBotInstructionListResponse
  AddressBookListRequest: YunhuAddressBookListRequest
  AddressBookListResponse: YunhuAddressBookListResponse
  RequestListResponse: YunhuRequestListResponse
  GetUserRequest: YunhuGetUserRequest
  GetUserResponse: YunhuGetUserResponse
  ConversationListRequest: YunhuConversationListRequest
  ConversationListResponse: YunhuConversationListResponse
  SendMsgRequest: YunhuSendMsgRequest
  ListMsgRequest: YunhuListMsgRequest
  ListMsgBySeqRequest: YunhuListMsgBySeqRequest
  ListMsgByMidSeqRequest: YunhuListMsgByMidSeqRequest
  ListMsgResponse: YunhuListMsgResponse
  RecallMsg: YunhuRecallMsg
  ButtonReportRequest: YunhuButtonReportRequest
  // Standalone payload types (WS payloads are also plain protobuf messages).
  PushMessage: YunhuPushMessage
  StreamMessage: YunhuStreamMessage
  BotBoardMessage: YunhuBotBoardMessage
  MsgInput: YunhuMsgInput
  LiveMessage: YunhuLiveMessage
  WsWrapper: YunhuWsWrapper
}

export type YunhuBodyName = keyof YunhuBodyTypes

/** Error codes of CodecError. */
export type YunhuCodecErrorCode =
  /** Input ended inside a field (truncated frame/body). */
  | 'truncated'
  /** Bytes are not a valid message (bad wire type, bad UTF-8, bad varint, too deep...). */
  | 'invalid'
  /** encode: the object does not fit the schema (unknown field, wrong type, bad int64 string). */
  | 'bad-input'
