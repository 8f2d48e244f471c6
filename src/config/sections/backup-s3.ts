import { z } from 'zod';
import { kubernetesName, resources, section } from '../types';
import { cidr } from './service';
import { image } from './workload';

/**
 * maintenance.backup.s3: the off-cluster copy of each backup (docs/backup-restore.md). A second container
 * of the backup Job (the AWS CLI image) uploads the RDB the backup step verified, reads it back to check
 * its SHA-256, and applies the bucket's retention. Implemented in src/components/maintenance/s3-upload.ts.
 */

/** A key of a Secret's data. */
const secretKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, 'a Secret key: letters, digits, "-", "_" and "."');

export const backupS3 = section({
  enabled: z.boolean().default(false).describe('Copy each verified backup to S3-compatible object storage (a second container of the backup Job; restore can fetch from the bucket, docs/backup-restore.md)'),
  endpoint: z
    .string()
    .regex(/^$|^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?\/?$/, 'an http(s) URL of the S3 service such as https://s3.eu-west-1.amazonaws.com or https://minio.storage.svc:9000')
    .default('')
    .describe('URL of the S3 API ("" = AWS S3 of the region); MinIO, Ceph RGW, versitygw and other S3-compatible stores need theirs'),
  bucket: z
    .string()
    .regex(/^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3-63 lower-case letters, digits, "." and "-"')
    .default('')
    .describe('Bucket the backups are copied to (it must exist; required when s3.enabled)'),
  prefix: z
    .string()
    .regex(/^$|^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'key prefix segments of letters, digits, ".", "_" and "-" separated by "/", without a leading or trailing "/"')
    .default('')
    .describe('Key prefix of the backups in the bucket ("" = the bucket root): the objects are <prefix>/redis-backup-<UTC timestamp>.rdb and .rdb.sha256'),
  region: z.string().regex(/^[a-z0-9-]+$/, 'a region such as eu-west-1').default('us-east-1').describe('Region of the bucket (S3-compatible stores usually accept any)'),
  forcePathStyle: z.boolean().default(false).describe('Path-style requests (<endpoint>/<bucket>/<key>) instead of virtual-hosted ones (<bucket>.<endpoint>/<key>); most S3-compatible stores need true'),
  credentials: section({
    existingSecret: kubernetesName
      .or(z.literal(''))
      .default('')
      .describe('Secret holding the access key ("" = the AWS CLI default chain: IRSA through maintenance.serviceAccount.annotations eks.amazonaws.com/role-arn, EKS Pod Identity, or the node role)'),
    accessKeyIdKey: secretKey.default('AWS_ACCESS_KEY_ID').describe('Key of the access key ID in credentials.existingSecret'),
    secretAccessKeyKey: secretKey.default('AWS_SECRET_ACCESS_KEY').describe('Key of the secret access key in credentials.existingSecret'),
  }),
  keep: z.int().min(0).default(30).describe('Backups kept in the bucket under the prefix, newest first (0 = no count limit)'),
  maxAgeDays: z.int().min(0).default(0).describe('Backups in the bucket older than this many days are deleted (0 = no age limit); the newest is always kept'),
  image: image('public.ecr.aws', 'aws-cli/aws-cli', '2.15.62'),
  resources: resources({ cpu: '50m', memory: '96Mi' }, { cpu: '1', memory: '384Mi' }),
  egress: section({
    cidr: cidr.or(z.literal('')).default('').describe('Addresses the upload may reach, for the backup pods\' NetworkPolicy ("" = any public address: 0.0.0.0/0 except the private ranges; set it for an in-cluster or private store)'),
    port: z.int().min(1).max(65535).default(443).describe('TCP port of the S3 endpoint, for the backup pods\' NetworkPolicy'),
  }),
});
