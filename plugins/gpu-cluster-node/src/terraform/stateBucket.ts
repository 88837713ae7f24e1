import { Storage } from '@google-cloud/storage';

/**
 * The Terraform state bucket, created when absent before `terraform init` (seed 004: "If the user
 * does not provide a GCS bucket path then the provisioning tool creates a GCS bucket for managing
 * terraform state", named `aiinfra-terraform-<PROJECT_ID>`, a folder per deployment).
 */

/** Labels of a state bucket the platform creates (it is shared by every stack of a project). @public */
export const STATE_BUCKET_LABELS: Readonly<Record<string, string>> = {
  'managed-by': 'gpu-platform',
  purpose: 'terraform-state',
};

/** @public */
export interface EnsureStateBucketOptions {
  projectId: string;
  bucket: string;
  /** Bucket location (the stack's region). */
  location: string;
  /** Extra labels for a bucket created now (an existing bucket is left as it is). */
  labels?: Record<string, string>;
  /**
   * Default: the official client for `projectId` with Application Default Credentials, or the
   * emulator `env.STORAGE_EMULATOR_HOST` names.
   */
  storage?: Storage;
  env?: NodeJS.ProcessEnv;
  logger?: { info(message: string): void; warn(message: string): void };
}

/** @public */
export interface StateBucketResult {
  bucket: string;
  created: boolean;
  /** Whether object versioning is on (old state generations can be restored). */
  versioning: boolean;
}

/**
 * The official Storage client: Google's endpoint with Application Default Credentials, or an
 * emulator (`apiEndpoint`, no credentials).
 * @public
 */
export function createStorageClient(options: {
  projectId: string;
  apiEndpoint?: string;
}): Storage {
  const storage = new Storage({
    projectId: options.projectId,
    ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
  });
  if (options.apiEndpoint) {
    // The client uses a STORAGE_EMULATOR_HOST of its own process verbatim as the JSON API base
    // (without /storage/v1, unlike Terraform's backend); an explicit endpoint must win.
    storage.baseUrl = `${storage.apiEndpoint}/storage/v1`;
  }
  return storage;
}

/**
 * The Cloud Storage emulator endpoint of an environment (`STORAGE_EMULATOR_HOST`, which
 * Terraform's gcs backend honours too), as an http URL; undefined in production.
 * @public
 */
export function storageEmulatorEndpoint(
  env: NodeJS.ProcessEnv,
): string | undefined {
  const host = env.STORAGE_EMULATOR_HOST;
  if (!host) return undefined;
  return /^https?:\/\//.test(host)
    ? host.replace(/\/+$/, '')
    : `http://${host}`;
}

const errorCode = (error: unknown) => (error as { code?: number })?.code;
const errorText = (error: unknown) =>
  String((error as Error)?.message ?? error).split('\n')[0];

/**
 * Creates the state bucket when it does not exist: versioning on (every state write keeps the
 * previous generation), uniform bucket-level access, public access prevention enforced, labels.
 * An existing bucket is used as it is (a warning when its versioning is off).
 * @public
 */
export async function ensureStateBucket(
  options: EnsureStateBucketOptions,
): Promise<StateBucketResult> {
  const storage =
    options.storage ??
    createStorageClient({
      projectId: options.projectId,
      apiEndpoint: storageEmulatorEndpoint(options.env ?? {}),
    });
  const bucket = storage.bucket(options.bucket);
  const where = `state bucket gs://${options.bucket}`;
  try {
    const [metadata] = await bucket.getMetadata();
    const versioning = Boolean(metadata.versioning?.enabled);
    if (!versioning)
      options.logger?.warn(
        `${where} has object versioning off: a damaged state cannot be restored from an earlier generation`,
      );
    return { bucket: options.bucket, created: false, versioning };
  } catch (error) {
    if (errorCode(error) === 403)
      throw new Error(
        `Cannot read ${where} (${errorText(
          error,
        )}): the credentials need storage.buckets.get on it, or set terraformState.bucket (TERRAFORM_GCS_PATH) to a bucket of yours`,
        { cause: error },
      );
    if (errorCode(error) !== 404) throw error;
  }
  try {
    await storage.createBucket(options.bucket, {
      location: options.location.toUpperCase(),
      storageClass: 'STANDARD',
      versioning: { enabled: true },
      iamConfiguration: {
        uniformBucketLevelAccess: { enabled: true },
        publicAccessPrevention: 'enforced',
      },
      labels: { ...options.labels, ...STATE_BUCKET_LABELS },
    });
    options.logger?.info(
      `Created ${where} in ${
        options.projectId
      } (${options.location.toUpperCase()}, versioning on, uniform bucket-level access)`,
    );
    return { bucket: options.bucket, created: true, versioning: true };
  } catch (error) {
    const text = errorText(error);
    if (errorCode(error) === 409 && /already own it/.test(text)) {
      // Created meanwhile by another run of this project.
      return { bucket: options.bucket, created: false, versioning: true };
    }
    if (errorCode(error) === 409)
      throw new Error(
        `Cannot create ${where}: the name belongs to another project (${text}); set terraformState.bucket (TERRAFORM_GCS_PATH) to a bucket name of your own`,
        { cause: error },
      );
    if (errorCode(error) === 403)
      throw new Error(
        `Cannot create ${where} in project ${options.projectId} (${text}): the credentials need storage.buckets.create there (e.g. roles/storage.admin), or set terraformState.bucket to an existing bucket`,
        { cause: error },
      );
    throw new Error(`Cannot create ${where}: ${text}`, { cause: error });
  }
}
