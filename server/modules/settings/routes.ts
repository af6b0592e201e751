import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../platform/context.js';
import { sql } from 'drizzle-orm';
import { actor, auth, can } from '../../platform/http.js';
import { settings } from '../../db/schema/index.js';
import { settingDefinitions, settingKeys, type SettingDef } from './definitions.js';
import { getSettings, settingOptions, updateSettings } from './service.js';
import { countyOf } from '../accounts/service.js';
import { listOf } from '../../platform/responses.js';
import { SettingDefinition, SettingValues } from './schema.js';

export const settingRoutes =
  (deps: Deps): FastifyPluginAsyncZod =>
  async (app) => {
    // the county's seal image (certificates.sealFileId): readable with the county's settings
    app.fileHolders.define({
      kind: 'setting',
      holding: (fileId) =>
        sql`select ${settings.countyCode} as id from ${settings}
            where ${settings.key} = 'certificates.sealFileId' and ${settings.value} = to_jsonb(${fileId}::text)`,
      readable: async (req, countyCode) => can(req, 'setting:read') && countyOf(auth(req), deps) === countyCode,
    });

    app.get(
      '/settings',
      {
        config: { permission: 'setting:read' },
        schema: {
          tags: ['设置'],
          summary: '本县设置（键 → 值）',
          response: { 200: SettingValues },
        },
      },
      async (req) => getSettings(deps.database.db, countyOf(auth(req), deps)),
    );

    app.get(
      '/settings/definitions',
      {
        config: { permission: 'setting:read' },
        schema: {
          tags: ['设置'],
          summary: '设置项说明（名称、类型、范围、默认值）',
          response: { 200: listOf(SettingDefinition) },
        },
      },
      async (req) => {
        // enumerated settings offer the county's own choices (the default standard: its standards, by name; an
        // account of no county: the built-in ones)
        const a = auth(req);
        const county = a.countyCode ?? a.regionCode?.slice(0, 6) ?? null;
        return {
          items: await Promise.all(
            settingKeys.map(async (key) => {
              const def: SettingDef = settingDefinitions[key];
              const { schema: _s, options: _fixed, ...d } = def;
              const options = await settingOptions(deps.database.db, county, key);
              return { key, ...d, ...(options ? { options } : {}) };
            }),
          ),
        };
      },
    );

    app.put(
      '/settings',
      {
        config: { permission: 'setting:update' },
        schema: {
          tags: ['设置'],
          summary: '修改本县设置',
          body: z.record(z.string(), z.unknown()),
          response: { 200: SettingValues },
        },
      },
      async (req) => updateSettings(deps.database.db, countyOf(auth(req), deps), req.body, actor(req)),
    );
  };
