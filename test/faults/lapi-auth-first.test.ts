// Fault: the local API validated a push before authenticating it, so a forged token with an empty
// body learned 400 and the schema (CrowdSec answers 401). The token is now checked as the request
// arrives, before the body is read, parsed or validated.
import test from 'ava';
import { startTestApi } from '../helpers/api';

const forged = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJpZCI6Im1hbGxvcnkifQ.c2lnbmF0dXJl';

async function post(url: string, authorization: string, body: string, contentType = 'application/json') {
  const res = await fetch(`${url}/v1/alerts`, { method: 'POST', headers: { authorization, 'content-type': contentType }, body });
  return { status: res.status, text: await res.text() };
}

test('a forged token is refused with 401 whatever the body: empty, not JSON, off-schema, over the size limit', async (t) => {
  const api = await startTestApi();
  try {
    for (const body of ['', '{not json', '[{"scenario": 1}]', `[${'"x",'.repeat(2_000_000)}"x"]`]) {
      const res = await post(api.url, forged, body);
      t.is(res.status, 401, `body of ${body.length} bytes: ${res.text.slice(0, 200)}`);
      t.notRegex(res.text, /body|schema|must have/i, 'nothing about the schema leaks');
    }
    t.is((await post(api.url, '', '[]')).status, 401, 'no token at all');
    // With a real token the same bodies are the caller's mistakes again: 400 and 413.
    await api.machine('agent', 'a-password-of-some-length');
    const token = `Bearer ${await api.login('agent', 'a-password-of-some-length')}`;
    t.is((await post(api.url, token, '{not json')).status, 400);
    t.is((await post(api.url, token, '[{"scenario": 1}]')).status, 400);
    t.is((await post(api.url, token, `[${'"x",'.repeat(2_000_000)}"x"]`)).status, 413);
  } finally {
    await api.close();
  }
});
