// Fault: the central let anyone in. Registration was open and unthrottled, so three throwaway
// members could put any address on every member's blocklist, and members could not be removed.
// Now registration needs a one-time enrollment token by default (or the operator adds members),
// and members can be removed; ten self-made members get nowhere.
import test from 'ava';
import { capiSignal, startTestCentral } from '../helpers/central';
import { runCli, tempDir } from '../helpers/run-cli';

const register = (central: { request: (m: string, p: string, o?: { body?: unknown }) => Promise<{ status: number; text: string }> }, name: string, token?: string) =>
  central.request('POST', '/v2/watchers', { body: { machine_id: name, password: `${name}-password`, ...(token ? { registration_token: token } : {}) } });

test('by default ten self-made members cannot register, so they cannot push an address onto the blocklist', async (t) => {
  const central = await startTestCentral('registration: token\nconsensus:\n  min_members: 3\n  trust: [certified, custom]\n');
  try {
    for (let i = 0; i < 10; i++) {
      const r = await register(central, `sybil-${i}`);
      t.is(r.status, 403);
      t.regex(r.text, /needs an enrollment token/);
      const login = await central.request('POST', '/v2/watchers/login', { body: { machine_id: `sybil-${i}`, password: `sybil-${i}-password` } });
      t.is(login.status, 401);
    }
    // A forged token is no better.
    t.regex((await register(central, 'sybil-x', 'made-up-token')).text, /unknown, used up or expired/);
    const members = JSON.parse((await runCli('central', 'members', '--data-dir', central.dataDir, '-o', 'json')).stdout) as unknown[];
    t.is(members.length, 0);
  } finally {
    await central.close();
  }
});

test('an enrollment token admits its uses and no more; an operator adds and removes members', async (t) => {
  const central = await startTestCentral('registration: token\n');
  try {
    const made = await runCli('central', 'tokens', 'add', '--uses', '2', '--ttl', '1h', '--data-dir', central.dataDir, '-o', 'json');
    t.is(made.code, 0, made.stderr);
    const { token } = JSON.parse(made.stdout) as { token: string };
    t.is((await register(central, 'first', token)).status, 201);
    t.is((await register(central, 'first', token)).status, 403, 'an id taken');
    t.is((await register(central, 'second', token)).status, 201, 'the taken id did not use the token up');
    t.regex((await register(central, 'third', token)).text, /used up/);

    // Admitted by the operator: the credentials it prints log in.
    const added = await runCli('central', 'members', 'add', 'partner', '--url', central.url, '--data-dir', central.dataDir, '-o', 'json');
    t.is(added.code, 0, added.stderr);
    const creds = JSON.parse(added.stdout) as { login: string; password: string; url: string };
    t.is(creds.url, central.url);
    const login = () => central.request('POST', '/v2/watchers/login', { body: { machine_id: creds.login, password: creds.password } });
    t.is((await login()).status, 200);
    const token2 = ((await login()) as unknown as { json: { token: string } }).json.token;
    t.is((await central.push(token2, [capiSignal('198.51.100.1')])).status, 200);

    // Removed: no login, and its token no longer works.
    t.is((await runCli('central', 'members', 'remove', 'partner', '--data-dir', central.dataDir)).code, 0);
    t.is((await login()).status, 401);
    t.is((await central.push(token2, [capiSignal('198.51.100.2')])).status, 401);
    t.is((await runCli('central', 'members', 'remove', 'partner', '--data-dir', central.dataDir)).code, 2);
  } finally {
    await central.close();
  }
});

test("registration: closed admits only the operator's members; a crowdwatch member enrolls with a token", async (t) => {
  const closed = await startTestCentral('registration: closed\n');
  try {
    t.regex((await register(closed, 'anyone')).text, /registration is closed/);
  } finally {
    await closed.close();
  }
  const central = await startTestCentral('registration: token\n');
  try {
    const token = (await runCli('central', 'tokens', 'add', '--data-dir', central.dataDir)).stdout.trim();
    const dir = tempDir('enroll-token');
    const refused = await runCli('crowd', 'enroll', '--url', central.url, '--data-dir', dir);
    t.not(refused.code, 0);
    t.regex(refused.stderr, /registering at .* was refused: .*enrollment token/);
    const enrolled = await runCli('crowd', 'enroll', '--url', central.url, '--token', token, '--data-dir', dir, '-o', 'json');
    t.is(enrolled.code, 0, enrolled.stderr);
    t.is((await runCli('crowd', 'status', '--data-dir', dir)).code, 0);
  } finally {
    await central.close();
  }
});
