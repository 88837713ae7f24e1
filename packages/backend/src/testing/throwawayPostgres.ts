/*
 * A throwaway PostgreSQL server for integration tests: a temporary data directory, a free
 * loopback port, trust authentication, stopped and deleted afterwards. Uses the PostgreSQL
 * server binaries installed on the machine (Debian's postgresql-15).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ThrowawayPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

/** Finds the directory holding initdb/pg_ctl: Debian keeps them off PATH. */
export function findPostgresBinDir(): string {
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter(v => existsSync(join(debianRoot, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) {
      return join(debianRoot, versions[0], 'bin');
    }
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb'))) {
      return dir;
    }
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) not found; install them with: apt-get install -y postgresql-15',
  );
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user. */
async function serverIdentity(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) {
    return {};
  }
  const { stdout: uid } = await execFileAsync('id', ['-u', 'postgres']);
  const { stdout: gid } = await execFileAsync('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

function run(
  command: string,
  args: string[],
  identity: { uid?: number; gid?: number },
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...identity,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
    });
    let output = '';
    child.stdout.on('data', d => (output += d));
    child.stderr.on('data', d => (output += d));
    child.on('error', reject);
    child.on('close', code =>
      code === 0
        ? resolve(output)
        : reject(
            new Error(
              `${command} ${args.join(' ')} exited ${code}:\n${output}`,
            ),
          ),
    );
  });
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const binDir = findPostgresBinDir();
  const identity = await serverIdentity();
  const baseDir = await mkdtemp(join(tmpdir(), 'throwaway-pg-'));
  const dataDir = join(baseDir, 'data');
  if (identity.uid !== undefined) {
    await chown(baseDir, identity.uid, identity.gid!);
  }
  const user = 'backstage';
  // The password is unused under trust auth; it only satisfies config that requires one.
  const password = 'throwaway';
  await run(
    join(binDir, 'initdb'),
    ['-D', dataDir, '-U', user, '--auth=trust', '--encoding=UTF8', '--no-sync'],
    identity,
    60_000,
  );
  const port = await findFreePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${baseDir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c max_connections=200',
  ].join(' ');
  await run(
    join(binDir, 'pg_ctl'),
    [
      '-D',
      dataDir,
      '-o',
      serverOptions,
      '-l',
      join(baseDir, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ],
    identity,
    90_000,
  );
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await run(
          join(binDir, 'pg_ctl'),
          ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'],
          identity,
          60_000,
        );
      } finally {
        await rm(baseDir, { recursive: true, force: true });
      }
    },
  };
}
