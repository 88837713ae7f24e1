import {
  ScaffolderFieldExtensions,
  useCustomFieldExtensions,
} from '@backstage/plugin-scaffolder-react';
import { GPU_STACK_FIELD_EXTENSIONS } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import {
  GpuNodePoolsFieldExtension,
  GpuStackReviewFieldExtension,
  GpuStackSectionFieldExtension,
} from './plugin';

function ListFieldExtensions() {
  const extensions = useCustomFieldExtensions(
    <ScaffolderFieldExtensions>
      <GpuStackSectionFieldExtension />
      <GpuNodePoolsFieldExtension />
      <GpuStackReviewFieldExtension />
    </ScaffolderFieldExtensions>,
  );
  return (
    <ul>
      {extensions.map(e => (
        <li key={e.name}>
          {e.name}
          {e.validation ? ' (validates)' : ''}
        </li>
      ))}
    </ul>
  );
}

describe('legacy frontend system exports', () => {
  it('provide the three field extensions under the names the template uses', async () => {
    await renderInTestApp(<ListFieldExtensions />);
    expect(
      screen.getAllByRole('listitem').map(item => item.textContent),
    ).toEqual([
      `${GPU_STACK_FIELD_EXTENSIONS.section} (validates)`,
      `${GPU_STACK_FIELD_EXTENSIONS.nodePools} (validates)`,
      GPU_STACK_FIELD_EXTENSIONS.review,
    ]);
  });
});
