#!/usr/bin/env node
/** MioDesk command line: the same core as the app, in a terminal. */
import { parseArgs } from './args'
import { describeError, runMio, UsageError, type Io } from './mio'

export const USAGE = `miodesk <command> [options]

Mio-Chat (options --server URL --id ID --token CODE, or MIODESK_SERVER / MIODESK_ID / MIODESK_TOKEN):
  login                         log in and print the account (dialect, admin, bot, models)
  models                        list the server's models
  chat --model M [--tools a,b] [--system S] "prompt"
                                stream an AI reply; tool-call states on their own lines
  send [--to ID] "text"         send a onebot text message
  ping                          heartbeat round trip
  watch                         one JSON line per pushed event until Ctrl-C
  --verbose                     log protocol details to stderr (secrets redacted)
`

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    io.out(USAGE)
    return cmd ? 0 : 2
  }
  const args = parseArgs(rest, ['verbose', 'show-token'])
  try {
    if (cmd === 'yunhu') {
      const { runYunhu } = await import('./yunhu')
      return await runYunhu(args._[0] ?? '', { ...args, _: args._.slice(1) }, io)
    }
    return await runMio(cmd, args, io)
  } catch (e) {
    io.err(`miodesk: ${describeError(e)}\n`)
    if (e instanceof UsageError) io.err('Run "miodesk help" for usage.\n')
    return 1
  }
}

const isEntry = process.argv[1] && /cli[\\/]index\.(ts|js|mjs)$/.test(process.argv[1])
if (isEntry) {
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  const io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), interrupted }
  main(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`miodesk: ${describeError(e)}\n`)
      process.exit(1)
    }
  )
}
