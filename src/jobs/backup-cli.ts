// `npm run backup -- FILE`: a consistent copy of the live SQLite database while the bot runs
// (SQLite's online backup copies pages under its own locks; writers carry on), checked before it
// is called done. A PostgreSQL database is backed up with pg_dump: this says so and does nothing.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { backupDatabase, isPostgresUrl } from '../../db/client';
import { configOrExit } from '../config';
import { databaseLocation } from '../logger';

const [file, ...rest] = process.argv.slice(2);
if (!file || rest.length) {
  process.stderr.write('usage: npm run backup -- FILE   (e.g. npm run backup -- backups/bot-2026-12-01.db)\n');
  process.exit(2);
}
const config = configOrExit();
if (isPostgresUrl(config.database)) {
  // the URL as the log shows it, without its password: a terminal's scrollback is no place for one
  process.stderr.write(
    'npm run backup copies an SQLite database; DATABASE_URL selects PostgreSQL, so nothing was done.\n' +
      "Back a PostgreSQL database up with PostgreSQL's own pg_dump (docs/postgresql.md, Backups), e.g.\n" +
      `  pg_dump --format=custom --file=${file} "${databaseLocation(config.database)}"\n` +
      '(pg_dump asks for the password, or takes it from PGPASSWORD or ~/.pgpass)\n',
  );
  process.exit(1);
}
if (existsSync(file)) {
  process.stderr.write(`${file} already exists; choose a new file name\n`);
  process.exit(2);
}
if (!existsSync(config.databasePath)) {
  process.stderr.write(`no database at ${config.databasePath}\n`);
  process.exit(1);
}

// the folder the copy goes into is made as needed (`backups/` does not exist in a fresh clone)
const folder = dirname(file);
const made = !existsSync(folder);
const started = Date.now();
let result: Awaited<ReturnType<typeof backupDatabase>>;
try {
  if (made) mkdirSync(folder, { recursive: true });
  result = await backupDatabase(config.databasePath, file);
} catch (error) {
  process.stderr.write(`backup failed: ${(error as Error).message}\n`);
  process.exit(1);
}
const { integrity, documents } = result;
if (integrity !== 'ok') {
  process.stderr.write(`the copy failed its integrity check: ${integrity}\n`);
  process.exit(1);
}
if (made) process.stdout.write(`created the folder ${folder}/\n`);
process.stdout.write(`backed up ${config.databasePath} to ${file} in ${Date.now() - started} ms (integrity ok, ${documents} documents)\n`);
