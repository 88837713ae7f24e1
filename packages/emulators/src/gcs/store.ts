/**
 * Buckets and objects of the Cloud Storage emulator, with the rules of the JSON API that the
 * product's clients meet: bucket naming, global bucket namespace, generations and preconditions,
 * non-empty bucket deletion. Each rule cites the documentation it mirrors.
 */
import { createHash } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';

/** A JSON API error: HTTP status, message and `errors[].reason`. */
export class GcsApiError extends Error {
  constructor(readonly code: number, message: string, readonly reason: string) {
    super(message);
  }

  /**
   * The JSON API error body (https://cloud.google.com/storage/docs/json_api/v1/status-codes):
   * `{ error: { code, message, errors: [{ message, domain: "global", reason }] } }`.
   */
  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [
          { message: this.message, domain: 'global', reason: this.reason },
        ],
      },
    };
  }
}

export interface StoredBucket {
  name: string;
  projectId: string;
  projectNumber: string;
  location: string;
  storageClass: string;
  versioning: boolean;
  uniformBucketLevelAccess: boolean;
  publicAccessPrevention: string;
  labels: Record<string, string>;
  timeCreated: string;
  updated: string;
  metageneration: number;
}

export interface StoredObject {
  bucket: string;
  name: string;
  generation: number;
  metageneration: number;
  contentType: string;
  data: Buffer;
  md5: string;
  /** Base64 big-endian CRC32C (Castagnoli), as objects carry it; clients verify uploads by it. */
  crc32c: string;
  timeCreated: string;
  updated: string;
  /** Set when a newer generation replaced it or it was deleted in a versioned bucket. */
  timeDeleted?: string;
  metadata?: Record<string, string>;
}

/**
 * Bucket name rules (https://cloud.google.com/storage/docs/buckets#naming): lowercase letters,
 * digits, dashes, underscores and dots; start and end with a letter or digit; 3-63 characters
 * (up to 222 with dots, each dot-separated part at most 63); not an IP address in dotted-decimal
 * notation; not beginning with "goog"; not containing "google" or close misspellings ("g00gle").
 * The JSON API answers 400 "Invalid bucket name: '<name>'" (reason invalid).
 */
export function bucketNameProblem(name: string): string | undefined {
  const dotted = name.includes('.');
  if (
    !/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name) ||
    name.length < 3 ||
    name.length > (dotted ? 222 : 63) ||
    name.split('.').some(part => part.length === 0 || part.length > 63) ||
    /^\d{1,3}(\.\d{1,3}){3}$/.test(name) ||
    name.startsWith('goog') ||
    /g[o0][o0]g[l1][e3]/.test(name)
  ) {
    return `Invalid bucket name: '${name}'`;
  }
  return undefined;
}

/** The official client's CRC32C (the checksum both ends of an upload compare). */
function crc32c(data: Buffer): string {
  const checksum = new CRC32C();
  checksum.update(data);
  return checksum.toString();
}

/** Deterministic 12-digit project number of a project id (the emulator has no Resource Manager). */
export function projectNumberOf(projectId: string): string {
  const digest = createHash('sha256').update(projectId).digest();
  return String(100000000000 + (digest.readUInt32BE(0) % 899999999999));
}

export class GcsStore {
  readonly buckets = new Map<string, StoredBucket>();
  /** bucket → object name → generations, oldest first (the last one is live unless deleted). */
  readonly objects = new Map<string, Map<string, StoredObject[]>>();
  private generation = 1_700_000_000_000_000;

  constructor(private readonly now: () => Date = () => new Date()) {}

  private timestamp() {
    return this.now().toISOString();
  }

  getBucket(name: string): StoredBucket {
    const bucket = this.buckets.get(name);
    // buckets.get: 404 "The specified bucket does not exist." (reason notFound)
    if (!bucket)
      throw new GcsApiError(
        404,
        'The specified bucket does not exist.',
        'notFound',
      );
    return bucket;
  }

  insertBucket(projectId: string, body: Record<string, any>): StoredBucket {
    const name = String(body.name ?? '');
    // buckets.insert requires the name in the body.
    if (!name) throw new GcsApiError(400, 'Required', 'required');
    const invalid = bucketNameProblem(name);
    if (invalid) throw new GcsApiError(400, invalid, 'invalid');
    // Dotted names need a verified domain (buckets#naming: "Bucket names with dots require
    // verification"); the emulator has no domain to verify.
    if (name.includes('.'))
      throw new GcsApiError(
        403,
        'The bucket you tried to create requires domain ownership verification.',
        'forbidden',
      );
    const existing = this.buckets.get(name);
    if (existing) {
      // The bucket namespace is global: 409 conflict, worded by who owns the name.
      throw new GcsApiError(
        409,
        existing.projectId === projectId
          ? 'Your previous request to create the named bucket succeeded and you already own it.'
          : 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
        'conflict',
      );
    }
    const labels = (body.labels ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(labels)) {
      // Labels follow the bucket label rules (https://cloud.google.com/storage/docs/tags-and-labels).
      if (
        !/^[a-z][a-z0-9_-]{0,62}$/.test(key) ||
        !/^[a-z0-9_-]{0,63}$/.test(String(value))
      )
        throw new GcsApiError(
          400,
          `Invalid argument: label ${key}=${value}`,
          'invalid',
        );
    }
    const time = this.timestamp();
    const bucket: StoredBucket = {
      name,
      projectId,
      projectNumber: projectNumberOf(projectId),
      // buckets.insert: location defaults to US, storageClass to STANDARD.
      location: String(body.location ?? 'US').toUpperCase(),
      storageClass: String(body.storageClass ?? 'STANDARD'),
      versioning: Boolean(body.versioning?.enabled),
      uniformBucketLevelAccess: Boolean(
        body.iamConfiguration?.uniformBucketLevelAccess?.enabled,
      ),
      publicAccessPrevention: String(
        body.iamConfiguration?.publicAccessPrevention ?? 'inherited',
      ),
      labels: { ...labels },
      timeCreated: time,
      updated: time,
      metageneration: 1,
    };
    this.buckets.set(name, bucket);
    this.objects.set(name, new Map());
    return bucket;
  }

  patchBucket(name: string, body: Record<string, any>): StoredBucket {
    const bucket = this.getBucket(name);
    if (body.labels) {
      for (const [key, value] of Object.entries(body.labels)) {
        if (value === null) delete bucket.labels[key];
        else bucket.labels[key] = String(value);
      }
    }
    if (body.versioning) bucket.versioning = Boolean(body.versioning.enabled);
    if (body.iamConfiguration?.uniformBucketLevelAccess)
      bucket.uniformBucketLevelAccess = Boolean(
        body.iamConfiguration.uniformBucketLevelAccess.enabled,
      );
    bucket.metageneration += 1;
    bucket.updated = this.timestamp();
    return bucket;
  }

  listBuckets(projectId: string): StoredBucket[] {
    return [...this.buckets.values()]
      .filter(b => b.projectId === projectId)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  deleteBucket(name: string): void {
    this.getBucket(name);
    // buckets.delete: "The bucket you tried to delete is not empty." (409) while any object,
    // noncurrent versions included, remains.
    const objects = this.objects.get(name)!;
    if ([...objects.values()].some(generations => generations.length > 0))
      throw new GcsApiError(
        409,
        'The bucket you tried to delete is not empty.',
        'conflict',
      );
    this.buckets.delete(name);
    this.objects.delete(name);
  }

  private live(bucket: string, name: string): StoredObject | undefined {
    const generations = this.objects.get(bucket)?.get(name) ?? [];
    const last = generations[generations.length - 1];
    return last && !last.timeDeleted ? last : undefined;
  }

  /** objects.get (a given generation, or the live one): 404 "No such object: b/o". */
  getObject(bucket: string, name: string, generation?: number): StoredObject {
    this.getBucket(bucket);
    const found =
      generation === undefined
        ? this.live(bucket, name)
        : this.objects
            .get(bucket)
            ?.get(name)
            ?.find(o => o.generation === generation);
    if (!found)
      throw new GcsApiError(
        404,
        `No such object: ${bucket}/${name}`,
        'notFound',
      );
    return found;
  }

  /**
   * Preconditions (https://cloud.google.com/storage/docs/request-preconditions):
   * ifGenerationMatch=0 means "only if no live object exists"; a mismatch is 412
   * "At least one of the pre-conditions you specified did not hold." (conditionNotMet).
   */
  private checkPreconditions(
    bucket: string,
    name: string,
    conditions: {
      ifGenerationMatch?: number;
      ifGenerationNotMatch?: number;
      ifMetagenerationMatch?: number;
    },
  ) {
    const live = this.live(bucket, name);
    const failed = () =>
      new GcsApiError(
        412,
        'At least one of the pre-conditions you specified did not hold.',
        'conditionNotMet',
      );
    if (conditions.ifGenerationMatch !== undefined) {
      if ((live?.generation ?? 0) !== conditions.ifGenerationMatch)
        throw failed();
    }
    if (
      conditions.ifGenerationNotMatch !== undefined &&
      (live?.generation ?? 0) === conditions.ifGenerationNotMatch
    )
      throw failed();
    if (
      conditions.ifMetagenerationMatch !== undefined &&
      live?.metageneration !== conditions.ifMetagenerationMatch
    )
      throw failed();
  }

  insertObject(
    bucket: string,
    name: string,
    data: Buffer,
    options: {
      contentType?: string;
      metadata?: Record<string, string>;
      ifGenerationMatch?: number;
      ifGenerationNotMatch?: number;
      ifMetagenerationMatch?: number;
    } = {},
  ): StoredObject {
    const stored = this.getBucket(bucket);
    if (!name || name.length > 1024 || /[\r\n]/.test(name))
      // Object names: 1-1024 bytes of UTF-8, no carriage return or line feed
      // (https://cloud.google.com/storage/docs/objects#naming).
      throw new GcsApiError(400, `Invalid object name: '${name}'`, 'invalid');
    this.checkPreconditions(bucket, name, options);
    const time = this.timestamp();
    const generations = this.objects.get(bucket)!.get(name) ?? [];
    const live = this.live(bucket, name);
    if (live) {
      // Without versioning an overwrite replaces the object; with it the old one becomes noncurrent.
      if (stored.versioning) live.timeDeleted = time;
      else generations.splice(generations.indexOf(live), 1);
    }
    this.generation += 1;
    const object: StoredObject = {
      bucket,
      name,
      generation: this.generation,
      metageneration: 1,
      contentType: options.contentType ?? 'application/octet-stream',
      data,
      md5: createHash('md5').update(data).digest('base64'),
      crc32c: crc32c(data),
      timeCreated: time,
      updated: time,
      metadata: options.metadata,
    };
    generations.push(object);
    this.objects.get(bucket)!.set(name, generations);
    return object;
  }

  deleteObject(
    bucket: string,
    name: string,
    options: { generation?: number; ifGenerationMatch?: number } = {},
  ): void {
    const stored = this.getBucket(bucket);
    const generations = this.objects.get(bucket)!.get(name) ?? [];
    if (options.generation !== undefined) {
      // Deleting a named generation removes it permanently, live or noncurrent.
      const index = generations.findIndex(
        o => o.generation === options.generation,
      );
      if (index < 0)
        throw new GcsApiError(
          404,
          `No such object: ${bucket}/${name}`,
          'notFound',
        );
      generations.splice(index, 1);
      return;
    }
    const live = this.getObject(bucket, name);
    this.checkPreconditions(bucket, name, options);
    if (stored.versioning) live.timeDeleted = this.timestamp();
    else generations.splice(generations.indexOf(live), 1);
  }

  /**
   * objects.list: lexicographic by name, `prefix`, `delimiter` (common prefixes), `versions`
   * (noncurrent generations too), `maxResults` with `nextPageToken`.
   */
  listObjects(
    bucket: string,
    query: {
      prefix?: string;
      delimiter?: string;
      versions?: boolean;
      maxResults?: number;
      pageToken?: string;
    },
  ): { items: StoredObject[]; prefixes: string[]; nextPageToken?: string } {
    this.getBucket(bucket);
    const prefix = query.prefix ?? '';
    const all = [...this.objects.get(bucket)!.entries()]
      .filter(([name]) => name.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([, generations]) =>
        query.versions ? generations : generations.filter(o => !o.timeDeleted),
      );
    const prefixes = new Set<string>();
    const items: StoredObject[] = [];
    for (const object of all) {
      if (query.delimiter) {
        const rest = object.name.slice(prefix.length);
        const cut = rest.indexOf(query.delimiter);
        if (cut >= 0) {
          prefixes.add(prefix + rest.slice(0, cut + query.delimiter.length));
          continue;
        }
      }
      items.push(object);
    }
    const start = query.pageToken ? Number(query.pageToken) : 0;
    const size = Math.min(Math.max(query.maxResults ?? 1000, 1), 1000);
    const page = items.slice(start, start + size);
    return {
      items: page,
      prefixes: [...prefixes].sort(),
      nextPageToken:
        start + size < items.length ? String(start + size) : undefined,
    };
  }
}
