export * from './deal.schema';
export * from './deal.keys';
export {
  DEAL_ENTITY, DEAL_STALE_TIMER, STAGE_HISTORY_ENTITY, dealItem, toDeal, repointDealItem, historyItem, contributionOf, staleDueAt, requireVisibleDeal, type DealDeps,
} from './deal.repository';
export { createDeal, getDeal, updateDeal, deleteDeal, changeDealStage, getDealHistory, listDeals, applyDealPatch, closeDateRange } from './deal.use-cases';
export { getPipelineBoard } from './deal-board.use-case';
export { missingRequiredFields } from './deal-validation';
export { flagStaleDeal } from './deal-timers';
export { retimeStageDeals, type RetimeResult } from './deal-retiming';
export { DEAL_EVENT_DEFINITIONS } from './deal-events';
