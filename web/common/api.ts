/**
 * The one request client shared by the admin and mobile apps.
 * Talks JSON to /api/v1 with the session cookie, adds the CSRF header on writes and turns the
 * server's error envelope into a thrown ApiError.
 */

import type { ApiBody, ApiQuery, ApiResponse, Method, OperationPath } from './api-types';

export const API_BASE = '/api/v1';
const CSRF_COOKIE = 'wm_csrf';
const CSRF_HEADER = 'X-CSRF-Token';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ApiErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly code: string;
  readonly details: ApiErrorDetail[];
  readonly status: number;

  constructor(status: number, code: string, message: string, details: ApiErrorDetail[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Field errors keyed by path, for showing beside form fields. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) {
      if (d.path && !(d.path in out)) out[d.path] = d.message;
    }
    return out;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ItemList<T> {
  items: T[];
}

export interface PageQuery {
  page?: number;
  pageSize?: number;
}

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Don't call the unauthorized handler on 401 (e.g. for the login call itself). */
  skipAuthHandler?: boolean;
  signal?: AbortSignal;
  /** The write's idempotency key (one is made for every write; give one to tie several calls to one intent). */
  idempotencyKey?: string;
}

/**
 * A write whose answer was lost to the network is sent again, up to RETRIES times after waits of RETRY_WAIT_MS × 1,
 * 2, 4, with the same `Idempotency-Key`: the server answers a repeat with the first answer, so nothing is made twice
 * (server/platform/idempotency.ts). A repeat that finds the first still running (409 with Retry-After) waits too.
 */
const RETRIES = 3;
const RETRY_WAIT_MS = 800;
const newKey = (): string =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type UnauthorizedHandler = (error: ApiError) => void;
let unauthorizedHandler: UnauthorizedHandler | null = null;

/** Registers what happens when the server answers 401 (usually: go to the login page). */
export function onUnauthorized(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler;
}

type PasswordChangeHandler = () => void;
let passwordChangeHandler: PasswordChangeHandler | null = null;

/**
 * Registers what happens when the server answers 403 PASSWORD_CHANGE_REQUIRED: the account's password was set by
 * staff and must be changed before anything else (usually: go to the change-password page).
 */
export function onPasswordChangeRequired(handler: PasswordChangeHandler | null): void {
  passwordChangeHandler = handler;
}
export const PASSWORD_CHANGE_REQUIRED = 'PASSWORD_CHANGE_REQUIRED';

export function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  for (const part of document.cookie.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

export function buildQuery(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function apiUrl(path: string, query?: Query): string {
  return `${API_BASE}${path}${buildQuery(query)}`;
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: '请求有误，请检查填写的内容',
  401: '登录已失效，请重新登录',
  403: '没有权限执行此操作',
  404: '请求的内容不存在或无权查看',
  409: '操作与当前状态冲突，请刷新后重试',
  413: '上传的内容过大',
  429: '操作过于频繁，请稍后再试',
};

async function toApiError(res: Response): Promise<ApiError> {
  let payload: unknown;
  try {
    payload = await res.json();
  } catch {
    payload = null;
  }
  const env = (payload as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const code = typeof env?.code === 'string' ? env.code : `HTTP_${res.status}`;
  const message =
    typeof env?.message === 'string' && env.message
      ? env.message
      : (FALLBACK_MESSAGES[res.status] ?? `服务暂时不可用（${res.status}），请稍后重试`);
  const details = Array.isArray(env?.details)
    ? (env.details as unknown[])
        .filter((d): d is ApiErrorDetail => typeof d === 'object' && d !== null && 'message' in d)
        .map((d) => ({ path: String(d.path ?? ''), message: String(d.message) }))
    : [];
  return new ApiError(res.status, code, message, details);
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const upper = method.toUpperCase();
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) {
    body = opts.body;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const write = WRITE_METHODS.has(upper);
  if (write) {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers[CSRF_HEADER] = csrf;
    headers['Idempotency-Key'] = opts.idempotencyKey ?? newKey();
  }

  let res: Response | undefined;
  for (let attempt = 0; ; attempt++) {
    const last = !write || attempt >= RETRIES;
    try {
      res = await fetch(apiUrl(path, opts.query), {
        method: upper,
        headers,
        body,
        credentials: 'same-origin',
        signal: opts.signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      if (last) throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试');
      await wait(RETRY_WAIT_MS * 2 ** attempt);
      continue;
    }
    // the first copy of this write is still running on the server: ask again for its answer
    if (res.status === 409 && res.headers.has('retry-after') && !last) {
      await wait(RETRY_WAIT_MS * 2 ** attempt);
      continue;
    }
    break;
  }

  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && !opts.skipAuthHandler && unauthorizedHandler) unauthorizedHandler(err);
    if (err.code === PASSWORD_CHANGE_REQUIRED && passwordChangeHandler) passwordChangeHandler();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined as T;
  return (await res.json()) as T;
}

/**
 * Where the server declares an operation's answer (its route has a response schema), a call's types come from the
 * generated OpenAPI types (api-types.ts): `api.get(`/sites/${id}`)` answers the site detail, its query and body are
 * checked. Elsewhere the call answers `R` (the type argument, `unknown` without one) and takes any query or body.
 */
type Answer<R, P extends string, M extends Method> = [OperationPath<P, M>] extends [never]
  ? R
  : ApiResponse<OperationPath<P, M>, M>;
type QueryFor<P extends string, M extends Method> = [OperationPath<P, M>] extends [never]
  ? Query
  : ApiQuery<OperationPath<P, M>, M>;
type BodyFor<P extends string, M extends Method> = [OperationPath<P, M>] extends [never]
  ? unknown
  : ApiBody<OperationPath<P, M>, M>;

export const api = {
  get: <R = unknown, P extends string = string>(
    path: P,
    query?: QueryFor<P, 'get'>,
    opts?: Omit<RequestOptions, 'query'>,
  ) => request<Answer<R, P, 'get'>>('GET', path, { ...opts, query: query as Query | undefined }),
  post: <R = unknown, P extends string = string>(path: P, body?: BodyFor<P, 'post'>, opts?: RequestOptions) =>
    request<Answer<R, P, 'post'>>('POST', path, { ...opts, body }),
  put: <R = unknown, P extends string = string>(path: P, body?: BodyFor<P, 'put'>, opts?: RequestOptions) =>
    request<Answer<R, P, 'put'>>('PUT', path, { ...opts, body }),
  patch: <R = unknown, P extends string = string>(path: P, body?: BodyFor<P, 'patch'>, opts?: RequestOptions) =>
    request<Answer<R, P, 'patch'>>('PATCH', path, { ...opts, body }),
  delete: <R = void, P extends string = string>(path: P, opts?: RequestOptions) =>
    request<Answer<R, P, 'delete'>>('DELETE', path, opts),
  /** A paged list: `?page=&pageSize=` plus filters → `{ items, total, page, pageSize }`. */
  page: <R = unknown, P extends string = string>(path: P, query: QueryFor<P, 'get'> & PageQuery = {} as never) =>
    request<Answer<Paged<R>, P, 'get'>>('GET', path, {
      query: { page: 1, pageSize: 20, ...(query as Query) },
    }),
  /** Uploads one file as multipart field `file`. */
  upload: <R = unknown, P extends string = string>(path: P, file: Blob, fileName?: string) => {
    const form = new FormData();
    if (fileName) form.append('file', file, fileName);
    else form.append('file', file);
    return request<Answer<R, P, 'post'>>('POST', path, { body: form });
  },
};

/** The file name a response offers in Content-Disposition (filename* first), or null. */
export function dispositionFileName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? plain[1].trim() : null;
}

/**
 * Downloads a file the API serves (an export, a template, an error report) with the session cookie and saves it
 * under the name the server gives, or `fallbackName`. A failure is thrown as ApiError with the server's message.
 */
export async function downloadFile(url: string, fallbackName: string, query?: Query): Promise<void> {
  const full = url.startsWith(API_BASE) || url.startsWith('http') ? `${url}${buildQuery(query)}` : apiUrl(url, query);
  let res: Response;
  try {
    res = await fetch(full, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试');
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = dispositionFileName(res.headers.get('content-disposition')) ?? fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** Fetches every page of a paged list (for small lists such as options in a select). */
export async function fetchAll<T>(path: string, query: Query = {}, pageSize = 200): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const res = await api.page<T>(path, { ...query, page, pageSize });
    out.push(...res.items);
    if (res.items.length === 0 || out.length >= res.total) return out;
  }
}

export function emptyPage<T>(pageSize = 20): Paged<T> {
  return { items: [], total: 0, page: 1, pageSize };
}
