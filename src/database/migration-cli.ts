import '../supported-node';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadDatabaseUrl, readEnvFile } from '../config/env';

/**
 * `npm run migration:run`, `migration:revert` and `migration:generate -- migrations/<name>`: the
 * TypeORM CLI on the built data source, once what it needs is there; what is missing is said in
 * one line (the CLI itself would print a stack, or its usage).
 */
const [command, ...args] = process.argv.slice(2);

function problem(): string | null {
  try {
    readEnvFile();
    if (!loadDatabaseUrl()) {
      return 'Set DATABASE_URL (postgres://user:password@host:5432/database) to run migrations; npm start migrates its embedded database by itself';
    }
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  if (command === 'generate' && !args.some((arg) => !arg.startsWith('-'))) {
    return 'Name the migration: npm run migration:generate -- migrations/<name>';
  }
  return null;
}

const refused = problem();
if (refused) {
  console.error(refused);
  process.exitCode = 1;
} else {
  const cli = spawnSync(
    process.execPath,
    [require.resolve('typeorm/cli.js'), `migration:${command}`, '-d', join(__dirname, 'data-source.js'), ...args],
    { stdio: 'inherit' },
  );
  process.exitCode = cli.status ?? 1;
}
