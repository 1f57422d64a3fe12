/**
 * `miodesk yunhu members GROUP` and `miodesk yunhu commands BOT` (or `--group G`): a group's members
 * (paged from 1, 50 a page, `--keywords`, `--all` for every page) and a chat's bot commands, as JSON.
 */
import type { YunhuApi } from '../core/protocols/yunhu/api'
import { YUNHU_MEMBER_PAGE_SIZE, fetchBotInstructions, fetchGroupBots, fetchMembers } from '../core/protocols/yunhu/groups'
import { botCommandViews, groupCommandViews, memberView } from '../core/accounts/yunhu/groups'
import type { YunhuGroupMemberView } from '../shared/yunhu-api'
import { str, type ParsedArgs } from './args'
import { UsageError } from './mio'

/** At most this many pages with --all (5000 members). */
const MAX_PAGES = 100

export async function listMembers(api: YunhuApi, args: ParsedArgs): Promise<{ total: number; members: YunhuGroupMemberView[]; hasMore: boolean }> {
  const group = args._[0] ?? str(args, 'group')
  if (!group) throw new UsageError('Missing the group id: miodesk yunhu members GROUP [--keywords K] [--page N | --all]')
  const page = Number(str(args, 'page') ?? '1')
  if (!Number.isInteger(page) || page < 1) throw new UsageError('--page counts from 1')
  const keywords = str(args, 'keywords')
  const all = args.all === true
  const members: YunhuGroupMemberView[] = []
  let total = 0
  for (let p = page; p < page + (all ? MAX_PAGES : 1); p++) {
    const r = await fetchMembers(api.http, { groupId: group, page: p, size: YUNHU_MEMBER_PAGE_SIZE, keywords })
    const got = (r.user ?? []).map(memberView)
    members.push(...got)
    total = r.total ?? members.length
    if (got.length < YUNHU_MEMBER_PAGE_SIZE || (page - 1) * YUNHU_MEMBER_PAGE_SIZE + members.length >= total) break
  }
  return { total, members, hasMore: (page - 1) * YUNHU_MEMBER_PAGE_SIZE + members.length < total }
}

export async function listCommands(api: YunhuApi, args: ParsedArgs): Promise<unknown> {
  const group = str(args, 'group')
  if (group) {
    const r = await fetchGroupBots(api.http, group)
    return { commands: groupCommandViews(r.instruction ?? []), menus: r.menu ?? [] }
  }
  const bot = args._[0] ?? str(args, 'bot')
  if (!bot) throw new UsageError('Missing the bot id: miodesk yunhu commands BOT (or --group G for a group\'s bots)')
  return { commands: botCommandViews(await fetchBotInstructions(api.http, bot), '') }
}
