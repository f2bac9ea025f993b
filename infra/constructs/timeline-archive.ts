import { Stack } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_TIMELINE_PREFIX } from '@crm/core';
import { acknowledgeNagRule } from '../nag';

export interface TimelineArchiveProps {
  stage: string;
  /** The lake bucket: the archive is its `archive/timeline/` prefix (ADR 0034). */
  bucket: Bucket;
  key: IKey;
}

/**
 * The hot/cold archive's access to the lake bucket: put/get/delete and list under
 * `archive/timeline/` only (the archiver appends files, the timeline reads them, rehydration
 * removes them), the data key usable through S3 only. Functions get it with `buckets: ['archive']`.
 */
export class TimelineArchive extends Construct {
  readonly accessPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: TimelineArchiveProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = `${ARCHIVE_TIMELINE_PREFIX}/`;
    this.accessPolicy = new ManagedPolicy(this, 'ArchiveAccessPolicy', {
      description: `CRM ${props.stage}: archive, read and rehydrate TTL-removed timeline items`,
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
      this.accessPolicy,
      `IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
      `Object keys are per tenant, customer and batch (${prefix}tenant=<t>/customer=<c>/<digest>.jsonl); the grant covers only the archive prefix of this one bucket.`,
    );
  }
}
