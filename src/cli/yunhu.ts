/** Placeholder until the Yunhu commands land: says so in words. */
import type { ParsedArgs } from './args'
import type { Io } from './mio'
import { UsageError } from './mio'

export async function runYunhu(cmd: string, _args: ParsedArgs, _io: Io): Promise<number> {
  throw new UsageError(`"yunhu ${cmd}" is not available in this build yet`)
}
