import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { BoundedContext, ManifestEntry } from '@crm/manifest';
import type { FunctionCodeSource } from '../bundling/function-code';
import { CrmFunction, type EncryptedTable } from '../constructs/crm-function';
import { pascalCase } from '../naming';

export interface BoundedContextStackProps extends StackProps {
  context: BoundedContext;
  /** The context's manifest entries (all kinds). */
  entries: readonly ManifestEntry[];
  table: EncryptedTable;
  code: FunctionCodeSource;
}

/**
 * The stateless functions of one bounded context. One stack per context keeps each template far
 * below CloudFormation's 500-resource limit when the full mission (~100 functions) is built.
 */
export class BoundedContextStack extends Stack {
  /** Functions by manifest entry name. */
  readonly functions = new Map<string, CrmFunction>();

  constructor(scope: Construct, id: string, props: BoundedContextStackProps) {
    super(scope, id, props);
    for (const entry of props.entries) {
      const fn = new CrmFunction(this, pascalCase(entry.name), { entry, code: props.code.codeFor(this, entry) });
      fn.bindTable(props.table, entry.table);
      if (entry.kind === 'stream') fn.bindTableStream(props.table, entry);
      this.functions.set(entry.name, fn);
    }
  }
}
