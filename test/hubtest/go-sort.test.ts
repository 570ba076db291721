import test from 'ava';
import { goSort } from '../../src/hubtest/go-sort';

// goSort replays Go's sort.Sort; today's hub's authelia-bf case (28 overflows, ties included)
// checks its order of equal elements against cscli's. Here: it sorts, whatever the input.

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

test('it sorts every input (random, sorted, reversed, many equal keys) and keeps every element', (t) => {
  const next = random(7);
  const inputs: number[][] = [];
  for (const n of [0, 1, 2, 7, 12, 13, 28, 49, 50, 51, 200, 1000]) {
    inputs.push(Array.from({ length: n }, () => Math.floor(next() * 1000)));
    inputs.push(Array.from({ length: n }, (_, i) => i));
    inputs.push(Array.from({ length: n }, (_, i) => n - i));
    inputs.push(Array.from({ length: n }, () => Math.floor(next() * 3)));
  }
  for (const input of inputs) {
    const items = input.map((key, index) => ({ key, index }));
    goSort(items, (a, b) => a.key < b.key);
    t.deepEqual(items.map((x) => x.key), [...input].sort((a, b) => a - b));
    t.deepEqual(items.map((x) => x.index).sort((a, b) => a - b), input.map((_, i) => i));
  }
});

test('up to 12 elements it is an insertion sort: equal elements keep their order', (t) => {
  const items = [3, 1, 3, 2, 1, 3, 2].map((key, index) => ({ key, index }));
  goSort(items, (a, b) => a.key < b.key);
  t.deepEqual(items.map((x) => x.index), [1, 4, 3, 6, 0, 2, 5]);
});
