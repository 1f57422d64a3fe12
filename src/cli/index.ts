#!/usr/bin/env node
/** MioDesk command line: the same core as the app, in a terminal. */
import { parseArgs } from './args'
import { describeError, Interrupted, runMio, UsageError, type Io } from './mio'

export const USAGE = `miodesk <command> [options]

Mio-Chat (options --server URL --id ID --token CODE, or MIODESK_SERVER / MIODESK_ID / MIODESK_TOKEN):
  login                         log in and print the account (dialect, admin, bot, models)
  models                        list the server's models
  chat --model M [--tools a,b] [--system S] [--approve|--deny] "prompt"   (tools that ask first: --approve runs them; default --deny)
                                stream an AI reply; tool-call states on their own lines
  send [--to ID] "text"         send a onebot text message
  ping                          heartbeat round trip
  watch                         one JSON line per pushed event until Ctrl-C
  --verbose                     log protocol details to stderr (secrets redacted)
  Every command but watch gives up on the first failed connection attempt, with the reason on
  stderr (exit 1); watch keeps reconnecting. Ctrl-C / SIGTERM ends any command (exit 130 / 143).

Yunhu (options --api URL --token T, or MIODESK_YUNHU_API / MIODESK_YUNHU_TOKEN; login stores both
in ~/.config/miodesk/cli.json, mode 0600, or MIODESK_CLI_CONFIG):
  yunhu login --api URL --email E --password P [--show-token]
                                log in; the token is saved, printed only with --show-token
  yunhu whoami                  the account's id, name and avatar
  yunhu bots [--show-token]     the bots you created (bot tokens masked unless --show-token)
  yunhu store                   the bot store (banners and bots)
  yunhu models                  the LLM model list
  yunhu bot info|detail|llm --bot B
  yunhu bot board --group G | --bot B | --chat ID --chat-type N
  yunhu bot reset-token --bot B [--show-token]
  yunhu bot set-link --bot B --link URL
  yunhu bot create --name N [--introduction I] [--avatar-url U] [--private 1]
  yunhu bot edit --bot B [--name N] [--introduction I] [--avatar-url U] [--private 0|1]
  yunhu bot remove-follower --bot B --user U | remove-group --bot B --group G
  yunhu bot set-form --bot B --json '[...]'
                                the bot's settings form (settingJson)
  yunhu settings get --bot B --group G
  yunhu settings set --bot B --group G --json '{"fieldId": value, ...}'
  yunhu send --user U | --group G | --bot B | --chat ID --chat-type N  --image PATH | --file PATH | --text T
                                uploads the picture or file (progress on stderr) and sends it
  yunhu members GROUP [--keywords K] [--page N | --all]
                                a group's members (50 a page, from page 1)
  yunhu commands BOT | --group G
                                the bot commands of a bot's chat, or of a group's bots
  yunhu watch --ws URL --token T --user-id U [--device-id D] [--platform P]
                                one JSON line per push event (streams with their text so far)

History (the app's database: --db PATH, or MIODESK_DB, default the desktop app's profile):
  conversations [--account ID]  stored conversations: account, conversation, messages, last time
  export --account ID --conversation ID --out FILE [--format html|markdown|json] [--name N] [--locale zh-CN|en]
                                one conversation as self-contained HTML (default), Markdown or JSON
`

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    io.out(USAGE)
    return cmd ? 0 : 2
  }
  const args = parseArgs(rest, ['verbose', 'show-token', 'approve', 'deny'])
  try {
    if (cmd === 'export' || cmd === 'conversations') {
      const { runHistory } = await import('./history')
      return await runHistory(cmd, args, io)
    }
    if (cmd === 'yunhu') {
      const { runYunhu } = await import('./yunhu')
      return await runYunhu(args._[0] ?? '', { ...args, _: args._.slice(1) }, io)
    }
    return await runMio(cmd, args, io)
  } catch (e) {
    io.err(`miodesk: ${describeError(e)}\n`)
    if (e instanceof UsageError) io.err('Run "miodesk help" for usage.\n')
    return e instanceof Interrupted ? e.exitCode : 1
  }
}

/** After a Ctrl-C the command gets this long to end by itself (watch, an aborted chat) before exit. */
const INTERRUPT_GRACE_MS = 1000

const isEntry = process.argv[1] && /cli[\\/]index\.(ts|js|mjs)$/.test(process.argv[1])
if (isEntry) {
  // Listening for the signals turns off Node's default exit on them: the first one must still end the
  // process — by the command noticing `interrupted`, else after a short grace — and a second one at once.
  const interrupted = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => {
      const code = sig === 'SIGTERM' ? 143 : 130
      process.on('SIGINT', () => process.exit(code))
      process.on('SIGTERM', () => process.exit(code))
      setTimeout(() => {
        process.stderr.write('miodesk: interrupted\n')
        process.exit(code)
      }, INTERRUPT_GRACE_MS).unref()
      resolve(sig)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
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
