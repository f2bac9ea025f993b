export * from './note.schema';
export * from './note.keys';
export * from './note-sanitiser';
export * from './note.repository';
export * from './note.use-cases';
export { dealNoteLookup } from './deal-note-lookup';
