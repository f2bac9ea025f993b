import * as z from 'zod';
import { CreateGrantInput, CreateOrgUnitInput, Grant, ListGrantsQuery, ListOrgUnitsQuery, OrgUnit, RecordId, RoleDefinition, RoleDefinitionInput } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId });
const RoleDoc = RoleDefinition.meta({ id: 'Role' });
const OrgUnitDoc = OrgUnit.meta({ id: 'OrgUnit' });
const GrantDoc = Grant.meta({ id: 'Grant' });

export const accessDocs: Record<string, RouteDoc> = {
  'list-roles': { ok: { 200: z.object({ items: z.array(RoleDoc) }) } },
  'put-role': {
    params: z.object({ name: z.string() }), headers: z.object({ 'if-match': z.string().optional() }), body: RoleDefinitionInput,
    ok: { 200: RoleDoc }, errors: [400, 409, 412],
  },
  'create-org-unit': { body: CreateOrgUnitInput, ok: { 201: OrgUnitDoc }, errors: [400, 409] },
  'list-org-units': { query: ListOrgUnitsQuery, ok: { 200: z.object({ items: z.array(OrgUnitDoc), next: z.string().nullable() }) }, errors: [400] },
  'get-org-unit': { params: IdParams, ok: { 200: OrgUnitDoc }, errors: [404] },
  'delete-org-unit': { params: IdParams, ok: { 204: undefined }, errors: [404, 409] },
  'create-grant': { body: CreateGrantInput, ok: { 201: GrantDoc }, errors: [400] },
  'list-grants': { query: ListGrantsQuery, ok: { 200: z.object({ items: z.array(GrantDoc), next: z.string().nullable() }) }, errors: [400] },
  'revoke-grant': { params: IdParams, ok: { 204: undefined }, errors: [404] },
};
