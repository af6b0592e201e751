import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../platform/context.js';

/** Issue #6: routes of this module are being built (see docs/POINTS_API.md). */
export const wishRoutes = (_deps: Deps): FastifyPluginAsyncZod => async () => {};
