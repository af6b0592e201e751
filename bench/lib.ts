/** Helpers shared by the bench scenarios (bench/run.ts, bench/volunteers.ts, bench/orders.ts). */
import fs from 'node:fs';
import os from 'node:os';

export const PASSWORD = 'Demo@2026';
export const log = (s: string) => console.log(s);
export const mb = (kb: number) => Math.round(kb / 1024);
export const round1 = (n: number) => Math.round(n * 10) / 10;

export function procStatus(pid: number): { rssKb: number; hwmKb: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

export async function login(baseUrl: string, phone: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${phone}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token?: string };
  if (!body.token) throw new Error(`login ${phone}: no token in the answer`);
  return body.token;
}

/** GET/POST as a bearer token; throws on a non-2xx answer with its body. */
export async function api<T>(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export type Latency = { n: number; p50: number; p90: number; p99: number; max: number; mean: number };
export function latency(samples: number[]): Latency {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  return {
    n: s.length,
    p50: round1(percentile(s, 50)),
    p90: round1(percentile(s, 90)),
    p99: round1(percentile(s, 99)),
    max: round1(s[s.length - 1] ?? 0),
    mean: round1(mean),
  };
}

/** Samples VmRSS of a process every `everyMs` until stop(); returns the samples in kB. */
export function sampleRss(pid: number, everyMs = 100): { stop: () => number[] } {
  const samples: number[] = [procStatus(pid).rssKb];
  const timer = setInterval(() => {
    try {
      samples.push(procStatus(pid).rssKb);
    } catch {
      // the process is gone
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      try {
        samples.push(procStatus(pid).rssKb);
      } catch {
        // gone
      }
      return samples;
    },
  };
}

/** Deterministic PRNG (mulberry32), so every run imports the same people. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const loadAverage = () => (os.loadavg() as number[]).map((x) => Math.round(x * 100) / 100);
