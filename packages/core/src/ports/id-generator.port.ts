/** Generates sortable, unique record ids (ULIDs in production). */
export interface IdGenerator {
  next(): string;
}
