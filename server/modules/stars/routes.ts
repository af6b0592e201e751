import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../platform/context.js';

/** Issue #5: routes of this module are being built (see docs/ACTIVITIES_API.md). */
export const starRoutes = (_deps: Deps): FastifyPluginAsyncZod => async () => {};
