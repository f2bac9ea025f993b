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
 * The hot/cold archive's access to the lake bucket: put/get/delete and list under
 * `archive/timeline/` and `archive/customers/` only (the archiver appends timeline files, the
 * customer-archiving job puts profile files, the timeline reads them, rehydration reads and removes
 * both), the data key usable through S3 only. Functions get it with `buckets: ['archive']`.
 */
export class TimelineArchive extends Construct {
  readonly accessPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: TimelineArchiveProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefixes = [`${ARCHIVE_TIMELINE_PREFIX}/`, `${ARCHIVE_CUSTOMERS_PREFIX}/`];
    this.accessPolicy = new ManagedPolicy(this, 'ArchiveAccessPolicy', {
      description: `CRM ${props.stage}: archive, read and rehydrate TTL-removed timeline items and archived customer profiles`,
      statements: [
        new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: prefixes.map((prefix) => props.bucket.arnForObjects(`${prefix}*`)) }),
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } } }),
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    const bucketId = stack.getLogicalId(props.bucket.node.defaultChild as CfnBucket);
    for (const prefix of prefixes) {
      acknowledgeNagRule(
        this.accessPolicy,
        `IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        `Object keys are per tenant and customer (${prefix}tenant=<t>/customer=<c>/…); the grant covers only the archive prefixes of this one bucket.`,
      );
    }
  }
}
