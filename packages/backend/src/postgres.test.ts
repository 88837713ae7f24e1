/*
 * The production database path: the real backend (this package, started the way `yarn start`
 * starts it) boots on app-config.yaml + app-config.production.yaml against a throwaway local
 * PostgreSQL and the catalog serves the ownership model from catalog-info.yaml.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import {
  findFreePort,
  startThrowawayPostgres,
  ThrowawayPostgres,
} from './testing/throwawayPostgres';

jest.setTimeout(240_000);

const repoRoot = resolve(__dirname, '../../..');
const backendDir = resolve(__dirname, '..');

interface CatalogEntity {
  kind: string;
  metadata: { name: string };
  spec?: { owner?: string; type?: string };
}

async function waitForEntities(
  url: string,
  token: string,
  deadlineMs: number,
  isReady: (entities: CatalogEntity[]) => boolean,
  backendLog: () => string,
  backendFailure: () => string | undefined,
): Promise<CatalogEntity[]> {
  const deadline = Date.now() + deadlineMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const failure = backendFailure();
    if (failure) {
      throw new Error(
        `${failure}; backend output:\n${backendLog().slice(-4000)}`,
      );
    }
    try {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5_000),
      });
      last = `HTTP ${response.status}`;
      if (response.ok) {
        const entities = (await response.json()) as CatalogEntity[];
        if (isReady(entities)) {
          return entities;
        }
        last = `HTTP 200 with ${entities.length} entities`;
      }
    } catch (error) {
      last = String(error);
    }
    await new Promise(r => setTimeout(r, 1_000));
  }
  throw new Error(
    `catalog not ready within ${deadlineMs} ms (${last}); backend output:\n${backendLog().slice(
      -4000,
    )}`,
  );
}

describe('backend on PostgreSQL (app-config.production.yaml)', () => {
  let postgres: ThrowawayPostgres;
  let backend: ChildProcess | undefined;
  let workDir: string;
  let output = '';

  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
    workDir = await mkdtemp(join(tmpdir(), 'backend-pg-test-'));
  });

  afterAll(async () => {
    if (backend?.pid) {
      // The CLI starts the backend in a child process: stop the whole group.
      try {
        process.kill(-backend.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise(r => setTimeout(r, 1_000));
      try {
        process.kill(-backend.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await postgres?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('serves the ownership model from the catalog, stored in PostgreSQL', async () => {
    const port = await findFreePort();
    const token = randomBytes(24).toString('base64url');
    const testConfig = join(workDir, 'app-config.test.yaml');
    await writeFile(
      testConfig,
      JSON.stringify({
        app: { baseUrl: `http://127.0.0.1:${port}` },
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { host: '127.0.0.1', port },
          auth: {
            externalAccess: [
              { type: 'static', options: { token, subject: 'postgres-test' } },
            ],
          },
        },
        // The production file resolves paths from the repository root; this test runs the
        // backend from its package directory.
        catalog: {
          locations: [
            {
              type: 'file',
              target: join(repoRoot, 'catalog-info.yaml'),
              // As app-config.production.yaml: the ownership model may hold every kind.
              rules: [
                { allow: ['Group', 'User', 'System', 'Location', 'Template'] },
                { allow: ['Component', 'API', 'Resource'] },
              ],
            },
          ],
        },
      }),
    );

    backend = spawn(
      process.execPath,
      [
        require.resolve('@backstage/cli/bin/backstage-cli'),
        'package',
        'start',
        '--config',
        join(repoRoot, 'app-config.yaml'),
        '--config',
        join(repoRoot, 'app-config.production.yaml'),
        '--config',
        testConfig,
      ],
      {
        cwd: backendDir,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          POSTGRES_HOST: postgres.host,
          POSTGRES_PORT: String(postgres.port),
          POSTGRES_USER: postgres.user,
          POSTGRES_PASSWORD: postgres.password,
        },
      },
    );
    backend.stdout!.on('data', d => (output += d));
    backend.stderr!.on('data', d => (output += d));

    const entities = await waitForEntities(
      `http://127.0.0.1:${port}/api/catalog/entities`,
      token,
      180_000,
      // Every kind the checks below read has been processed (the catalog stitches in batches).
      list =>
        list.some(e => e.kind === 'Component') &&
        list.some(e => e.kind === 'System') &&
        ['engineering', 'platform-team'].every(name =>
          list.some(e => e.kind === 'Group' && e.metadata.name === name),
        ),
      () => output,
      () => {
        if (backend?.exitCode !== null)
          return `backend exited with ${backend?.exitCode}`;
        // The CLI's watcher outlives a crashed backend; a start-up crash prints a Node trailer.
        return /^Node\.js v\d+/m.test(output)
          ? 'backend crashed on start-up'
          : undefined;
      },
    );

    const byKind = (kind: string) =>
      entities.filter(e => e.kind === kind).map(e => e.metadata.name);
    expect(byKind('Group')).toEqual(
      expect.arrayContaining(['engineering', 'platform-team']),
    );
    expect(byKind('System')).toContain('gpu-platform');
    expect(byKind('Component')).toEqual(
      expect.arrayContaining(['gpu-cluster-common', 'gpu-cluster-node']),
    );
    for (const component of entities.filter(e => e.kind === 'Component')) {
      expect(component.spec?.owner).toBe('group:default/platform-team');
    }

    // The entities really live in PostgreSQL, not in an in-memory fallback.
    const client = new Client({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      password: postgres.password,
      database: 'backstage_plugin_catalog',
    });
    await client.connect();
    try {
      const result = await client.query(
        "select count(*)::int as n from final_entities where final_entity like '%platform-team%'",
      );
      expect(result.rows[0].n).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });
});
