/*
 * Keeps catalog-info.yaml and app-config.yaml true to the repository: every package on disk is
 * a Component owned by platform-team, the org structure is whole, and the guest sign-in lands
 * in a group so ownership filters work on the embedded default.
 */
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const repoRoot = resolve(__dirname, '../../..');
const entities: Entity[] = parseAllDocuments(
  readFileSync(join(repoRoot, 'catalog-info.yaml'), 'utf8'),
).map(doc => doc.toJS());
const appConfig = parse(readFileSync(join(repoRoot, 'app-config.yaml'), 'utf8'));

const find = (kind: string, name: string) =>
  entities.find(e => e.kind === kind && e.metadata.name === name);

function packageDirs(): string[] {
  return ['plugins', 'packages'].flatMap(parent =>
    readdirSync(join(repoRoot, parent), { withFileTypes: true })
      .filter(d => d.isDirectory())
      .map(d => `${parent}/${d.name}`)
      .filter(dir => existsSync(join(repoRoot, dir, 'package.json'))),
  );
}

describe('catalog-info.yaml', () => {
  it('has a Component owned by platform-team for every package', () => {
    const dirs = packageDirs();
    expect(dirs).toEqual(expect.arrayContaining(['plugins/gpu-cluster-common']));
    for (const dir of dirs) {
      const component = entities.find(
        e =>
          e.kind === 'Component' &&
          e.metadata.annotations?.['backstage.io/source-location'] === `dir:./${dir}`,
      );
      expect({ dir, found: Boolean(component) }).toEqual({ dir, found: true });
      expect(component!.spec).toMatchObject({
        owner: 'group:default/platform-team',
        system: 'gpu-platform',
      });
    }
  });

  it('places platform-team under an organization group and owns the system', () => {
    const team = find('Group', 'platform-team');
    expect(team?.spec).toMatchObject({ type: 'team', parent: 'engineering' });
    expect(find('Group', 'engineering')?.spec).toMatchObject({
      type: 'organization',
      children: ['platform-team'],
    });
    expect(find('System', 'gpu-platform')?.spec?.owner).toBe(
      'group:default/platform-team',
    );
  });

  it('locates the software templates', () => {
    const locations = entities.filter(e => e.kind === 'Location');
    expect(locations.flatMap(l => l.spec?.targets as string[])).toContain(
      './templates/*/template.yaml',
    );
  });
});

describe('app-config.yaml', () => {
  it('loads catalog-info.yaml and allows every kind the platform uses', () => {
    expect(appConfig.catalog.locations).toContainEqual({
      type: 'file',
      target: '../../catalog-info.yaml',
    });
    const allowed = appConfig.catalog.rules.flatMap(
      (rule: { allow: string[] }) => rule.allow,
    );
    expect(allowed).toEqual(
      expect.arrayContaining([
        'Template',
        'Resource',
        'Group',
        'User',
        'System',
        'Component',
        'API',
        'Location',
      ]),
    );
  });

  it('signs the guest in as a catalog user who belongs to platform-team', () => {
    const guestRef = appConfig.auth.providers.guest.userEntityRef;
    const guest = entities.find(
      e => e.kind === 'User' && stringifyEntityRef(e) === guestRef,
    );
    expect(guest?.spec?.memberOf).toContain('platform-team');
  });
});
