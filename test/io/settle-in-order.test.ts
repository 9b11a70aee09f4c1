import { describe, expect, it } from 'vitest';
import { settleInOrder } from '../../src/io/settle-in-order.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('settleInOrder', () => {
  it('returns results in item order with at most `limit` tasks in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await settleInOrder([30, 5, 20, 1, 12, 3, 8], 3, async (ms, i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(ms);
      inFlight--;
      return `${i}:${ms}`;
    });
    expect(out).toEqual(['0:30', '1:5', '2:20', '3:1', '4:12', '5:3', '6:8']);
    expect(most).toBe(3);
  });

  it('throws the first failure in item order (not in time), after every task, and discards the successes', async () => {
    const discarded: number[] = [];
    let finished = 0;
    const run = settleInOrder([1, 2, 3, 4], 4, async (n) => {
      // Item 3 fails first in time, item 1 later: item 1's error is the one reported.
      await sleep(n === 1 ? 25 : n === 3 ? 1 : 10);
      finished++;
      if (n === 1 || n === 3) throw new Error(`bad ${n}`);
      return n;
    }, (n) => { discarded.push(n); });
    await expect(run).rejects.toThrow('bad 1');
    expect(finished).toBe(4);
    expect(discarded.sort()).toEqual([2, 4]);
  });

  it('handles no items', async () => {
    expect(await settleInOrder([], 8, async () => 1)).toEqual([]);
  });
});
