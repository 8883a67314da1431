import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The built server, as `npm start` runs it (`npm test` and `npm run bench` build first, from the project root). */
export const MAIN = resolve('dist/src/main.js');

export interface ServerProcess {
  process: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves once the server listens; rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/**
 * Starts the server with the test process's environment, less DATABASE_URL, plus `env`. Its
 * output is kept for `output()` unless `keepOutput` is false (a benchmark's millions of request
 * lines); it is read either way, so the server never waits on a full pipe.
 */
export async function startServerProcess(env: Record<string, string>, keepOutput = true): Promise<ServerProcess> {
  const port = await freePort();
  const { DATABASE_URL: _external, ...inherited } = process.env;
  // ENV_FILE: a developer's .env must not reach the servers the tests start.
  const child = spawn(process.execPath, [MAIN], {
    env: { ...inherited, ENV_FILE: '/dev/null', PORT: String(port), ...env },
  });
  let output = '';
  let listening = false;
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const ready = new Promise<void>((done, fail) => {
    const onData = (chunk: Buffer) => {
      if (listening && !keepOutput) return;
      output += chunk.toString();
      if (!listening && output.includes('API on http')) {
        listening = true;
        done();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => fail(new Error(`server exited with ${code}:\n${output}`)));
  });
  ready.catch(() => undefined);
  return {
    process: child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    ready,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** `count` API processes of one configuration (see startServerProcess), each ready to serve. */
export async function startServers(env: Record<string, string>, count = 2): Promise<ServerProcess[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => startServerProcess(env)));
  await Promise.all(servers.map((s) => s.ready));
  return servers;
}
