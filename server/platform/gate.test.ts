import { describe, expect, it } from 'vitest';
import { KeyedGate } from './gate.js';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('KeyedGate', () => {
  it('runs the work of one key one at a time, in arrival order', async () => {
    const gate = new KeyedGate();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const jobs = Array.from({ length: 20 }, (_, i) =>
      gate.run('a', async () => {
        running++;
        most = Math.max(most, running);
        log.push(`start ${i}`);
        await tick(i % 3);
        log.push(`end ${i}`);
        running--;
        return i;
      }),
    );
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(1);
    expect(log).toEqual(Array.from({ length: 20 }, (_, i) => [`start ${i}`, `end ${i}`]).flat());
    expect(gate.size).toBe(0);
  });

  it('lets different keys run at the same time', async () => {
    const gate = new KeyedGate();
    let release!: () => void;
    const blocked = gate.run(
      'a',
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    const other = await gate.run('b', async () => 'b done');
    expect(other).toBe('b done');
    expect(gate.size).toBe(1);
    release();
    await blocked;
    expect(gate.size).toBe(0);
  });

  it('with a limit of 2, at most two runs of a key are in progress, started in arrival order', async () => {
    const gate = new KeyedGate(2);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const jobs = Array.from({ length: 12 }, (_, i) =>
      gate.run('a', async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        await tick(1 + (i % 3));
        running--;
        return i;
      }),
    );
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(most).toBe(2);
    expect(started).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(gate.size).toBe(0);
  });

  it('a failure reaches its caller and does not stop the queue', async () => {
    const gate = new KeyedGate();
    const first = gate.run('a', async () => {
      await tick(1);
      throw new Error('boom');
    });
    const second = gate.run('a', async () => 'next');
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('next');
    expect(gate.size).toBe(0);
  });
});
