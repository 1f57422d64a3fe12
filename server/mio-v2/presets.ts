/**
 * The recommended presets of the v2 generation (`get_presets` → `recommended_presets`, and the push at a
 * first login): a small list for the built-in model. `tools` are base names, as the real server lists them.
 */
import { DEMO_MODEL } from '../mio/model'

export interface Preset {
  name: string
  avatar: string
  history: Array<{ role: 'system'; content: string }>
  model: string
  opening: string
  recommended: boolean
  tools: string[]
}

export const PRESETS: readonly Preset[] = [
  {
    name: 'MioDesk 助手',
    avatar: '',
    history: [{ role: 'system', content: 'You are the MioDesk demo assistant. Answer briefly, in Markdown.' }],
    model: DEMO_MODEL,
    opening: 'Hello! Ask me for the time, some arithmetic, or a long answer.',
    recommended: true,
    tools: ['clock', 'calculator']
  },
  {
    name: '终端演示',
    avatar: '',
    history: [{ role: 'system', content: 'You run shell commands for the user with the bash tool (a demo terminal: it only echoes).' }],
    model: DEMO_MODEL,
    opening: 'Tell me a command to run, e.g. run `echo hello`. I will ask before running it.',
    recommended: true,
    tools: ['bash']
  }
]

export function presetsData(): { presets: Preset[] } {
  return { presets: structuredClone(PRESETS) as Preset[] }
}
