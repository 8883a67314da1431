import '../supported-node';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseUrl, readEnvFile } from '../config/env';
import { typeOrmOptions } from './typeorm-options';

/** The data source the TypeORM CLI (`npm run migration:*`) works on. */
readEnvFile();
const url = loadDatabaseUrl();
if (!url) {
  throw new Error('Set DATABASE_URL for migration commands; `npm start` migrates its embedded database by itself.');
}

export default new DataSource(typeOrmOptions(url, { poolSize: 2 }));
