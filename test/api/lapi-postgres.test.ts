import test from 'ava';
import { startTestApi } from '../helpers/api';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';
import { lapiSuite } from './lapi-suite';

let cluster: PostgresCluster | { skip: string } | undefined;

test.before(async () => {
  cluster = await startPostgres();
});

test.after.always(async () => {
  if (cluster && !('skip' in cluster)) await cluster.stop();
});

lapiSuite(test, async (configYaml) => {
  if (!cluster || 'skip' in cluster) throw new Error(cluster && 'skip' in cluster ? cluster.skip : 'postgres not started');
  return startTestApi({ configYaml, postgresUrl: await cluster.createDatabase() });
});
