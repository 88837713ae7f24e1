import { formatIssuePath } from './parse';

const SEGMENT =
  /(^|\.)([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/**
 * The inverse of {@link formatIssuePath}: `nodePools[0].provisioning.mode` →
 * `['nodePools', 0, 'provisioning', 'mode']`, `identity.labels["a b"]` → `['identity', 'labels', 'a b']`.
 * Lets the form place an issue reported by {@link parseGpuStackSpec} on the field it names.
 * Throws on text {@link formatIssuePath} does not produce.
 * @public
 */
export function parseIssuePath(text: string): Array<string | number> {
  const path: Array<string | number> = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < text.length) {
    const match = SEGMENT.exec(text);
    if (!match) {
      throw new Error(`not an issue path: ${text}`);
    }
    if (match[2] !== undefined) path.push(match[2]);
    else if (match[3] !== undefined) path.push(Number(match[3]));
    else path.push(JSON.parse(match[4]) as string);
  }
  if (formatIssuePath(path) !== text) {
    throw new Error(`not an issue path: ${text}`);
  }
  return path;
}
