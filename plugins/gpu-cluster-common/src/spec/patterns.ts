/**
 * Tight patterns for every free-text field of the stack spec. They are the first line of defence
 * against hostile input: none admits whitespace, quotes, `$`, `{`, `}`, `;`, `|`, `&`, backticks,
 * newlines or `..`, so nothing the user types can break out of HCL, YAML, JSON or a shell word.
 */

/** GCP project id: 6-30 chars, lowercase letter first, no trailing hyphen. @public */
export const PROJECT_ID_PATTERN = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** GCP region, e.g. us-central1, europe-west4. @public */
export const REGION_PATTERN = /^[a-z]+-[a-z]+\d{1,2}$/;
/** GCP zone, e.g. us-central1-b. @public */
export const ZONE_PATTERN = /^[a-z]+-[a-z]+\d{1,2}-[a-z]$/;
/**
 * Name prefix: an RFC 1035 label of at most 20 chars so that derived names such as
 * `<prefix>-rdma-sub-7` and `<prefix>-gke` stay within GCP's 63 and GKE's 40 char limits.
 * @public
 */
export const NAME_PREFIX_PATTERN = /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/;
/** GKE cluster and node pool names: RFC 1035, at most 40 chars. @public */
export const GKE_NAME_PATTERN = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** Kubernetes object names (RFC 1123 label, 63 chars). @public */
export const K8S_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Kubernetes namespace (RFC 1123 label). @public */
export const K8S_NAMESPACE_PATTERN = K8S_NAME_PATTERN;
/**
 * GCP label key: lowercase letter first, lowercase/digits/_/-, at most 63. `constructor` and
 * `prototype` are refused too: template engines (the scaffolder's) reserve them in records, so
 * the form must reject them before a template renders.
 * @public
 */
export const LABEL_KEY_PATTERN =
  /^(?!(?:constructor|prototype)$)[a-z][a-z0-9_-]{0,62}$/;
/** GCP label value: lowercase/digits/_/-, at most 63, may be empty. @public */
export const LABEL_VALUE_PATTERN = /^[a-z0-9_-]{0,63}$/;
/** Backstage entity reference for a group or user, e.g. `group:default/ml-platform`. @public */
export const ENTITY_REF_PATTERN =
  /^(?:(?:group|user):)?(?:[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?\/)?[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;
/** Backstage system name. @public */
export const SYSTEM_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;
/** GCP service account id (the part before `@`): 6-30 chars. @public */
export const SERVICE_ACCOUNT_ID_PATTERN = /^[a-z](?:[a-z0-9-]{4,28})[a-z0-9]$/;
/** GCS bucket name (the dotted form is refused: it needs domain verification). @public */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/;
/** Object prefix inside a bucket: `/`-separated safe segments, no `..`. @public */
export const OBJECT_PREFIX_PATTERN =
  /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
/** Absolute POSIX mount path of safe segments, no `..` or `.` segments. @public */
export const MOUNT_PATH_PATTERN =
  /^(?!.*\/\.\.?(?:\/|$))\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
/**
 * Container image reference: optional registry host[:port], lowercase path components, optional
 * tag and/or sha256 digest.
 * @public
 */
export const IMAGE_PATTERN =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** GKE version, e.g. 1.33.1-gke.1107000, or a prefix such as 1.33 or 1.33.1. @public */
export const GKE_VERSION_PATTERN = /^\d+\.\d+(?:\.\d+(?:-gke\.\d+)?)?$/;
/** Kubernetes resource quantity (memory/cpu), e.g. 8, 500m, 32Gi. @public */
export const QUANTITY_PATTERN = /^\d+(?:\.\d+)?(?:m|k|Ki|Mi|Gi|Ti|M|G|T)?$/;
/** Version pin of the form v0.19.2. @public */
export const SEMVER_TAG_PATTERN = /^v\d+\.\d+\.\d+$/;
/** Ray version, e.g. 2.49.2. @public */
export const RAY_VERSION_PATTERN = /^\d+\.\d+\.\d+$/;
/** Compute Engine reservation name. @public */
export const RESERVATION_NAME_PATTERN = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Display name of an authorized network: letters, digits, space, `_`, `.`, `-`. @public */
export const DISPLAY_NAME_PATTERN = /^[A-Za-z0-9_. -]{0,64}$/;
/** DNS host name for the dashboard ingress. @public */
export const HOSTNAME_PATTERN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
