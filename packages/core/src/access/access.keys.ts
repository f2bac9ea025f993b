/** Keys of the access-control items (roles, org units, grants), tenant first. See docs/data-model.md. */
const t = (tenantId: string) => `T#${tenantId}`;

export const accessKeys = {
  rolesPartition: (tenantId: string) => `${t(tenantId)}#ROLES`,
  role: (tenantId: string, name: string) => ({ pk: `${t(tenantId)}#ROLES`, sk: `ROLE#${name}` }),
  /** Grants are stored by id and indexed (gsi1) by grantee, (gsi2) for the tenant-wide list. */
  grant: (tenantId: string, id: string) => ({ pk: `${t(tenantId)}#GRANT#${id}`, sk: 'GRANT' }),
  granteeUser: (tenantId: string, subject: string) => `${t(tenantId)}#GRANTEE#user:${subject}`,
  granteeUnit: (tenantId: string, orgPath: string) => `${t(tenantId)}#GRANTEE#unit:${orgPath}`,
  grantsList: (tenantId: string) => `${t(tenantId)}#GRANTS`,
  /** Org units: by id; gsi1 lists the tree in path order; a path lookup item keeps paths unique. */
  orgUnit: (tenantId: string, id: string) => ({ pk: `${t(tenantId)}#ORGUNIT#${id}`, sk: 'UNIT' }),
  orgUnitsList: (tenantId: string) => `${t(tenantId)}#ORGUNITS`,
  orgPath: (tenantId: string, path: string) => ({ pk: `${t(tenantId)}#ORGPATH#${path}`, sk: 'PATH' }),
};
