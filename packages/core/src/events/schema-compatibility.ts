/**
 * Backward compatibility of an event contract: compares the JSON Schema committed when a version
 * was published with the one the current zod schema generates. Allowed: new optional properties
 * and changed descriptions/titles. Everything else that a consumer could notice is breaking: a
 * removed property, a property that became required, any change of type, format, pattern, enum,
 * const, bounds or composition, at any depth.
 */
type Schema = Record<string, unknown>;

const IGNORED = new Set(['properties', 'required', 'items', 'description', 'title', '$schema', '$id', 'examples']);

export function breakingSchemaChanges(published: Schema, current: Schema, path = '$'): string[] {
  const problems: string[] = [];
  for (const key of new Set([...Object.keys(published), ...Object.keys(current)])) {
    if (IGNORED.has(key)) continue;
    if (JSON.stringify(published[key]) !== JSON.stringify(current[key])) {
      problems.push(`${path}: "${key}" changed from ${JSON.stringify(published[key])} to ${JSON.stringify(current[key])}`);
    }
  }
  const oldProps = (published.properties ?? {}) as Record<string, Schema>;
  const newProps = (current.properties ?? {}) as Record<string, Schema>;
  for (const [name, schema] of Object.entries(oldProps)) {
    if (!(name in newProps)) problems.push(`${path}.${name}: removed`);
    else problems.push(...breakingSchemaChanges(schema, newProps[name]!, `${path}.${name}`));
  }
  const oldRequired = new Set((published.required ?? []) as string[]);
  for (const name of (current.required ?? []) as string[]) {
    if (!oldRequired.has(name)) problems.push(`${path}.${name}: ${name in oldProps ? 'became required' : 'added as required'}`);
  }
  for (const name of oldRequired) {
    if (name in newProps && !((current.required ?? []) as string[]).includes(name)) problems.push(`${path}.${name}: no longer required`);
  }
  if (published.items !== undefined || current.items !== undefined) {
    if (published.items === undefined || current.items === undefined) problems.push(`${path}[]: items changed`);
    else problems.push(...breakingSchemaChanges(published.items as Schema, current.items as Schema, `${path}[]`));
  }
  return problems;
}
