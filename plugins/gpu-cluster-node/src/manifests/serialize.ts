import { stringify } from 'yaml';
import type { KubeObject } from './types';

/** Serialises objects as a multi-document YAML stream (the `yaml` library, never templates). @public */
export function serializeManifest(objects: KubeObject[]): string {
  return objects
    .map(o => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}
