/** Normalisation of contact data (phones, emails, Chinese addresses): pure functions, no I/O. */
export * from './phone';
export * from './email';
export * from './address';
export * from './normalisation.schema';
export {
  divisionIndex,
  shortDivisionName,
  MUNICIPALITY_CODES,
  type Division,
  type DivisionLevel,
  type DivisionIndex,
  type AliasHit,
  type AliasKind,
} from './china-divisions';
