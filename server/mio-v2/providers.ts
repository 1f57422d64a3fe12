/**
 * The v2 providers (a completion names one by its displayName): the built-in "MioDesk" with the demo model,
 * and "Upstream" (the OpenAI-compatible proxy) when OPENAI_BASE_URL is set. What the login push lists as
 * `models` / `models_meta`, and what `/api/base_info` lists as `llm_providers`.
 */
import { DEMO_MODEL } from '../mio/model'
import { UPSTREAM_OWNER, type Upstream } from '../mio/upstream'

export const BUILTIN_PROVIDER = 'MioDesk'
export const UPSTREAM_PROVIDER = UPSTREAM_OWNER

export interface ModelMeta {
  matchSource: string
  maxInput: number
  watermark: number
  vision: boolean
  fc: boolean
  reasoning: boolean
}

export interface ProviderInfo {
  displayName: string
  adapterType: string
  default_model: string | null
  description: string
  groups: Array<{ owner: string; models: string[] }>
  meta: Record<string, ModelMeta>
}

const meta = (maxInput: number, more: Partial<ModelMeta> = {}): ModelMeta => ({
  matchSource: 'builtin-rule',
  maxInput,
  watermark: Math.floor(maxInput * 0.8),
  vision: false,
  fc: true,
  reasoning: false,
  ...more
})

/** Who makes a model, from its name (the real server groups models by owner). */
export function modelOwner(model: string): string {
  const m = model.toLowerCase()
  if (/^(gpt|chatgpt|o\d)/.test(m)) return 'OpenAI'
  if (m.startsWith('deepseek')) return 'DeepSeek'
  if (m.startsWith('claude')) return 'Anthropic'
  if (m.startsWith('gemini')) return 'Google'
  if (m.startsWith('qwen')) return 'Alibaba'
  if (m.startsWith('glm')) return 'Zhipu'
  return 'Custom'
}

function upstreamMeta(model: string): ModelMeta {
  const m = model.toLowerCase()
  if (/^gpt-4o|^gpt-4\.1|^gpt-5/.test(m)) return meta(128000, { vision: true })
  if (m.startsWith('claude')) return meta(200000, { vision: true })
  if (/reason|r1|think|^o\d/.test(m)) return meta(131072, { reasoning: true })
  if (m.startsWith('deepseek')) return meta(131072)
  return { ...meta(131072), matchSource: 'fallback' }
}

export class Providers {
  constructor(private readonly upstream?: Upstream) {}

  /** Provider names a completion may use (Upstream is usable even while its model list is empty). */
  has(name: string): boolean {
    return name === BUILTIN_PROVIDER || (this.upstream !== undefined && name === UPSTREAM_PROVIDER)
  }

  get defaultProvider(): string {
    return BUILTIN_PROVIDER
  }

  /** Every provider with at least one model, the built-in one first. */
  async list(): Promise<ProviderInfo[]> {
    const out: ProviderInfo[] = [
      {
        displayName: BUILTIN_PROVIDER,
        adapterType: 'builtin',
        default_model: DEMO_MODEL,
        description: 'The MioDesk reference server\'s built-in model: deterministic answers, reasoning, and the clock, calculator and demo terminal tools.',
        groups: [{ owner: BUILTIN_PROVIDER, models: [DEMO_MODEL] }],
        meta: { [DEMO_MODEL]: meta(32768, { reasoning: true }) }
      }
    ]
    if (this.upstream) {
      const models = await this.upstream.listModels()
      if (models.length) {
        const groups = new Map<string, string[]>()
        for (const m of models) {
          const owner = modelOwner(m)
          if (!groups.has(owner)) groups.set(owner, [])
          groups.get(owner)!.push(m)
        }
        out.push({
          displayName: UPSTREAM_PROVIDER,
          adapterType: 'openai',
          default_model: null,
          description: 'OpenAI-compatible upstream (OPENAI_BASE_URL), proxied by the MioDesk reference server.',
          groups: [...groups].map(([owner, list]) => ({ owner, models: list })),
          meta: Object.fromEntries(models.map((m) => [m, upstreamMeta(m)]))
        })
      }
    }
    return out
  }

  /** `models` and `models_meta` of the login push (and of `models_updated`). */
  async models(): Promise<{ models: Record<string, ProviderInfo['groups']>; models_meta: Record<string, ProviderInfo['meta']> }> {
    const list = await this.list()
    return {
      models: Object.fromEntries(list.map((p) => [p.displayName, p.groups])),
      models_meta: Object.fromEntries(list.map((p) => [p.displayName, p.meta]))
    }
  }

  /** `llm_providers` of `/api/base_info`, `providers` of `models_updated`. */
  async descriptions(): Promise<Array<{ adapterType: string; displayName: string; default_model: string | null; description: string }>> {
    return (await this.list()).map(({ adapterType, displayName, default_model, description }) => ({ adapterType, displayName, default_model, description }))
  }
}
