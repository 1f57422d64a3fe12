/**
 * Every key the core keeps in the key-value store, with the type of its value, in one place. A key is a
 * string carrying its value type, so `store.get(KEYS.settings)` is typed without a cast at the call.
 */
import type { Settings } from '../../shared/api'
import type { LlmContact, LoginInfo } from '../../shared/mio'
import type { StoredMioAccount } from '../accounts/mio/provider'
import type { StoredYunhuAccount } from '../accounts/yunhu/provider'
import type { YunhuContact } from '../accounts/yunhu/mapping'

declare const valueType: unique symbol
/** A key whose value has type T. */
export type StoreKey<T> = string & { readonly [valueType]?: T }

const key = <T>(name: string): StoreKey<T> => name as StoreKey<T>

export const KEYS = {
  settings: key<Partial<Settings>>('settings'),
  /** Mio-Chat accounts (their access codes encrypted). */
  mioAccounts: key<StoredMioAccount[]>('accounts'),
  /** The last login of a Mio-Chat account (shown while offline). */
  mioLogin: (accountId: string) => key<LoginInfo>(`login:${accountId}`),
  /** The AI contacts of a Mio-Chat account. */
  llmContacts: (accountId: string) => key<LlmContact[]>(`llm:${accountId}`),
  /** Yunhu accounts (their tokens encrypted). */
  yunhuAccounts: key<StoredYunhuAccount[]>('yunhu-accounts'),
  /** The cached conversation list of a Yunhu account. */
  yunhuContacts: (accountId: string) => key<YunhuContact[]>(`yunhu-contacts:${accountId}`),
  /** This install's Yunhu device id (sent with the push login). */
  yunhuDevice: key<string>('yunhu-device-id')
}
