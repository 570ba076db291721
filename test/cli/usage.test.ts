import test from 'ava';
import { runCli } from '../helpers/run-cli';

// These need no native addon: commander rejects the arguments before any engine loads.

test('an unknown command is a usage error, status 2', async (t) => {
  const run = await runCli('frobnicate');
  t.is(run.code, 2);
  t.regex(run.stderr, /unknown command 'frobnicate'/);
  t.is(run.stdout, '');
});

test('replay without --type is a usage error, status 2', async (t) => {
  const run = await runCli('replay', 'auth.log');
  t.is(run.code, 2);
  t.regex(run.stderr, /--type/);
});

test('explain needs exactly one of --line and --file', async (t) => {
  t.is((await runCli('explain', '-t', 'syslog')).code, 2);
  const both = await runCli('explain', '-t', 'syslog', '--line', 'x', '--file', 'y');
  t.is(both.code, 2);
  t.regex(both.stderr, /exactly one of --line/);
});

test('an invalid -o choice is a usage error', async (t) => {
  const run = await runCli('lint', '-o', 'xml');
  t.is(run.code, 2);
  t.regex(run.stderr, /human, json/);
});

test('--help and --version succeed on stdout', async (t) => {
  const help = await runCli('--help');
  t.is(help.code, 0);
  t.regex(help.stdout, /replay.*\n(.*\n)*.*explain(.*\n)*.*lint/);
  const version = await runCli('--version');
  t.is(version.code, 0);
  t.regex(version.stdout, /^\d+\.\d+\.\d+/);
});

test('a config dir that does not exist is a configuration error, status 2', async (t) => {
  const run = await runCli('lint', '-c', '/nonexistent/crowdwatch-config');
  t.is(run.code, 2);
  t.regex(run.stderr, /config directory not found/);
});
