import test from 'ava';
import { startTestApi } from '../helpers/api';
import { fixture, runCli } from '../helpers/run-cli';

test('replay --push sends the alerts through the API like an agent; profiles ban the source', async (t) => {
  const api = await startTestApi();
  try {
    await api.machine('replayer', 'replayer-password');
    const bad = await runCli('replay', '-t', 'syslog', '--push', api.url, fixture('sshd-bruteforce.log'));
    t.is(bad.code, 2);
    t.regex(bad.stderr, /--machine and --password/);
    const run = await runCli('replay', '-t', 'syslog', '-o', 'json', '--push', api.url, '--machine', 'replayer', '--password', 'replayer-password', fixture('sshd-bruteforce.log'));
    t.is(run.code, 0, run.stderr);
    t.regex(run.stderr, /pushed 1 alert\(s\)/);
    const listed = JSON.parse((await runCli('alerts', 'list', '-o', 'json', ...api.flags)).stdout);
    t.is(listed.length, 1);
    t.like(listed[0], { scenario: 'crowdwatch/ssh-bf', machine_id: 'replayer', source: { value: '203.0.113.7' } });
    t.deepEqual(listed[0].decisions.map((d: { type: string; value: string }) => [d.type, d.value]), [['ban', '203.0.113.7']]);
    const wrong = await runCli('replay', '-t', 'syslog', '--push', api.url, '--machine', 'replayer', '--password', 'nope', fixture('sshd-bruteforce.log'));
    t.is(wrong.code, 1);
    t.regex(wrong.stderr, /login .* failed: 401/);
  } finally {
    await api.close();
  }
});
