export * from './pipeline.schema';
export * from './pipeline.keys';
export { pipelineItem, toPipeline, loadPipeline, requirePipeline, firstStage, findStage, PIPELINE_ENTITY } from './pipeline.repository';
export { createPipeline, listPipelines, getPipeline, updatePipeline, archivePipeline, type PipelineDeps } from './pipeline.use-cases';
export { COUNTER_ENTITY, counterItem, toCounter, counterOperations, readCounters, applyContribution, toCents, type StageCounter, type CounterContribution } from './stage-counters';
