import { Stack, type StackProps } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { BoundedContext, BucketName, ManifestEntry } from '@crm/manifest';
import type { FunctionCodeSource } from '../bundling/function-code';
import { CrmFunction, type AnalyticsQueryAccess, type EncryptedTable, type WritableBucket } from '../constructs/crm-function';
import { GeocodingPlaceIndex } from '../constructs/geocoding-place-index';
import { pascalCase } from '../naming';

export interface BoundedContextStackProps extends StackProps {
  context: BoundedContext;
  /** The context's manifest entries (all kinds). */
  entries: readonly ManifestEntry[];
  table: EncryptedTable;
  /** The field-encryption key, granted to entries with `fieldEncryption`. */
  fieldKey: IKey;
  /** Buckets entries may write to (`buckets` in the manifest). */
  buckets: Record<BucketName, WritableBucket>;
  /** The domain-event bus, granted to entries with `eventBus: 'publish'`. */
  eventBus: IEventBus;
  /** The lake's Athena workgroup, Glue database and query policy, granted to entries with `analytics: 'query'`. */
  analyticsLake?: AnalyticsQueryAccess;
  code: FunctionCodeSource;
}

/**
 * The stateless functions of one bounded context. One stack per context keeps each template far
 * below CloudFormation's 500-resource limit when the full mission (~100 functions) is built.
 */
export class BoundedContextStack extends Stack {
  /** Functions by manifest entry name. */
  readonly functions = new Map<string, CrmFunction>();

  private geocodingIndex?: GeocodingPlaceIndex;

  constructor(scope: Construct, id: string, props: BoundedContextStackProps) {
    super(scope, id, props);
    for (const entry of props.entries) {
      const fn = new CrmFunction(this, pascalCase(entry.name), { entry, code: props.code.codeFor(this, entry) });
      fn.bindTable(props.table, entry.table);
      if (entry.kind === 'stream') fn.bindTableStream(props.table, entry);
      if (entry.kind === 'schedule') fn.bindSchedule(entry);
      if (entry.fieldEncryption) fn.bindFieldKey(props.fieldKey);
      if (entry.placeIndex) fn.bindPlaceIndex(this.placeIndex());
      if (entry.eventBus === 'publish') fn.bindEventBus(props.eventBus);
      if (entry.analytics === 'query') {
        if (!props.analyticsLake) throw new Error(`${entry.name}: analytics: 'query' needs the analytics lake`);
        fn.bindAnalytics(props.analyticsLake);
      }
      for (const bucket of entry.buckets ?? []) fn.bindBucketWriter(bucket, props.buckets[bucket]);
      this.functions.set(entry.name, fn);
    }
  }

  /** The context's place index, created when the first entry needs one (`placeIndex` in the manifest). */
  private placeIndex(): GeocodingPlaceIndex {
    this.geocodingIndex ??= new GeocodingPlaceIndex(this, 'GeocodingPlaceIndex');
    return this.geocodingIndex;
  }
}
