import type { Config } from '@backstage/config';

/** Config keys whose string values are secrets. */
const SECRET_KEY =
  /pass(?:word|wd)?$|secret|token|credential|private.?key|api.?key|client.?key|signing.?key|^keys?$|^auth$|cookie/i;
/** Passwords inside connection URLs (`postgres://user:password@host`). */
const URL_PASSWORD = /:\/\/[^/\s:@]+:([^@\s]+)@/g;
/** Values of tool environments that are locations rather than secrets. */
const PATH_LIKE = /^(?:\/|\.{1,2}\/|[A-Za-z]:\\)/;

/**
 * Every secret the backend's configuration holds, for the redactor of tool output: values of
 * secret-named keys anywhere in the config (database passwords, backend keys, integration tokens,
 * cluster tokens), passwords inside connection URLs, and the values of the tool environments
 * (`gpuCluster.terraform.env`, `gpuCluster.kubectl.env`) except file paths.
 *
 * @public
 */
export function configuredSecrets(root: Config): string[] {
  const secrets = new Set<string>();
  const visit = (value: unknown, key: string, envMap: boolean) => {
    if (typeof value === 'string') {
      if (SECRET_KEY.test(key) || (envMap && !PATH_LIKE.test(value)))
        secrets.add(value);
      for (const match of value.matchAll(URL_PASSWORD)) secrets.add(match[1]);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach(item => visit(item, key, envMap));
      return;
    }
    if (value && typeof value === 'object') {
      for (const [child, nested] of Object.entries(value)) {
        visit(nested, child, envMap);
      }
    }
  };
  visit(root.getOptional() ?? {}, '', false);
  for (const tool of ['terraform', 'kubectl']) {
    visit(root.getOptional(`gpuCluster.${tool}.env`) ?? {}, '', true);
  }
  return [...secrets];
}

/**
 * Values of the backend's own secret-named environment variables (tokens, passwords, keys). The
 * tools never receive them; they are redacted anyway, should one ever be read from elsewhere.
 *
 * @public
 */
export function environmentSecrets(
  env: Record<string, string | undefined> = process.env,
): string[] {
  return Object.entries(env)
    .filter(([key, value]) => value && SECRET_KEY.test(key))
    .map(([, value]) => value as string);
}
