/** The Yunhu (云湖) account in the core: HTTP API, push WebSocket, settings-form strings. */
export { YunhuApi, newYunhuMsgId, type YunhuEmailLoginInput, type YunhuListMessagesInput, type YunhuSendInput } from './api'
export {
  YunhuHttp,
  YunhuApiError,
  YunhuLoggedOutError,
  YunhuHttpStatusError,
  YUNHU_NOT_LOGGED_IN,
  type YunhuHttpOptions,
  type YunhuCallOptions,
  type YunhuHttpEvents
} from './http'
export {
  YunhuPush,
  YunhuStreamAssembler,
  YUNHU_INVALID_DATA,
  defaultYunhuPlatform,
  newYunhuSeq,
  type YunhuPushOptions,
  type YunhuPushEvents
} from './push'
export * from './settings-schema'
