import { KEY_ATTRIBUTES, type Condition } from '@crm/core';

/** A rendered DynamoDB expression with its placeholder maps (omitted when empty, as the API requires). */
export interface RenderedExpression {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** Attribute names that can be used verbatim after `#`; anything else gets a generated `#_N`. */
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Collects ExpressionAttributeNames/Values while an expression is rendered. Placeholders are
 * deterministic (`#pk`, `#version`, `:v0`, `:now`) so adapter tests can assert the exact input.
 * Every attribute name goes through a placeholder: reserved words (`name`, `status`, `data`, ...)
 * and dotted names would otherwise break or change the meaning of the expression.
 */
export class ExpressionContext {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly placeholderByName = new Map<string, string>();
  private generatedNames = 0;
  private generatedValues = 0;

  name(attribute: string): string {
    const existing = this.placeholderByName.get(attribute);
    if (existing) return existing;
    // `_N` can never collide with a plain name because plain names start with a letter.
    const placeholder = PLAIN_NAME.test(attribute) ? `#${attribute}` : `#_${this.generatedNames++}`;
    this.placeholderByName.set(attribute, placeholder);
    this.names[placeholder] = attribute;
    return placeholder;
  }

  /** A named value placeholder such as `:now` or `:pk`; the caller guarantees uniqueness. */
  namedValue(label: string, value: unknown): string {
    const placeholder = `:${label}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** A generated value placeholder `:v0`, `:v1`, ... */
  value(value: unknown): string {
    return this.namedValue(`v${this.generatedValues++}`, value);
  }
}

type Atom = Exclude<Condition, { kind: 'and' }>;

function flatten(condition: Condition, into: Atom[] = []): Atom[] {
  if (condition.kind === 'and') {
    for (const child of condition.conditions) flatten(child, into);
  } else {
    into.push(condition);
  }
  return into;
}

/**
 * Renders a port `Condition` as a ConditionExpression.
 *
 * The port treats an expired item (TTL passed, not yet deleted by DynamoDB) as absent, so:
 * - `notExists` → `attribute_not_exists(#pk) OR #expiresAt <= :now`
 * - `exists` → `attribute_exists(#pk) AND (attribute_not_exists(#expiresAt) OR #expiresAt > :now)`
 * - `equals` → `#attr = :vN` plus the same liveness guard (an absent item has no attributes).
 * Conditions only combine with AND, so the tree is flattened and the liveness guard added once.
 * Returns undefined for an empty conjunction (nothing to check).
 */
export function renderCondition(
  condition: Condition,
  nowEpochSeconds: number,
  context: ExpressionContext = new ExpressionContext(),
): RenderedExpression | undefined {
  const atoms = flatten(condition);
  if (atoms.length === 0) return undefined;
  // `compound` parts contain OR and need parentheses once they are joined with AND.
  const parts: Array<{ text: string; compound: boolean }> = [];
  let needsLiveGuard = false;
  const now = (): string => context.namedValue('now', nowEpochSeconds);
  for (const atom of atoms) {
    switch (atom.kind) {
      case 'notExists':
        parts.push({
          text: `attribute_not_exists(${context.name(KEY_ATTRIBUTES.pk)}) OR ${context.name(KEY_ATTRIBUTES.ttl)} <= ${now()}`,
          compound: true,
        });
        break;
      case 'exists':
        parts.push({ text: `attribute_exists(${context.name(KEY_ATTRIBUTES.pk)})`, compound: false });
        needsLiveGuard = true;
        break;
      case 'equals':
        parts.push({
          text: `${context.name(atom.attribute)} = ${context.value(atom.value)}`,
          compound: false,
        });
        needsLiveGuard = true;
        break;
    }
  }
  if (needsLiveGuard) {
    const ttl = context.name(KEY_ATTRIBUTES.ttl);
    parts.push({ text: `attribute_not_exists(${ttl}) OR ${ttl} > ${now()}`, compound: true });
  }
  const expression =
    parts.length === 1
      ? parts[0]!.text
      : parts.map((part) => (part.compound ? `(${part.text})` : part.text)).join(' AND ');
  return { expression, names: context.names, values: context.values };
}
