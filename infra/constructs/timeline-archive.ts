import { Stack } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_CUSTOMERS_PREFIX, ARCHIVE_TIMELINE_PREFIX } from '@crm/core';
import { acknowledgeNagRule } from '../nag';

export interface TimelineArchiveProps {
  stage: string;
  /** The lake bucket: the archive is its `archive/timeline/` prefix (ADR 0034). */
  bucket: Bucket;
  key: IKey;
}

/**
 * The hot/cold archive's access to the lake bucket, one policy per prefix, the data key usable
 * through S3 only:
 * - `accessPolicy` (`buckets: ['archive']`): put/get/delete and list under `archive/timeline/` —
 *   the archiver appends timeline files, the timeline reads them, rehydration reads and removes them;
 * - `profilePolicy` (`buckets: ['customer-archive']`): the same under `archive/customers/` — the
 *   archived full profiles of customer stubs (personal data, sealed fields sealed), for the
 *   customer-archiving job and rehydration only, so the timeline readers never get them.
 */
export class TimelineArchive extends Construct {
  readonly accessPolicy: ManagedPolicy;
  readonly profilePolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: TimelineArchiveProps) {
    super(scope, id);
    this.accessPolicy = prefixPolicy(this, 'ArchiveAccessPolicy', props, `${ARCHIVE_TIMELINE_PREFIX}/`,
      `CRM ${props.stage}: archive, read and rehydrate TTL-removed timeline items`);
    this.profilePolicy = prefixPolicy(this, 'CustomerArchivePolicy', props, `${ARCHIVE_CUSTOMERS_PREFIX}/`,
      `CRM ${props.stage}: archive and rehydrate the full profiles of customer stubs`);
  }
}

/** Put/get/delete and list under one prefix of the bucket, and the data key through S3 only. */
function prefixPolicy(scope: Construct, id: string, props: TimelineArchiveProps, prefix: string, description: string): ManagedPolicy {
  const stack = Stack.of(scope);
  const policy = new ManagedPolicy(scope, id, {
    description,
    statements: [
      new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: [props.bucket.arnForObjects(`${prefix}*`)] }),
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } }),
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    ],
  });
  const bucketId = stack.getLogicalId(props.bucket.node.defaultChild as CfnBucket);
  acknowledgeNagRule(
    policy,
    `IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
    `Object keys are per tenant and customer (${prefix}tenant=<t>/customer=<c>/…); the grant covers only this prefix of this one bucket.`,
  );
  return policy;
}
