import test from 'ava';
import { startTestCentral } from '../helpers/central';
import { type PostgresCluster, postgresBinDir, startPostgres } from '../helpers/postgres';
import { centralSuite } from './central-suite';
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

centralSuite(requires(test, noPostgres), async (yaml) => {
  if (!cluster || 'skip' in cluster) throw new Error(cluster && 'skip' in cluster ? cluster.skip : 'postgres not started');
  return startTestCentral(yaml, await cluster.createDatabase());
});
