/** A Kubernetes object as rendered (plain JSON data, serialised with the `yaml` library). @public */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** One manifest file of the rendered stack, applied in path order. @public */
export interface ManifestFile {
  /** Relative file name, e.g. `10-networks.yaml`. */
  path: string;
  objects: KubeObject[];
  /**
   * Objects that are created once and then belong to their controllers (the verification Job:
   * Kueue owns its `suspend` and pod template once admitted, so re-applying would conflict).
   * `apply` creates them when absent and leaves them alone otherwise.
   */
  createOnce?: boolean;
}
