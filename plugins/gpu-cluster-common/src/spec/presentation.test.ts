import {
  FIELD_PRESENTATION,
  FORM_PAGES,
  SPEC_FIELDS_NOT_IN_FORM,
  gpuStackSpecJsonSchema,
  presentationKey,
  specFieldKeys,
} from '..';

describe('presentation layer of the stack spec', () => {
  const specKeys = specFieldKeys();

  it('gives every spec field a title and help', () => {
    const missing = specKeys.filter(
      key => !FIELD_PRESENTATION[key]?.title || !FIELD_PRESENTATION[key]?.help,
    );
    expect(missing).toEqual([]);
  });

  it('names only fields that exist in the spec', () => {
    const unknown = Object.keys(FIELD_PRESENTATION).filter(
      key => !specKeys.includes(key),
    );
    expect(unknown).toEqual([]);
  });

  it('never points users at source documents or internal jargon', () => {
    for (const [key, p] of Object.entries(FIELD_PRESENTATION)) {
      const text = [p.title, p.help, p.placeholder ?? ''].join(' ');
      expect({ key, text }).toEqual({
        key,
        text: expect.not.stringMatching(
          /seed|\bTF_VAR|NAME_PREFIX|PROJECT_ID/i,
        ),
      });
    }
  });

  it('labels every value of the enums it labels', () => {
    const schema = gpuStackSpecJsonSchema({ target: 'draft-7' }) as any;
    const nodeAt = (key: string) =>
      key.split('.').reduce((node: any, part) => {
        const name = part.replace('[]', '');
        let next = node.properties[name];
        if (part.endsWith('[]')) next = next.items;
        return next;
      }, schema);
    for (const [key, p] of Object.entries(FIELD_PRESENTATION)) {
      if (!p.enumLabels) continue;
      const node = nodeAt(key);
      let values: string[] =
        node.type === 'array' ? node.items.enum : node.enum;
      if (node.type === 'boolean') values = ['true', 'false'];
      expect({ key, values: [...values].sort() }).toEqual({
        key,
        values: Object.keys(p.enumLabels).sort(),
      });
    }
  });

  it('shows conditional fields only for values their sibling can take', () => {
    for (const [key, p] of Object.entries(FIELD_PRESENTATION)) {
      if (!p.showWhen) continue;
      const sibling = `${key.slice(0, key.lastIndexOf('.'))}.${
        p.showWhen.sibling
      }`;
      expect(FIELD_PRESENTATION[sibling]).toBeDefined();
    }
  });

  it('puts every section of the spec on exactly one page', () => {
    const sections = Object.keys(
      (gpuStackSpecJsonSchema({ target: 'draft-7' }) as any).properties,
    ).filter(s => !(SPEC_FIELDS_NOT_IN_FORM as readonly string[]).includes(s));
    const onPages = FORM_PAGES.flatMap(page => page.sections);
    expect([...onPages].sort()).toEqual([...sections].sort());
  });

  it('maps concrete paths to presentation keys', () => {
    expect(presentationKey(['nodePools', 0, 'provisioning', 'mode'])).toBe(
      'nodePools[].provisioning.mode',
    );
    expect(presentationKey(['identity', 'zones', 1])).toBe('identity.zones[]');
  });
});
