import fs from 'node:fs';
import path from 'node:path';
import { renderStackSpecReference, STACK_SPEC_DOC_PATH } from './stackSpecDoc';

describe('docs/stack-spec.md', () => {
  it('is up to date with the schema (run `yarn workspace @gpu-platform/backstage-plugin-gpu-cluster-node docs`)', () => {
    const committed = fs.readFileSync(
      path.resolve(__dirname, '../../../..', STACK_SPEC_DOC_PATH),
      'utf8',
    );
    expect(committed).toBe(renderStackSpecReference());
  });

  it('documents every field with its path', () => {
    const doc = renderStackSpecReference();
    expect(doc).toContain('| `nodePools[].provisioning.mode` |');
    expect(doc).toContain('| `a3-ultragpu-8g` | `nvidia-h200-141gb` | 8 |');
  });
});
