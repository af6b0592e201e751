import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mutex, PRIORITY_BURST, WorkerPool } from './worker-pool.js';

describe('WorkerPool priority queue', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = new WorkerPool('memory://');
    await pool.ready;
    await pool.exec('create table log (n serial primary key, who text not null)');
  });
  afterAll(() => pool.end());

  it('runs a queued priority query before the queued normal ones', async () => {
    const order: string[] = [];
    const client = await pool.connect(); // holds the connection while the queue builds up
    const normal = [1, 2, 3].map((i) =>
      pool.query('select pg_sleep(0.01), $1::text as who', [`n${i}`]).then(() => order.push(`n${i}`)),
    );
    const prio = pool.query('select 1', [], { priority: true }).then(() => order.push('p'));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]); // nothing runs while the client holds the connection
    client.release();
    await Promise.all([...normal, prio]);
    expect(order).toEqual(['p', 'n1', 'n2', 'n3']);
  });

  it('keeps a transaction exclusive: a priority query waits until the client is released', async () => {
    const client = await pool.connect();
    await client.query('begin');
    await client.query("insert into log (who) values ('tx1')");
    let prioDone = false;
    const prio = pool.query('select count(*)::int as n from log', [], { priority: true }).then((r) => {
      prioDone = true;
      return (r.rows[0] as { n: number }).n;
    });
    const normal = pool.query("insert into log (who) values ('outside')");
    await new Promise((r) => setTimeout(r, 30));
    expect(prioDone).toBe(false);
    await client.query("insert into log (who) values ('tx2')");
    await client.query('commit');
    client.release();
    expect(await prio).toBe(2); // saw the committed transaction, never its middle
    await normal;
    const { rows } = await pool.query('select who from log order by n');
    expect((rows as { who: string }[]).map((r) => r.who)).toEqual(['tx1', 'tx2', 'outside']);
  });

  it('a priority query does not interrupt a running one', async () => {
    const order: string[] = [];
    const slow = pool.query('select pg_sleep(0.05)').then(() => order.push('slow'));
    await new Promise((r) => setTimeout(r, 5));
    const prio = pool.query('select 1', [], { priority: true }).then(() => order.push('p'));
    await Promise.all([slow, prio]);
    expect(order).toEqual(['slow', 'p']);
  });
});

describe('Mutex', () => {
  it(`serves at most ${PRIORITY_BURST} priority waiters in a row while normal ones wait`, async () => {
    const m = new Mutex();
    const order: string[] = [];
    const hold = await m.acquire();
    const take = (name: string, priority: boolean) =>
      m.acquire(priority).then((release) => {
        order.push(name);
        release();
      });
    const all = [
      ...[1, 2].map((i) => take(`n${i}`, false)),
      ...Array.from({ length: PRIORITY_BURST * 2 + 1 }, (_, i) => take(`p${i + 1}`, true)),
    ];
    hold();
    await Promise.all(all);
    const burst = Array.from({ length: PRIORITY_BURST }, (_, i) => `p${i + 1}`);
    const burst2 = Array.from({ length: PRIORITY_BURST }, (_, i) => `p${PRIORITY_BURST + i + 1}`);
    expect(order).toEqual([...burst, 'n1', ...burst2, 'n2', `p${PRIORITY_BURST * 2 + 1}`]);
  });

  it('hands over in FIFO order within a class and unlocks when nobody waits', async () => {
    const m = new Mutex();
    const order: number[] = [];
    const hold = await m.acquire();
    const all = [1, 2, 3].map((i) =>
      m.acquire().then((release) => {
        order.push(i);
        release();
      }),
    );
    hold();
    await Promise.all(all);
    expect(order).toEqual([1, 2, 3]);
    const again = await m.acquire(true); // not locked any more: granted at once
    again();
  });
});
