// `npm run db:migrate`: applies the pending migrations to the configured database (DATABASE_URL's
// PostgreSQL, else the SQLite file at DATABASE_PATH) without starting the bot, as a deployment
// step before the new version's instances start, and says which it applied.
import { migrateDatabase } from '../../db/migrate';
import { configOrExit } from '../config';
import { databaseLocation } from '../logger';

const config = configOrExit();
const where = databaseLocation(config.database);

try {
  const { applied, latest } = await migrateDatabase(config.database);
  process.stdout.write(
    applied.length
      ? `applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}\n`
      : `${where} is up to date (latest migration ${latest}); nothing to apply\n`,
  );
} catch (error) {
  process.stderr.write(`migrating ${where} failed: ${(error as Error).message}\n`);
  process.exit(1);
}
