import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { environmentVariableNames } from '../../src/config/env';
import { unsupportedNode } from '../../src/supported-node';

/** `docker compose` or the older `docker-compose`, whichever is installed; CI installs the latter. */
const composeCommand = [['docker', 'compose'], ['docker-compose']].find(
  ([command, ...args]) => spawnSync(command, [...args, 'version']).status === 0,
);

function composeConfig(env: Record<string, string>) {
  if (!composeCommand) throw new Error('No compose CLI: apt-get install docker-compose');
  const [command, ...args] = composeCommand;
  const { JWT_SECRET: _secret, POSTGRES_PASSWORD: _password, ...inherited } = process.env;
  return spawnSync(command, [...args, '-f', 'docker-compose.yml', 'config', '-q'], {
    encoding: 'utf8',
    env: { ...inherited, ...env },
  });
}

/** docker-compose.yml and the Dockerfile, checked statically: no Docker engine runs here. */
describe('Deployment files', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'));
  const stages = readFileSync('Dockerfile', 'utf8')
    .split(/^FROM /m)
    .slice(1);

  it.each(['api', 'migrate'])('gives the %s service only variables the configuration reads', (service) => {
    const names = Object.keys(compose.services[service].environment);
    expect(names.filter((name) => !environmentVariableNames().includes(name))).toEqual([]);
  });

  it('runs the API in production mode on PostgreSQL, with rate limits shared through Redis', () => {
    expect(compose.services.api.environment).toMatchObject({
      NODE_ENV: 'production',
      DATABASE_URL: expect.stringContaining('@postgres:5432/'),
      REDIS_URL: 'redis://redis:6379',
    });
  });

  it('starts the API only after the migrations have run', () => {
    expect(compose.services.api.depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
  });

  it('builds the API image once, for the API and its migrations', () => {
    const built = Object.entries(compose.services as Record<string, { build?: unknown; image: string }>);
    expect(built.filter(([, service]) => service.build).map(([name]) => name)).toEqual(['api']);
    expect(compose.services.migrate.image).toBe(compose.services.api.image);
  });

  it('pins every base image to a release', () => {
    const images = [
      ...Object.values(compose.services as Record<string, { image: string; build?: unknown }>)
        .filter((service) => !service.build && service.image !== compose.services.api.image)
        .map((service) => service.image),
      readFileSync('Dockerfile', 'utf8').match(/^ARG NODE_VERSION=(.+)$/m)![1],
    ];
    expect(images.filter((image) => !/\d+\.\d+(\.\d+)?$/.test(image))).toEqual([]);
  });

  it.each(['postgres', 'redis', 'api'])('restarts the long-running %s service', (service) => {
    expect(compose.services[service].restart).toBe('unless-stopped');
  });

  it('keeps .env files, which hold secrets, out of the build context, but not .env.example', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*', '!.env.example']));
  });

  it('builds the image on a Node.js the API supports', () => {
    const version = readFileSync('Dockerfile', 'utf8').match(/^ARG NODE_VERSION=(.+)$/m)![1];
    expect(unsupportedNode(version)).toBeNull();
  });

  it('puts neither the bench nor the test support in the image', () => {
    const copied = stages.at(-1)!.match(/COPY --from=build .*$/gm)!;
    expect(copied.join('\n')).not.toMatch(/dist\/(bench|test)|\/app\/dist \.\/dist$/m);
  });

  it('builds the image in stages and runs the API as an unprivileged user', () => {
    const runtime = stages.at(-1)!;
    expect(stages.length).toBeGreaterThan(1);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/RUN npm ci(?! --omit=dev)/);
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/main.js"\]$/m);
  });

  describe('with a compose CLI (skipped where none is installed, except in CI)', () => {
    const withCompose = composeCommand || process.env.CI ? it : it.skip;

    withCompose('is a valid compose file', () => {
      const config = composeConfig({ JWT_SECRET: 'x'.repeat(48), POSTGRES_PASSWORD: 'y'.repeat(24) });
      expect({ status: config.status, stderr: config.stderr }).toEqual({ status: 0, stderr: '' });
    });

    withCompose('refuses to start without JWT_SECRET', () => {
      expect(composeConfig({ POSTGRES_PASSWORD: 'y'.repeat(24) }).stderr).toMatch(/JWT_SECRET/);
    });

    withCompose('refuses to start without POSTGRES_PASSWORD: the database has no default password', () => {
      expect(composeConfig({ JWT_SECRET: 'x'.repeat(48) }).stderr).toMatch(/POSTGRES_PASSWORD/);
    });
  });
});
