/**
 * The H5 uses the shared request client (web/common/api.ts: session cookie, `X-CSRF-Token` from
 * cookie `wm_csrf` on writes, ApiError with code/message/details). This file only adds the H5's
 * Chinese fallback for thrown values that are not ApiErrors.
 */
import { ApiError, api, onUnauthorized } from '../../common/api';
import messages from '../locales/zh-CN';

export { ApiError, api, onUnauthorized };

/** The message to show for any thrown value, in Chinese. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return messages.app.networkError;
}
