import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import crypto from 'node:crypto';

/**
 * Signed checkpoints of the audit chains, kept outside the database: one JSON line per checkpoint, appended to a file
 * (AUDIT_CHECKPOINT_PATH, default DATA_DIR/audit-checkpoints.jsonl), each line HMAC-signed with a key of its own
 * derived from the data master key. Someone who can rewrite the database but not this file (or the key) cannot cut
 * the newest events off a chain unnoticed: verification finds the chain shorter than, or different from, the latest
 * checkpoint.
 */
export type CheckpointLane = { chain: string; seq: number; hash: string };
export type Checkpoint = { v: 1; at: string; by: string; lanes: CheckpointLane[] };
export type Sign = (text: string) => string;

/** The signed text: fixed key order, so a line read back signs the same. */
const payload = (c: Checkpoint) =>
  JSON.stringify({
    v: c.v,
    at: c.at,
    by: c.by,
    lanes: c.lanes.map((l) => ({ chain: l.chain, seq: l.seq, hash: l.hash })),
  });

export function checkpointLine(c: Checkpoint, sign: Sign): string {
  const text = payload(c);
  return `${text.slice(0, -1)},"sig":"${sign(text)}"}`;
}

/** Appends one checkpoint of `lanes` and waits until it is on disk (fsync). */
export async function appendCheckpoint(file: string, lanes: CheckpointLane[], at: Date, sign: Sign) {
  const line = checkpointLine({ v: 1, at: at.toISOString(), by: `${os.hostname()}:${process.pid}`, lanes }, sign);
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const fh = await fs.promises.open(file, 'a', 0o600);
  try {
    // one write of one line: appends of several processes do not interleave on a local disk
    await fh.write(`${line}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export type CheckpointRead = {
  path: string;
  exists: boolean;
  lines: number;
  valid: { line: number; checkpoint: Checkpoint }[];
  invalid: { line: number; reason: string }[];
};

const lane = (x: unknown): x is CheckpointLane => {
  const l = x as CheckpointLane;
  return (
    !!l &&
    typeof l.chain === 'string' &&
    Number.isSafeInteger(l.seq) &&
    l.seq >= 0 &&
    typeof l.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(l.hash)
  );
};

function parse(text: string, sign: Sign): Checkpoint | string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return '不是完整的 JSON（被截断或改动）';
  }
  if (
    !o ||
    o.v !== 1 ||
    typeof o.at !== 'string' ||
    Number.isNaN(Date.parse(o.at)) ||
    typeof o.by !== 'string' ||
    !Array.isArray(o.lanes) ||
    !o.lanes.every(lane) ||
    typeof o.sig !== 'string'
  )
    return '格式不正确';
  const c: Checkpoint = { v: 1, at: o.at, by: o.by, lanes: o.lanes as CheckpointLane[] };
  const expected = Buffer.from(sign(payload(c)), 'hex');
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(o.sig) ? o.sig : '', 'hex');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return '签名无效（已被篡改）';
  return c;
}

/** Reads a checkpoint file line by line; lines that do not parse or whose signature fails are listed, not used. */
export async function readCheckpoints(file: string, sign: Sign): Promise<CheckpointRead> {
  const out: CheckpointRead = { path: file, exists: fs.existsSync(file), lines: 0, valid: [], invalid: [] };
  if (!out.exists) return out;
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const text of rl) {
    out.lines++;
    if (!text.trim()) continue;
    const c = parse(text, sign);
    if (typeof c === 'string') out.invalid.push({ line: out.lines, reason: c });
    else out.valid.push({ line: out.lines, checkpoint: c });
  }
  return out;
}

/**
 * For each chain, the furthest point any valid checkpoint recorded (a chain only grows), with that checkpoint's time.
 */
export function latestCheckpoints(reads: CheckpointRead[]): Map<string, CheckpointLane & { at: string }> {
  const latest = new Map<string, CheckpointLane & { at: string }>();
  for (const r of reads)
    for (const { checkpoint } of r.valid)
      for (const l of checkpoint.lanes) {
        const cur = latest.get(l.chain);
        if (!cur || l.seq > cur.seq) latest.set(l.chain, { ...l, at: checkpoint.at });
      }
  return latest;
}
