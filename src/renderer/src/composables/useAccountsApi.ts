/** API: accounts (Mio-Chat and Yunhu sign-in, removal, reconnect) and their connection state. */
import type { AddMioAccountInput, AddYunhuAccountInput, MainEvents } from '@shared/api'
import { getApi } from '../api'

const accountsApi = {
  list: () => getApi().call('accounts:list'),
  /** Adds and logs in; rejects with a sentence when login fails. */
  addMio: (input: AddMioAccountInput) => getApi().call('accounts:add', 'mio', input),
  addYunhu: (input: AddYunhuAccountInput) => getApi().call('accounts:add', 'yunhu', input),
  /** After the platform refused the stored login: logs the same account in again. */
  relogin: (accountId: string, input: AddYunhuAccountInput) => getApi().call('accounts:relogin', accountId, input),
  remove: (accountId: string) => getApi().call('accounts:remove', accountId),
  reconnect: (accountId: string) => getApi().call('accounts:reconnect', accountId),
  onAccounts: (cb: (p: MainEvents['accounts']) => void) => getApi().on('accounts', cb),
  onConnection: (cb: (p: MainEvents['connection']) => void) => getApi().on('connection', cb),
  /** A Yunhu account's token was refused (-101): the user should log in again. */
  onReloginRequired: (cb: (p: MainEvents['relogin-required']) => void) => getApi().on('relogin-required', cb)
}

export function useAccountsApi(): typeof accountsApi {
  return accountsApi
}
