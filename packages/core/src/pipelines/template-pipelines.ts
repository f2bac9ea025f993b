import type { RequestContext } from '../principal';
import { pipelineKeys } from './pipeline.keys';
import { toPipeline } from './pipeline.repository';
import type { PipelineInput } from './pipeline.schema';
import { createPipeline, type PipelineDeps } from './pipeline.use-cases';

/**
 * Installs an industry template's pipelines (`source: template:<name>`). Idempotent by
 * (source, template pipeline name): a pipeline the template installed before — live or archived,
 * renamed or edited since — is not installed again, so a re-install never duplicates a pipeline
 * or undoes the tenant's changes.
 */
export async function installTemplatePipelines(
  deps: PipelineDeps,
  ctx: RequestContext,
  templateName: string,
  pipelines: PipelineInput[],
): Promise<{ installed: Array<{ id: string; name: string }>; skipped: Array<{ name: string; reason: 'already-installed' }> }> {
  const out = { installed: [] as Array<{ id: string; name: string }>, skipped: [] as Array<{ name: string; reason: 'already-installed' }> };
  if (pipelines.length === 0) return out;
  const source = `template:${templateName}`;
  const { tenantId } = ctx.principal;
  const existing = (await Promise.all([false, true].map((archived) => deps.store.query({ index: 'gsi1', partition: pipelineKeys.list(tenantId, archived), limit: 200 }))))
    .flatMap((page) => page.items.map(toPipeline));
  const installedBefore = new Set(existing.filter((p) => p.source === source).map((p) => p.templatePipeline ?? p.name));
  for (const input of pipelines) {
    if (installedBefore.has(input.name)) {
      out.skipped.push({ name: input.name, reason: 'already-installed' });
      continue;
    }
    const created = await createPipeline(deps, ctx, input, source, input.name);
    out.installed.push({ id: created.id, name: created.name });
  }
  return out;
}
