import { z } from 'zod';

/** What the regions routes answer (named components of the OpenAPI document; the web's types come from them). */
export const RegionLevel = z
  .enum(['county', 'town', 'village'])
  .meta({ id: 'RegionLevel', description: '县 / 乡镇（街道）/ 村（社区）' });

export const Region = z
  .object({
    code: z.string(),
    name: z.string(),
    level: RegionLevel,
    parentCode: z.string().nullable(),
    hasChildren: z.boolean(),
  })
  .meta({ id: 'Region', description: '行政区划（下级列表中的一项）' });

export const RegionRef = z.object({ code: z.string(), name: z.string(), level: RegionLevel }).meta({ id: 'RegionRef' });

export const RegionDetail = z
  .object({
    code: z.string(),
    countyCode: z.string(),
    name: z.string(),
    level: RegionLevel,
    parentCode: z.string().nullable(),
    path: z.string().meta({ description: '物化路径，如 /411523/411523100/' }),
    population: z.number().int().nullable().meta({ description: '常住人口（县级工作人员登记；未登记为 null）' }),
    ancestors: z.array(RegionRef).meta({ description: '上级区划，从县开始' }),
  })
  .meta({ id: 'RegionDetail', description: '区划详情及其上级' });
