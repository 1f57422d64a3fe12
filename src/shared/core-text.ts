/**
 * The core's sentences a person reads (connection states, interrupted replies, login failures), in every
 * language the UI speaks, in one place. The core writes them in English through `coreText` (logs and the CLI
 * stay English); the renderer turns one back into the UI's language with `localizeCoreText`, which reads the
 * English sentence against these same templates — so a sentence and its translation cannot drift apart.
 * A sentence not in the table is shown as it is (a server's own words stay the server's).
 */
import type { AppLocale } from './locale'

const EN = {
  connectionLost: 'Connection lost: {why}',
  connectionLostBare: 'Connection lost',
  cannotReach: 'Cannot reach the server',
  cannotReachWhy: 'Cannot reach the server: {why}',
  connectionRefused: 'connection refused',
  hostNotFound: 'host name not found',
  timedOut: 'timed out',
  resetByServer: 'Connection reset by the server',
  closeNormal: 'the server closed the connection',
  closeGoingAway: 'the server is shutting down or restarting',
  closeBrokeOff: 'the connection broke off',
  closeClosed: 'the connection closed',
  closeRefused: 'the server refused this session',
  closeTooBig: 'a message was too large for the server',
  closeInternal: 'the server hit an internal error',
  closeRestarting: 'the server is restarting',
  closeOverloaded: 'the server is overloaded, try again later',
  closeUnexpected: 'the connection closed unexpectedly',
  replyLinkLost: 'The connection was lost before the reply finished',
  replyServerRestarted: 'The server restarted: the reply in progress was lost',
  answerLinkLost: 'The connection was lost before the server took the answer',
  loginFailed: 'Login failed',
  loginFailedWhy: 'Login failed: {why}',
  wrongEmailOrPassword: 'wrong email or password',
  questionClosed: 'That question is no longer open',
  notConnected: 'Not connected to the server',
  offlineQueued: 'Not connected: the message is queued and sent when the connection is back',
  unknownError: 'Unknown error',
  imageTooLarge: 'The image is too large ({size} MB): Yunhu takes images up to {limit} MB',
  fileTooLarge: 'The file is too large ({size} MB): Yunhu takes files up to {limit} MB',
  videoTooLarge: 'The video is too large ({size} MB): Yunhu takes videos up to {limit} MB',
  audioTooLarge: 'The voice message is too large ({size} MB): Yunhu takes up to {limit} MB',
  uploadFailed: 'The upload failed: {why}',
  uploadCancelled: 'The upload was cancelled',
  uploadFileGone: 'The file to send is no longer there: {name}',
  uploadEmpty: 'The file is empty: {name}',
  // Yunhu groups and bot commands: the platform's refusals (zh = the platform's own sentence), then the app's own.
  yunhuCannotMuteOwner: 'The group owner cannot be muted',
  yunhuCannotRemoveOwner: 'The group owner cannot be removed',
  yunhuNotInGroup: 'That user is not in this group, try again',
  yunhuBadMuteDuration: 'That mute duration is not allowed, try again',
  yunhuNoGroupPermission: 'You have no permission in this group: ask the owner or an admin',
  yunhuNotAGroup: 'This conversation is not a Yunhu group',
  yunhuNoCommands: 'This conversation has no bot commands',
  yunhuUnknownCommand: 'That bot command is no longer offered here',
  yunhuCommandText: 'Type the text for the command first',
  messageEmpty: 'The message is empty',
  partMalformed: 'A message part is malformed',
  enterServer: 'Enter the server address',
  enterId: 'Enter your id',
  enterCode: 'Enter the access code',
  serverAddressInvalidEg: 'The server address is not valid (e.g. ws://127.0.0.1:8787)',
  accountAlreadyAdded: 'This account is already added',
  mioNoRelogin: 'A Mio-Chat account signs in again by itself: reconnect it, or remove it and add it with the new access code',
  unknownAccount: 'Unknown account',
  llmNeedsPrompt: 'Messages to an AI contact are sent with a prompt',
  messageGone: 'That message no longer exists',
  retryOnlyFailed: 'Only a message that failed to send can be retried',
  recallOwnOnly: 'You can only recall your own messages',
  mioNoEdit: 'Mio-Chat messages cannot be edited after sending',
  forwardPickOne: 'Pick at least one message to forward',
  forwardGone: 'A message to forward no longer exists',
  forwardRecalled: 'A recalled message cannot be forwarded',
  typeFirst: 'Type a message first',
  replyGone: 'That reply no longer exists',
  replyStillRunning: 'The reply is still running',
  noToolQuestions: 'This server does not ask before running tools',
  answerYesNo: 'Answer with yes or no',
  notLlmContact: 'This conversation is not an AI contact',
  invalidContact: 'Invalid contact',
  nameContact: 'Give the contact a name',
  pickModel: 'Pick a model',
  yunhuApiInvalid: 'The Yunhu server address is not valid (e.g. https://chat-go.jwzhd.com)',
  yunhuApiScheme: 'The Yunhu server address must start with http:// or https://',
  yunhuWsInvalid: 'The Yunhu push address is not valid (e.g. wss://chat-ws-go.jwzhd.com/ws)',
  yunhuWsScheme: 'The Yunhu push address must start with ws:// or wss://',
  yunhuBodyQuote: 'A Yunhu message is text, Markdown or HTML, optionally with a quote',
  yunhuBody: 'A Yunhu message is text, Markdown or HTML',
  unknownYunhuAccount: 'Unknown Yunhu account',
  enterPassword: 'Enter the password',
  enterEmailOrToken: 'Enter your email and password, or a token',
  yunhuWhoUnknown: 'The Yunhu server did not say who this account is',
  yunhuTokenRefused: 'The Yunhu server refused this token',
  yunhuNewLoginRefused: 'The Yunhu server refused the new login',
  yunhuAlreadyAdded: 'This Yunhu account is already added',
  yunhuOtherAccount: 'That is a different Yunhu account: log in as the same user',
  unknownYunhuConversation: 'Unknown Yunhu conversation',
  editOwnOnly: 'You can only edit your own messages',
  editOnlySent: 'Only a sent message can be edited',
  yunhuNoForward: 'Forwarding Yunhu messages is not available yet',
  stillSending: 'The message is still being sent',
  buttonNoValue: 'This button has no value to report',
  buttonValueLong: 'The button value is too long',
  nameBot: 'Give the bot a name',
  formNoFields: 'The settings form is missing its fields',
  settingsNotValues: 'The settings must be a set of values by field id',
  notMioServer: 'The server answered the login with something other than a Mio-Chat reply: it is probably not a Mio-Chat server',
  noMessageId: 'The server accepted the message but returned no message id',
  nothingToForward: 'Nothing to forward',
  noModelList: 'The server sent no model list',
  completionNeedsList: 'A completion needs a list of messages',
  completionNeedsOne: 'A completion needs at least one message',
  couldNotSend: 'Could not send the request',
  replyStopped: 'The server stopped sending the reply',
  codeRefused: 'Invalid credentials: the server refused the access code',
  idRefused: 'Invalid credentials: the server refused the user id (it needs a real id)',
  serverEnded: 'The server ended the connection (it may be shutting down or restarting)',
  pingTimeout: 'The server stopped answering (ping timeout)',
  notSocketIo: 'The server sent something that is not Socket.IO',
  disconnected: 'Disconnected',
  needUserId: 'A user id is needed to sign in',
  serverAddressInvalid: 'The server address is not valid',
  replyLostWhileDown: 'The server no longer has this reply: it was lost while the connection was down',
  replyNotResumed: 'The server did not send the rest of the reply after reconnecting',
  heartbeatsUnanswered: 'The server stopped answering heartbeats',
  cannotEncode: 'The request could not be encoded',
  needSegments: 'A message needs a list of segments',
  modelsWithLogin: 'Not connected to the server yet: the model list comes with the login',
  resumeNeedsId: 'A conversation id is needed to resume its replies',
  replyIdBusy: 'A reply with this message id is already streaming',
  replyEndedNoQuestion: 'This reply has ended: there is no question to answer',
  noSuchQuestion: 'This reply has no open question with that id',
  alreadyAnswered: 'This question was already answered',
  connectionRefusedCreds: 'Invalid credentials: the server refused the connection',
  yunhuPushOffline: 'Not connected to the Yunhu push server',
  browserSaves: 'Saving files is done by the browser here',
  mediaNotLoaded: 'The media could not be loaded',
  settingsObject: 'Settings must be an object',
  linkInvalid: 'That link is not a valid address',
  replyFailed: 'The reply failed',
  toolFailed: 'The tool failed',
  toolFailedNoDetail: 'The tool failed (the server gave no details)',
  toolError: 'The tool reported an error',
  toolFailure: 'The tool reported a failure',
  shareUnreachable: 'Cannot reach the server to share the bot',
  shareNoLink: 'The server returned no share link',
  stopped: 'Stopped',
  yunhuRelogin: 'Your Yunhu login has expired or was refused: log in again',
  yunhuRefusedWhy: 'The Yunhu server refused it: {why}',
  yunhuPushRefusedWhy: 'The Yunhu push server refused the login: {why}',
  resumeFailedWhy: 'Could not ask the server for the rest of the reply: {why}',
  acceptTimeout: 'The server did not accept the connection within {s} s',
  serverRefusedWhy: 'The server refused the connection: {why}',
  invalidCredentialsWhy: 'Invalid credentials: {why}',
  tooLong: 'The message is too long (at most {n} characters)',
  tooManyParts: 'A message can have at most {n} parts',
  yunhuUnreachableWhy: 'Cannot reach the Yunhu server at {host}: {why}',
  answerRefusedWhy: 'The server did not take the answer: {why}',
  requestNotCompleted: '{why}; the request was not completed',
  noAnswerWithin: 'The server did not answer the {what} within {s} s',
  yunhuServerError: 'error {code}',
  // What a request was, inside "did not answer the … within": the names the clients give them.
  wordRequest: 'request',
  wordMessage: 'message',
  wordRecall: 'recall',
  wordForward: 'forward',
  wordHeartbeat: 'heartbeat',
  noReasonGiven: 'no reason given',
  privateOnOff: '"Private" must be on or off',
  privateZeroOne: '"Private" must be 0 (public) or 1 (private)',
  yunhuJsonNotProto: 'Yunhu {what} answered JSON where a protobuf {type} was expected',
  yunhuBadProto: 'Yunhu {what} sent a reply that is not a valid {type}: {why}',
  yunhuJsonNotObject: 'Yunhu {what} sent JSON that is not an object',
  yunhuJsonNoCode: 'Yunhu {what} sent JSON without a numeric "code"',
  yunhuNoAnswerWithin: 'The Yunhu server did not answer {what} within {s} s',
  yunhuCancelled: 'Yunhu {what} was cancelled',
  yunhuLostBeforeAnswer: 'The connection to the Yunhu server at {host} was lost before it answered {what} ({why}); the request may have reached it',
  yunhuApiAddressInvalid: 'Invalid Yunhu API address "{s}"',
  yunhuApiSchemeUnsupported: 'Unsupported Yunhu API address scheme "{s}"',
  netConnectionReset: 'connection reset',
  netCertExpired: 'the certificate has expired',
  netSelfSigned: 'the certificate is self-signed',
  netCertUnverified: 'the certificate cannot be verified',
  netWasClosed: 'the connection was closed',
  netAborted: 'the connection was aborted',
  // Checks of what the window sends (validate.ts), and the names of what they check.
  validMissing: 'The {what} is missing',
  validInvalid: 'The {what} is not valid',
  validMustBeText: 'The {what} must be text',
  validTooLong: 'The {what} is too long (at most {n} characters)',
  validTooLongBare: 'The {what} is too long',
  enterWhat: 'Enter the {what}',
  urlInvalid: 'The {what} is not a valid address (it must start with http:// or https://)',
  urlScheme: 'The {what} must be an http:// or https:// address',
  fieldBotId: 'bot id',
  fieldGroupId: 'group id',
  fieldIntroduction: 'introduction',
  fieldBotName: 'bot name',
  fieldAvatarUrl: 'avatar URL',
  fieldUserId: 'user id',
  fieldSubscriptionLink: 'subscription link',
  fieldQuotedMessageId: 'quoted message id',
  fieldMessageId: 'message id',
  unsupportedV1: '{what} is not supported by this server (it speaks the original Mio-Chat dialect)',
  unsupportedV2: '{what} is not supported by this server (a Mio-Chat server of the Socket.IO generation has no such request for clients)',
  opRecall: 'Recalling a message',
  opForward: 'Forwarding messages',
  opListModels: 'Listing models',
  stoppedBeforeFinished: 'Stopped before it finished',
  serverAsksPermission: 'The server asks for permission to go on',
  replyFailedHttp: 'The reply failed (HTTP {status})',
  v2AddressInvalidEg: 'The server address is not valid (e.g. http://127.0.0.1:3000)',
  answerUnusable: 'The server could not use the answer',
  errorNoDetails: 'The server reported an error without details',
  ambiguousSend: 'The connection dropped while sending: the server may or may not have received it. Retry to send it again.',
  somethingWrong: 'Something went wrong.',
  nothingToRecall: 'Nothing to recall',
  completionNeedsModel: 'A completion needs a model',
  stickerNoAddress: 'This picture has no address that Yunhu can save',
  exportChooseFormat: 'Choose Markdown, HTML or JSON',
  exportNotHere: 'Exports cannot be saved here',
  accountGone: 'That account is not here any more',
  conversationMissing: 'The conversation is missing',
  searchNeedsText: 'The search needs some text',
  searchTooLong: 'The search text is too long (at most {max} characters)'
} as const

export type CoreTextKey = keyof typeof EN

const ZH: { [K in CoreTextKey]: string } = {
  connectionLost: '连接已断开：{why}',
  connectionLostBare: '连接已断开',
  cannotReach: '无法连接到服务器',
  cannotReachWhy: '无法连接到服务器：{why}',
  connectionRefused: '连接被拒绝',
  hostNotFound: '找不到该主机名',
  timedOut: '超时',
  resetByServer: '连接被服务器重置',
  closeNormal: '服务器关闭了连接',
  closeGoingAway: '服务器正在关闭或重启',
  closeBrokeOff: '连接意外中断',
  closeClosed: '连接已关闭',
  closeRefused: '服务器拒绝了本次会话',
  closeTooBig: '有一条消息超出了服务器的大小限制',
  closeInternal: '服务器内部出错',
  closeRestarting: '服务器正在重启',
  closeOverloaded: '服务器繁忙，请稍后再试',
  closeUnexpected: '连接意外关闭',
  replyLinkLost: '回复完成前连接断开了',
  replyServerRestarted: '服务器已重启，正在生成的回复丢失了',
  answerLinkLost: '服务器收到回答前连接断开了',
  loginFailed: '登录失败',
  loginFailedWhy: '登录失败：{why}',
  wrongEmailOrPassword: '邮箱或密码错误',
  questionClosed: '这个问题已经不需要回答了',
  notConnected: '未连接到服务器',
  offlineQueued: '未连接：消息已排队，连接恢复后发出',
  unknownError: '未知错误',
  imageTooLarge: '图片太大（{size} MB）：云湖只接受不超过 {limit} MB 的图片',
  fileTooLarge: '文件太大（{size} MB）：云湖只接受不超过 {limit} MB 的文件',
  videoTooLarge: '视频太大（{size} MB）：云湖只接受不超过 {limit} MB 的视频',
  audioTooLarge: '语音太大（{size} MB）：云湖只接受不超过 {limit} MB 的语音',
  uploadFailed: '上传失败：{why}',
  uploadCancelled: '上传已取消',
  uploadFileGone: '要发送的文件已不存在：{name}',
  uploadEmpty: '文件是空的：{name}',
  yunhuCannotMuteOwner: '不可以禁言群主！',
  yunhuCannotRemoveOwner: '不可以移除群主！',
  yunhuNotInGroup: '该用户不在这个群聊，请重试',
  yunhuBadMuteDuration: '禁言时长错误，请重试',
  yunhuNoGroupPermission: '您无权操作此群聊，请联系群主或者管理员',
  yunhuNotAGroup: '这个会话不是云湖群聊',
  yunhuNoCommands: '这个会话没有机器人指令',
  yunhuUnknownCommand: '这里已经没有这个机器人指令了',
  yunhuCommandText: '请先输入指令的内容',
  messageEmpty: '消息是空的',
  partMalformed: '消息中有一部分格式不对',
  enterServer: '请输入服务器地址',
  enterId: '请输入你的 ID',
  enterCode: '请输入访问码',
  serverAddressInvalidEg: '服务器地址无效（例如 ws://127.0.0.1:8787）',
  accountAlreadyAdded: '这个账号已经添加过了',
  mioNoRelogin: 'Mio-Chat 账号会自动重新登录：请重新连接，或移除后用新的访问码重新添加',
  unknownAccount: '找不到这个账号',
  llmNeedsPrompt: '发给 AI 联系人的消息要作为提问发送',
  messageGone: '这条消息已不存在',
  retryOnlyFailed: '只有发送失败的消息才能重试',
  recallOwnOnly: '只能撤回自己的消息',
  mioNoEdit: 'Mio-Chat 消息发出后不能编辑',
  forwardPickOne: '请至少选择一条要转发的消息',
  forwardGone: '要转发的消息已不存在',
  forwardRecalled: '已撤回的消息不能转发',
  typeFirst: '请先输入消息',
  replyGone: '这条回复已不存在',
  replyStillRunning: '回复还在生成中',
  noToolQuestions: '这个服务器运行工具前不会询问',
  answerYesNo: '请回答是或否',
  notLlmContact: '这个会话不是 AI 联系人',
  invalidContact: '联系人无效',
  nameContact: '请给联系人起个名字',
  pickModel: '请选择一个模型',
  yunhuApiInvalid: '云湖服务器地址无效（例如 https://chat-go.jwzhd.com）',
  yunhuApiScheme: '云湖服务器地址必须以 http:// 或 https:// 开头',
  yunhuWsInvalid: '云湖推送地址无效（例如 wss://chat-ws-go.jwzhd.com/ws）',
  yunhuWsScheme: '云湖推送地址必须以 ws:// 或 wss:// 开头',
  yunhuBodyQuote: '云湖消息是文本、Markdown 或 HTML，可以带一条引用',
  yunhuBody: '云湖消息是文本、Markdown 或 HTML',
  unknownYunhuAccount: '找不到这个云湖账号',
  enterPassword: '请输入密码',
  enterEmailOrToken: '请输入邮箱和密码，或者令牌',
  yunhuWhoUnknown: '云湖服务器没有告知这是哪个账号',
  yunhuTokenRefused: '云湖服务器拒绝了这个令牌',
  yunhuNewLoginRefused: '云湖服务器拒绝了这次登录',
  yunhuAlreadyAdded: '这个云湖账号已经添加过了',
  yunhuOtherAccount: '这是另一个云湖账号：请用同一个用户登录',
  unknownYunhuConversation: '找不到这个云湖会话',
  editOwnOnly: '只能编辑自己的消息',
  editOnlySent: '只有已发送的消息才能编辑',
  yunhuNoForward: '暂时还不能转发云湖消息',
  stillSending: '消息还在发送中',
  buttonNoValue: '这个按钮没有可上报的值',
  buttonValueLong: '按钮的值太长了',
  nameBot: '请给机器人起个名字',
  formNoFields: '设置表单缺少字段',
  settingsNotValues: '设置必须是按字段 ID 给出的一组值',
  notMioServer: '服务器对登录的回答不是 Mio-Chat 的回复：它可能不是 Mio-Chat 服务器',
  noMessageId: '服务器收下了消息，但没有返回消息 ID',
  nothingToForward: '没有可转发的内容',
  noModelList: '服务器没有发来模型列表',
  completionNeedsList: '生成回复需要一组消息',
  completionNeedsOne: '生成回复至少需要一条消息',
  couldNotSend: '请求没能发出',
  replyStopped: '服务器不再发送这条回复',
  codeRefused: '凭据无效：服务器拒绝了访问码',
  idRefused: '凭据无效：服务器拒绝了这个用户 ID（需要真实的 ID）',
  serverEnded: '服务器结束了连接（可能正在关闭或重启）',
  pingTimeout: '服务器不再响应（心跳超时）',
  notSocketIo: '服务器发来的内容不是 Socket.IO',
  disconnected: '已断开连接',
  needUserId: '登录需要用户 ID',
  serverAddressInvalid: '服务器地址无效',
  replyLostWhileDown: '服务器上已没有这条回复：连接断开期间它丢失了',
  replyNotResumed: '重新连接后服务器没有发来回复的剩余部分',
  heartbeatsUnanswered: '服务器不再响应心跳',
  cannotEncode: '请求无法编码',
  needSegments: '消息需要一组消息段',
  modelsWithLogin: '还没有连接到服务器：模型列表会随登录一起发来',
  resumeNeedsId: '要接着接收回复，需要会话 ID',
  replyIdBusy: '这个消息 ID 的回复已经在生成中',
  replyEndedNoQuestion: '这条回复已结束：没有需要回答的问题',
  noSuchQuestion: '这条回复没有这个 ID 的待答问题',
  alreadyAnswered: '这个问题已经回答过了',
  connectionRefusedCreds: '凭据无效：服务器拒绝了连接',
  yunhuPushOffline: '未连接到云湖推送服务器',
  browserSaves: '这里由浏览器保存文件',
  mediaNotLoaded: '媒体无法加载',
  settingsObject: '设置必须是一个对象',
  linkInvalid: '这个链接不是有效的地址',
  replyFailed: '回复失败了',
  toolFailed: '工具运行失败',
  toolFailedNoDetail: '工具运行失败（服务器没有给出详情）',
  toolError: '工具报告了一个错误',
  toolFailure: '工具报告运行失败',
  shareUnreachable: '无法连接到服务器来分享机器人',
  shareNoLink: '服务器没有返回分享链接',
  stopped: '已停止',
  yunhuRelogin: '云湖登录已过期或被拒绝：请重新登录',
  yunhuRefusedWhy: '云湖服务器拒绝了：{why}',
  yunhuPushRefusedWhy: '云湖推送服务器拒绝了登录：{why}',
  resumeFailedWhy: '没能向服务器要回复的剩余部分：{why}',
  acceptTimeout: '服务器没有在 {s} 秒内接受连接',
  serverRefusedWhy: '服务器拒绝了连接：{why}',
  invalidCredentialsWhy: '凭据无效：{why}',
  tooLong: '消息太长了（最多 {n} 个字符）',
  tooManyParts: '一条消息最多只能有 {n} 个部分',
  yunhuUnreachableWhy: '无法连接到云湖服务器 {host}：{why}',
  answerRefusedWhy: '服务器没有接受回答：{why}',
  requestNotCompleted: '{why}；请求未完成',
  noAnswerWithin: '服务器没有在 {s} 秒内回应（{what}）',
  yunhuServerError: '错误 {code}',
  wordRequest: '请求',
  wordMessage: '消息',
  wordRecall: '撤回',
  wordForward: '转发',
  wordHeartbeat: '心跳',
  noReasonGiven: '没有给出原因',
  privateOnOff: '“私有”只能是开或关',
  privateZeroOne: '“私有”只能是 0（公开）或 1（私有）',
  yunhuJsonNotProto: '云湖 {what} 返回了 JSON，而不是预期的 protobuf {type}',
  yunhuBadProto: '云湖 {what} 的回复不是有效的 {type}：{why}',
  yunhuJsonNotObject: '云湖 {what} 返回的 JSON 不是对象',
  yunhuJsonNoCode: '云湖 {what} 返回的 JSON 没有数字 “code”',
  yunhuNoAnswerWithin: '云湖服务器没有在 {s} 秒内回应 {what}',
  yunhuCancelled: '云湖 {what} 已取消',
  yunhuLostBeforeAnswer: '与云湖服务器 {host} 的连接在它回应 {what} 前断开了（{why}）；请求可能已经送达',
  yunhuApiAddressInvalid: '云湖 API 地址无效：“{s}”',
  yunhuApiSchemeUnsupported: '不支持的云湖 API 地址协议：“{s}”',
  netConnectionReset: '连接被重置',
  netCertExpired: '证书已过期',
  netSelfSigned: '证书是自签名的',
  netCertUnverified: '无法验证证书',
  netWasClosed: '连接已关闭',
  netAborted: '连接被中止',
  validMissing: '缺少{what}',
  validInvalid: '{what}无效',
  validMustBeText: '{what}必须是文本',
  validTooLong: '{what}太长了（最多 {n} 个字符）',
  validTooLongBare: '{what}太长了',
  enterWhat: '请输入{what}',
  urlInvalid: '{what}不是有效的地址（必须以 http:// 或 https:// 开头）',
  urlScheme: '{what}必须是 http:// 或 https:// 地址',
  fieldBotId: '机器人 ID',
  fieldGroupId: '群 ID',
  fieldIntroduction: '简介',
  fieldBotName: '机器人名字',
  fieldAvatarUrl: '头像地址',
  fieldUserId: '用户 ID',
  fieldSubscriptionLink: '订阅链接',
  fieldQuotedMessageId: '被引用消息的 ID',
  fieldMessageId: '消息 ID',
  unsupportedV1: '这个服务器不支持{what}（它使用最初的 Mio-Chat 协议）',
  unsupportedV2: '这个服务器不支持{what}（Socket.IO 这一代 Mio-Chat 服务器没有给客户端的这种请求）',
  opRecall: '撤回消息',
  opForward: '转发消息',
  opListModels: '列出模型',
  stoppedBeforeFinished: '在完成前被停止',
  serverAsksPermission: '服务器请求允许继续',
  replyFailedHttp: '回复失败了（HTTP {status}）',
  v2AddressInvalidEg: '服务器地址无效（例如 http://127.0.0.1:3000）',
  answerUnusable: '服务器无法使用这个回答',
  errorNoDetails: '服务器报告了一个错误，但没有给出详情',
  ambiguousSend: '发送时连接断开了：服务器可能收到了，也可能没收到。重试即可再发一次。',
  somethingWrong: '出了点问题。',
  nothingToRecall: '没有可撤回的内容',
  completionNeedsModel: '生成回复需要选择模型',
  stickerNoAddress: '这张图片没有云湖可以保存的地址',
  exportChooseFormat: '请选择 Markdown、HTML 或 JSON',
  exportNotHere: '这里无法保存导出文件',
  accountGone: '这个账号已不在了',
  conversationMissing: '缺少会话',
  searchNeedsText: '请输入要搜索的内容',
  searchTooLong: '搜索内容太长（最多 {max} 个字符）'
}

const TABLE: Record<AppLocale, { [K in CoreTextKey]: string }> = { en: EN, 'zh-CN': ZH }

const fill = (template: string, params: Record<string, string> = {}): string => template.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? `{${k}}`)

/** A core sentence in English (what the core throws, logs and reports). */
export function coreText(key: CoreTextKey, params?: Record<string, string>): string {
  return fill(EN[key], params)
}

interface Matcher {
  key: CoreTextKey
  re: RegExp
  names: string[]
}

let matchers: Matcher[] | undefined
function compiled(): Matcher[] {
  if (matchers) return matchers
  matchers = (Object.keys(EN) as CoreTextKey[])
    .map((key) => {
      const names: string[] = []
      const source = EN[key].replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{(\w+)\\\}/g, (_, n: string) => (names.push(n), '(.+)'))
      return { key, re: new RegExp(`^${source}$`), names }
    })
    // The most specific first: templates with more fixed text before those that are mostly a parameter.
    .sort((a, b) => b.re.source.replace(/\(\.\+\)/g, '').length - a.re.source.replace(/\(\.\+\)/g, '').length)
  return matchers
}

/**
 * A core sentence in the UI's language: the English one is read against the templates (parameters in turn
 * localised, so "Connection lost: the connection broke off" is translated whole); anything else is returned
 * as it is.
 */
export function localizeCoreText(text: string, locale: AppLocale, depth = 0): string {
  if (locale === 'en' || !text || depth > 3) return text
  const t = text.trim()
  for (const m of compiled()) {
    const hit = m.re.exec(t)
    if (!hit) continue
    const params: Record<string, string> = {}
    m.names.forEach((n, i) => (params[n] = localizeCoreText(hit[i + 1]!, locale, depth + 1)))
    return fill(TABLE[locale][m.key], params)
  }
  return text
}

/**
 * A connection error as the reason under a state that already says the link is down (the banner says
 * "connection lost, retrying"): "Connection lost: X" → X, "Connection lost" → '' — not said twice.
 */
export function connectionReason(text: string): string {
  const t = (text ?? '').trim()
  if (t === EN.connectionLostBare) return ''
  const head = EN.connectionLost.replace('{why}', '')
  return t.startsWith(head) ? t.slice(head.length) : t
}

/** Two Latin words in a row: a sentence (or a system's message) in English, not a name or a host. */
const LATIN_SENTENCE = /[A-Za-z]{2,}[\s,;:'’-]+[A-Za-z]{2,}/

/**
 * A core sentence in the UI's language, split into what to show and the technical detail to keep behind
 * "details": where the sentence ends in a reason the table cannot word (a system's English message, such as
 * `getaddrinfo EAI_AGAIN`), the sentence is shown without it and the reason becomes the detail. English
 * keeps the whole sentence.
 */
export function splitCoreText(text: string, locale: AppLocale): { text: string; detail?: string } {
  const whole = localizeCoreText(text, locale)
  if (locale === 'en' || !LATIN_SENTENCE.test(whole)) return { text: whole }
  const t = (text ?? '').trim()
  for (const m of compiled()) {
    const hit = m.re.exec(t)
    if (!hit) continue
    const last = m.names[m.names.length - 1]
    const template = TABLE[locale][m.key]
    if (!last || !template.endsWith(`：{${last}}`)) return { text: whole }
    const params: Record<string, string> = {}
    m.names.forEach((n, i) => (params[n] = localizeCoreText(hit[i + 1]!, locale)))
    // The reason may itself be a known sentence with an unworded reason of its own: split that one.
    const inner = splitCoreText(hit[m.names.length]!, locale)
    if (!LATIN_SENTENCE.test(inner.text)) return { text: fill(template, { ...params, [last]: inner.text }), detail: inner.detail }
    return { text: fill(template.slice(0, -`：{${last}}`.length), params), detail: hit[m.names.length]! }
  }
  return { text: whole }
}
