/** The error envelope of API.md: every failure the API reports is an AppError with a code and a Chinese message. */
export const errorCodes = [
  'VALIDATION_FAILED',
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'FORBIDDEN',
  'PASSWORD_CHANGE_REQUIRED',
  'NOT_FOUND',
  'INVALID_TRANSITION',
  'DUPLICATE',
  'INSUFFICIENT_POINTS',
  'OUT_OF_STOCK',
  'PAYLOAD_TOO_LARGE',
  'AUTH_LOCKED',
  'RATE_LIMITED',
  'UNSUPPORTED_MEDIA_TYPE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export type ErrorDetail = { path: string; message: string };

const statusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  FORBIDDEN: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  DUPLICATE: 409,
  INSUFFICIENT_POINTS: 409,
  OUT_OF_STOCK: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  AUTH_LOCKED: 429,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.status = statusOf[code];
  }
}

export const notFound = (what = '记录') => new AppError('NOT_FOUND', `${what}不存在或不在您的数据权限范围内`);
export const forbidden = (message = '您没有执行此操作的权限') => new AppError('FORBIDDEN', message);
export const invalid = (path: string, message: string) =>
  new AppError('VALIDATION_FAILED', `${message}`, [{ path, message }]);
export const duplicate = (message: string, path?: string) =>
  new AppError('DUPLICATE', message, path ? [{ path, message }] : []);
