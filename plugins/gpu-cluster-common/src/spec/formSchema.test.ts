import {
  FORM_PAGES,
  GPU_STACK_FIELD_EXTENSIONS,
  gpuStackTemplateParameters,
} from '..';

const pages = gpuStackTemplateParameters();

/** Every schema node with the key it was presented under. */
function nodes(node: any, key = ''): Array<[string, any]> {
  const out: Array<[string, any]> = [[key, node]];
  for (const [name, child] of Object.entries<any>(node.properties ?? {})) {
    out.push(...nodes(child, key ? `${key}.${name}` : name));
  }
  if (node.items?.properties) out.push(...nodes(node.items, `${key}[]`));
  for (const dependency of Object.values<any>(node.dependencies ?? {})) {
    for (const branch of dependency.oneOf) {
      for (const [name, child] of Object.entries<any>(branch.properties)) {
        if (child.title) out.push(...nodes(child, `${key}.${name}`));
      }
    }
  }
  return out;
}

describe('template parameters generated from the spec and its presentation', () => {
  it('has one page per form page, the review page last', () => {
    expect(pages.map(p => p.title)).toEqual(FORM_PAGES.map(p => p.title));
    expect(pages[2].properties.whatWillHappen['ui:field']).toBe(
      GPU_STACK_FIELD_EXTENSIONS.review,
    );
  });

  it('tags the pages for creators only for the scaffolder permissions, page 1 for everyone', () => {
    expect(pages.map(p => p['backstage:permissions'])).toEqual([
      undefined,
      { tags: ['gpu-cluster'] },
      { tags: ['gpu-cluster'] },
    ]);
  });

  it('gives every field a human title and help, and no spec reference text', () => {
    const all = pages.flatMap(page =>
      Object.entries<any>(page.properties).flatMap(([name, node]) =>
        nodes(node, name),
      ),
    );
    expect(all.length).toBeGreaterThan(100);
    for (const [key, node] of all) {
      expect({ key, title: typeof node.title }).toEqual({
        key,
        title: 'string',
      });
      if (key === 'whatWillHappen') continue;
      const help = node['ui:help'] ?? node.description;
      expect({ key, help: typeof help }).toEqual({ key, help: 'string' });
    }
    expect(JSON.stringify(pages)).not.toMatch(/seed|TF_VAR/i);
  });

  it('shows mode-specific fields only for their mode and requires a reservation only in reservation mode', () => {
    const provisioning =
      pages[0].properties.nodePools.items.properties.provisioning;
    expect(Object.keys(provisioning.properties)).toEqual(['mode']);
    const branches = provisioning.dependencies.mode.oneOf as any[];
    const branch = (mode: string) =>
      branches.find(b => b.properties.mode.enum[0] === mode);
    expect(branches).toHaveLength(6);
    expect(Object.keys(branch('queued-provisioning').properties)).toEqual([
      'mode',
      'maxRunDurationSeconds',
    ]);
    expect(Object.keys(branch('spot').properties)).toEqual(['mode']);
    expect(Object.keys(branch('on-demand').properties)).toEqual(['mode']);
    expect(branch('reservation').required).toEqual(['reservation']);
    expect(Object.keys(branch('compute-class').properties)).toEqual([
      'mode',
      'computeClass',
    ]);
    expect(
      branches.filter(b => b.required).map(b => b.properties.mode.enum[0]),
    ).toEqual(['reservation']);
  });

  it('keeps page 1 short: advanced sections collapsed on page 2, groups in page 1 sections', () => {
    expect(Object.keys(pages[0].properties)).toEqual(['nodePools', 'identity']);
    for (const [name, section] of Object.entries<any>(pages[1].properties)) {
      expect({ name, options: section['ui:options'] }).toEqual({
        name,
        options: expect.objectContaining({ collapsed: true, section: name }),
      });
    }
    const identity = pages[0].properties.identity;
    expect(identity['ui:field']).toBe(GPU_STACK_FIELD_EXTENSIONS.section);
    expect(identity.properties.labels['ui:options'].group).toBe(
      'Catalog and billing labels',
    );
    expect(
      pages[0].properties.nodePools.items.properties.disk['ui:options'].group,
    ).toBe('Node pool details');
  });
});
