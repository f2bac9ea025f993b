import * as z from 'zod';
import {
  Board, BoardQuery, ChangeDealStageInput, CreateDealInput, Deal, DealPage, HistoryQuery, ListDealsQuery, ListPipelinesQuery, Pipeline, PipelineInput, PipelineList,
  RecordId, StageHistoryPage, UpdateDealInput, UpdatePipelineInput,
} from '@crm/core';
import type { RouteDoc } from '../route-doc';

const PipelineDoc = Pipeline.meta({ id: 'Pipeline' });
const DealDoc = Deal.meta({ id: 'Deal' });
const IdParams = z.object({ id: RecordId });
const IfMatch = z.object({ 'if-match': z.string().describe('The ETag of the version you read') });
const OptionalIfMatch = z.object({ 'if-match': z.string().optional().describe('When sent, the change only applies to this version') });

export const dealDocs: Record<string, RouteDoc> = {
  'create-pipeline': { body: PipelineInput, ok: { 201: PipelineDoc }, errors: [400, 415] },
  'list-pipelines': { query: ListPipelinesQuery, ok: { 200: PipelineList.extend({ items: z.array(PipelineDoc) }).meta({ id: 'PipelineList' }) }, errors: [400] },
  'get-pipeline': { params: IdParams, ok: { 200: PipelineDoc }, errors: [404] },
  'replace-pipeline': { params: IdParams, headers: IfMatch, body: PipelineInput, ok: { 200: PipelineDoc }, errors: [400, 404, 409, 412, 415, 428] },
  'update-pipeline': { params: IdParams, headers: IfMatch, body: UpdatePipelineInput, ok: { 200: PipelineDoc }, errors: [400, 404, 409, 412, 415, 428] },
  'delete-pipeline': { params: IdParams, headers: OptionalIfMatch, ok: { 204: undefined }, errors: [404, 409, 412] },
  'get-pipeline-board': { params: IdParams, query: BoardQuery, ok: { 200: Board.extend({}).meta({ id: 'PipelineBoard' }) }, errors: [400, 404] },
  'create-deal': { body: CreateDealInput, ok: { 201: DealDoc }, errors: [400, 409, 415, 422] },
  'list-deals': { query: ListDealsQuery, ok: { 200: DealPage.extend({ items: z.array(DealDoc) }).meta({ id: 'DealPage' }) }, errors: [400] },
  'get-deal': { params: IdParams, ok: { 200: DealDoc }, errors: [404] },
  'update-deal': { params: IdParams, headers: IfMatch, body: UpdateDealInput, ok: { 200: DealDoc }, errors: [400, 404, 409, 412, 415, 422, 428] },
  'delete-deal': { params: IdParams, headers: OptionalIfMatch, ok: { 204: undefined }, errors: [404, 409, 412] },
  'change-deal-stage': { params: IdParams, headers: OptionalIfMatch, body: ChangeDealStageInput, ok: { 200: DealDoc }, errors: [400, 404, 409, 412, 415, 422] },
  'list-deal-history': { params: IdParams, query: HistoryQuery, ok: { 200: StageHistoryPage.meta({ id: 'DealStageHistoryPage' }) }, errors: [400, 404] },
};
