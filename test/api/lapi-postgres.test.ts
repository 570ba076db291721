import test from 'ava';
import { startTestApi } from '../helpers/api';
import { type PostgresCluster, postgresBinDir, startPostgres } from '../helpers/postgres';
import { hostileSuite } from './hostile-suite';
import { lapiSuite } from './lapi-suite';
import { requires } from '../helpers/requirement';

// scripts/test-servers.sh installs Debian's postgresql; without it these tests are skipped, not passed
// (and fail under CI).
const available = postgresBinDir() !== null;
const noPostgres = available ? null : "PostgreSQL's server binaries (scripts/test-servers.sh installs Debian's postgresql)";
let cluster: PostgresCluster | { skip: string } | undefined;

if (available) {
  test.before(async () => {
    cluster = await startPostgres();
  });
  test.after.always(async () => {
    if (cluster && !('skip' in cluster)) await cluster.stop();
  });
}

const start = async (configYaml?: string) => {
  if (!cluster || 'skip' in cluster) throw new Error(cluster && 'skip' in cluster ? cluster.skip : 'postgres not started');
  return startTestApi({ configYaml, postgresUrl: await cluster.createDatabase() });
};
lapiSuite(requires(test, noPostgres), start);
hostileSuite(requires(test, noPostgres), start);
