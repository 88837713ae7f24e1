import { writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProcessError, runProcess } from './runProcess';
import { toolEnvironment } from './environment';
import { Redactor, secretVariants } from './redact';

/**
 * The one process runner, with stand-in tools written as node scripts: what they receive
 * (argv, environment), what they print and how they react to signals is the evidence.
 */

const SECRET = 'canary-Secr3t/+value==';

describe('runProcess', () => {
  let dir: string;
  const script = async (name: string, body: string) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, `#!${process.execPath}\n${body}\n`, {
      mode: 0o755,
    });
    return file;
  };
  const logger = () => {
    const lines: { level: string; message: string }[] = [];
    return {
      lines,
      info: (message: string) => lines.push({ level: 'info', message }),
      warn: (message: string) => lines.push({ level: 'warn', message }),
    };
  };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'run-process-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('gives the child only the environment it is handed, never the backend’s', async () => {
    process.env.GPU_CLUSTER_TEST_DB_PASSWORD = SECRET;
    try {
      const dump = await script(
        'dump-env',
        `process.stdout.write(JSON.stringify(process.env));`,
      );
      const home = path.join(dir, 'home');
      const env = toolEnvironment({
        configured: { TF_CLI_CONFIG_FILE: '/etc/terraform.rc' },
        home,
        runner: { TF_IN_AUTOMATION: '1' },
      });
      const result = await runProcess({
        command: dump,
        args: [],
        cwd: dir,
        env,
        timeoutMs: 30_000,
        logStdout: false,
      });
      const childEnv = JSON.parse(result.stdout);
      expect(Object.keys(childEnv).sort()).toEqual(
        [
          'HOME',
          'LANG',
          'PATH',
          'TF_CLI_CONFIG_FILE',
          'TF_IN_AUTOMATION',
          'TMPDIR',
        ].sort(),
      );
      expect(childEnv.HOME).toBe(home);
      expect(JSON.stringify(childEnv)).not.toContain(SECRET);
    } finally {
      delete process.env.GPU_CLUSTER_TEST_DB_PASSWORD;
    }
  });

  it('passes arguments as an array: nothing reaches a shell', async () => {
    const echo = await script(
      'argv',
      `process.stdout.write(JSON.stringify(process.argv.slice(2)));`,
    );
    const hostile = ['$(id)', '`id`', 'a; rm -rf /', '\'"', '\n--flag'];
    const result = await runProcess({
      command: echo,
      args: hostile,
      cwd: dir,
      env: { PATH: process.env.PATH! },
      timeoutMs: 30_000,
      logStdout: false,
    });
    expect(JSON.parse(result.stdout)).toEqual(hostile);
  });

  it('streams each line to the logger as it arrives, stderr as warnings', async () => {
    // The tool prints its first line, then waits until the logger has received it: with
    // buffered output it would wait until its timeout and fail.
    const seen = path.join(dir, 'first-line-seen');
    const waiting = await script(
      'waiting',
      `const fs = require('node:fs');
       process.stdout.write('first line\\n');
       process.stderr.write('a warning\\n');
       const wait = setInterval(() => {
         if (fs.existsSync(${JSON.stringify(seen)})) {
           clearInterval(wait);
           process.stdout.write('second line\\n', () => process.exit(0));
         }
       }, 20);
       setTimeout(() => process.exit(7), 20000);`,
    );
    const log = logger();
    await runProcess({
      command: waiting,
      args: [],
      cwd: dir,
      env: {},
      timeoutMs: 30_000,
      logger: {
        info: m => {
          log.info(m);
          if (m === 'first line') writeFileSync(seen, '');
        },
        warn: log.warn,
      },
    });
    expect(log.lines.map(l => `${l.level} ${l.message}`)).toEqual(
      expect.arrayContaining([
        'info first line',
        'warn a warning',
        'info second line',
      ]),
    );
  });

  it('redacts secrets in every encoding a tool or template function produces', async () => {
    const encodings = [
      SECRET,
      Buffer.from(SECRET).toString('base64'),
      Buffer.from(`x${SECRET}`).toString('base64'),
      Buffer.from(`xy${SECRET}`).toString('base64'),
      Buffer.from(`xyz${SECRET}`).toString('base64url'),
      encodeURIComponent(SECRET),
      JSON.stringify(SECRET),
      JSON.stringify(JSON.stringify({ v: SECRET })),
      Buffer.from(SECRET).toString('hex'),
      Buffer.from(SECRET).toString('hex').toUpperCase(),
    ];
    const leak = await script(
      'leak',
      `for (const line of ${JSON.stringify(encodings)}) {
         process.stdout.write('value=' + line + '\\n');
         process.stderr.write('error: ' + line + '\\n');
       }
       process.exit(3);`,
    );
    const log = logger();
    const redactor = new Redactor([SECRET]);
    const error: ProcessError = await runProcess({
      command: leak,
      args: [],
      cwd: dir,
      env: {},
      timeoutMs: 30_000,
      logger: log,
      redactor,
    }).catch(e => e);
    expect(error).toBeInstanceOf(ProcessError);
    expect(error.failure).toBe('exit-code');
    const everything = [
      error.message,
      error.stdout,
      error.stderr,
      ...log.lines.map(l => l.message),
    ].join('\n');
    for (const encoded of encodings) {
      // The inner part of each encoding (edges can mix in neighbouring bytes).
      expect(everything).not.toContain(encoded.slice(2, -2));
    }
    expect(everything).toContain('value=');
    expect(redactor.leaks(everything)).toBe(false);
    expect(secretVariants(SECRET)).toContain(
      Buffer.from(SECRET).toString('hex'),
    );
  });

  it('shows private directories by a placeholder', async () => {
    const pwd = await script('pwd', `console.log('in ' + process.cwd());`);
    const result = await runProcess({
      command: pwd,
      args: [],
      cwd: dir,
      env: {},
      timeoutMs: 30_000,
      redactor: new Redactor().addPath(await fs.realpath(dir), '<run>'),
    });
    expect(result.stdout.trim()).toBe('in <run>');
  });

  it('cancels with the stop signal first (terraform: SIGINT) and reports it', async () => {
    const marker = path.join(dir, 'got-sigint');
    const graceful = await script(
      'graceful',
      `process.on('SIGINT', () => {
         require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'yes');
         process.exit(130);
       });
       console.log('started');
       setInterval(() => {}, 1000);`,
    );
    const controller = new AbortController();
    const log = logger();
    const run = runProcess({
      command: graceful,
      args: [],
      cwd: dir,
      env: {},
      timeoutMs: 60_000,
      stopSignal: 'SIGINT',
      killAfterMs: 30_000,
      signal: controller.signal,
      logger: {
        info: m => {
          log.info(m);
          if (m === 'started') controller.abort();
        },
        warn: log.warn,
      },
    });
    const error: ProcessError = await run.catch(e => e);
    expect(error.failure).toBe('cancelled');
    expect(error.message).toContain('was cancelled');
    expect(await fs.readFile(marker, 'utf8')).toBe('yes');
  });

  it('kills a child that ignores the stop signal after the grace period', async () => {
    const stubborn = await script(
      'stubborn',
      `process.on('SIGINT', () => console.log('ignoring SIGINT'));
       console.log('started');
       setInterval(() => {}, 1000);`,
    );
    const log = logger();
    const error: ProcessError = await runProcess({
      command: stubborn,
      args: [],
      cwd: dir,
      env: {},
      timeoutMs: 300,
      stopSignal: 'SIGINT',
      killAfterMs: 200,
      logger: log,
    }).catch(e => e);
    expect(error.failure).toBe('timed-out');
    expect(error.message).toMatch(/timed out after/);
    expect(log.lines.map(l => l.message)).toContain('ignoring SIGINT');
  });

  it('does not start when already cancelled, and names a missing binary', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      runProcess({
        command: 'true',
        args: [],
        cwd: dir,
        env: {},
        timeoutMs: 1000,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ failure: 'cancelled' });
    await expect(
      runProcess({
        command: path.join(dir, 'no-such-tool'),
        args: [],
        cwd: dir,
        env: {},
        timeoutMs: 1000,
      }),
    ).rejects.toMatchObject({
      failure: 'not-started',
      message: expect.stringContaining('was not found'),
    });
  });
});
