import { z } from 'zod';

/** What the settings routes answer (named components of the OpenAPI document; the web's types come from them). */

export const SettingValue = z
  .union([
    z.number(),
    z.boolean(),
    z.string(),
    z.array(z.number()),
    z.array(z.string()),
    z.array(z.record(z.string(), z.union([z.number(), z.string(), z.null()]))),
    z.null(),
  ])
  .meta({ id: 'SettingValue', description: '设置值：数字、开关、文字或其列表（考核指标为对象列表）' });

export type SettingValue = z.infer<typeof SettingValue>;

export const SettingValues = z
  .record(z.string(), SettingValue)
  .meta({ id: 'SettingValues', description: '本县设置：设置项键 → 值（未设置的项为默认值）' });

export const SettingDefinition = z
  .object({
    key: z.string(),
    label: z.string(),
    group: z.string(),
    description: z.string(),
    unit: z.string().optional(),
    type: z.enum(['integer', 'number', 'boolean', 'string', 'enum', 'integerList', 'stringList', 'objectList']),
    options: z
      .array(z.object({ value: z.string(), label: z.string() }))
      .optional()
      .meta({ description: 'enum 类型的可选值及其中文名称' }),
    min: z.number().optional(),
    max: z.number().optional(),
    default: SettingValue,
  })
  .meta({ id: 'SettingDefinition', description: '设置项说明：名称、分组、类型、范围与默认值' });
