import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** This database's installation id (see InstallationEntity), made at the first start, read once per process. */
@Injectable()
export class Installation {
  private read?: Promise<string>;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  id(): Promise<string> {
    this.read ??= this.load();
    this.read.catch(() => (this.read = undefined));
    return this.read;
  }

  /** The one row wins whichever process inserts first; every process then reads it. */
  private async load(): Promise<string> {
    await this.db.query(
      'INSERT INTO installation (key, installation_id) VALUES (1, gen_random_uuid()) ON CONFLICT DO NOTHING',
    );
    const [{ id }]: { id: string }[] = await this.db.query('SELECT installation_id AS id FROM installation');
    return id;
  }
}
