import { Stack } from 'aws-cdk-lib';
import { CfnPlaceIndex } from 'aws-cdk-lib/aws-location';
import { Construct } from 'constructs';

/**
 * Data provider of the place index. Esri lets results be stored (IntendedUse `Storage`); HERE
 * forbids storing results in Japan. Changing it replaces the index (a new name is not needed).
 */
export const PLACE_INDEX_DATA_SOURCE = 'Esri';

/** What a function needs to geocode: the index name (env) and its ARN (IAM resource). */
export interface PlaceIndexRef {
  readonly indexName: string;
  readonly indexArn: string;
}

/**
 * The Amazon Location place index the `geocode-customer` consumer searches. `IntendedUse: Storage`,
 * not the default `SingleUse`: the CRM stores the coordinates on the customer (address.location),
 * which the service terms allow only for indexes created for storage. Stateless (no data of ours),
 * so it lives in the stack of the context that uses it.
 */
export class GeocodingPlaceIndex extends Construct implements PlaceIndexRef {
  readonly index: CfnPlaceIndex;
  readonly indexName: string;
  readonly indexArn: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Unique per account and region: the stack name carries app, stage and context.
    this.indexName = `${Stack.of(this).stackName}-places`;
    this.index = new CfnPlaceIndex(this, 'Index', {
      indexName: this.indexName,
      dataSource: PLACE_INDEX_DATA_SOURCE,
      dataSourceConfiguration: { intendedUse: 'Storage' },
      description: 'CRM: geocodes customer addresses (address.location)',
    });
    this.indexArn = this.index.attrArn;
  }
}
