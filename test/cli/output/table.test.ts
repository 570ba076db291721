import test from 'ava';
import { formatTable } from '../../../src/cli/output/table';

test('columns align by code points and right-aligned numbers line up', (t) => {
  const text = formatTable(
    [{ header: 'NAME' }, { header: 'N', align: 'right' }],
    [
      ['✓ sshd-logs', '5'],
      ['x', '1234'],
    ],
  );
  t.is(text, 'NAME            N\n✓ sshd-logs     5\nx            1234\n');
});
