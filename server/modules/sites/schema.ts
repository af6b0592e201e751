import { z } from 'zod';
import { dateTime, FileRef, isoDateTime } from '../../platform/responses.js';
import { siteKinds } from './service.js';

/** What the sites routes answer (named components of the OpenAPI document; the web's types come from them). */

export const SiteKind = z
  .enum(siteKinds)
  .meta({ id: 'SiteKind', description: '中心 / 所 / 站 / 点 / 基地 / 志愿服务岗' });

export const ComplianceStatus = z
  .enum(['compliant', 'noncompliant', 'uninspected'])
  .meta({ id: 'ComplianceStatus', description: '达标 / 未达标 / 未检查（无检查或已过有效期）' });

export const SiteCompliance = z
  .object({
    status: ComplianceStatus,
    score: z.number().nullable().meta({ description: '最近一次检查的得分（0–100）' }),
    inspectedAt: isoDateTime.nullable().meta({ description: '最近一次检查的时间' }),
  })
  .meta({ id: 'SiteCompliance', description: '按最近一次检查（有效期内）判定的达标情况' });

export const SiteContact = z
  .object({ name: z.string(), phone: z.string(), role: z.string().optional() })
  .meta({ id: 'SiteContact' });

/** A site as the lists show it (GET /sites is JSON text built by the database: keep both in step). */
export const Site = z
  .object({
    id: z.uuid(),
    kind: SiteKind,
    name: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    address: z.string(),
    openingHours: z.string(),
    facilities: z.array(z.string()),
    contacts: z.array(SiteContact),
    isDemo: z.boolean().meta({ description: '示范站' }),
    lat: z.number().nullable(),
    lng: z.number().nullable(),
    capacity: z.number().int().nullable(),
    compliance: SiteCompliance,
  })
  .meta({ id: 'Site', description: '阵地（列表中的一项）' });

export const NearbySite = Site.extend({
  distanceKm: z.number().nullable().meta({ description: '距离（公里），未知时为 null' }),
}).meta({ id: 'NearbySite' });

export const RegionName = z.object({ code: z.string(), name: z.string() }).meta({ id: 'RegionName' });

export const NearbySites = z
  .object({
    region: RegionName.nullable().meta({ description: '本人所在的村（社区）' }),
    town: RegionName.nullable().meta({ description: '所在的乡镇（街道）' }),
    items: z.array(NearbySite),
  })
  .meta({ id: 'NearbySites', description: '附近的实践站：本村在前，然后是本镇' });

export const StandardItem = z
  .object({ code: z.string(), name: z.string(), description: z.string().optional() })
  .meta({ id: 'StandardItem', description: '检查项' });

export const Standard = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    items: z.array(StandardItem),
    kinds: z.array(SiteKind).meta({ description: '适用的阵地类型' }),
    passScore: z.number().int().meta({ description: '达标分（0–100）' }),
    isDefault: z.boolean(),
  })
  .meta({ id: 'Standard', description: '建设标准（检查清单，如六有、五有）' });

export const InspectionResult = z
  .object({
    itemCode: z.string(),
    itemName: z.string(),
    passed: z.boolean(),
    note: z.string(),
    photoIds: z.array(z.uuid()),
    photos: z.array(FileRef),
  })
  .meta({ id: 'InspectionResult', description: '一个检查项的结果与照片' });

export const Inspection = z
  .object({
    id: z.uuid(),
    inspectedAt: dateTime,
    inspectorName: z.string(),
    standardId: z.uuid(),
    standard: z.object({ id: z.uuid(), name: z.string() }).nullable().meta({ description: '检查所依据的标准' }),
    passedCount: z.number().int(),
    totalCount: z.number().int(),
    score: z.number().meta({ description: '得分 = 达标项 ÷ 检查项 × 100' }),
    compliant: z.boolean(),
    note: z.string(),
    results: z.array(InspectionResult),
  })
  .meta({ id: 'Inspection', description: '一次按标准的检查' });

export const SiteDetail = Site.extend({
  description: z.string(),
  standardId: z.uuid().nullable(),
  standard: Standard.nullable().meta({ description: '阵地采用的建设标准' }),
  photoIds: z.array(z.uuid()),
  photos: z.array(FileRef),
  latestInspection: Inspection.nullable(),
  createdAt: dateTime,
  updatedAt: dateTime,
}).meta({ id: 'SiteDetail', description: '阵地详情' });

const coverageFigures = {
  villages: z.number().int().meta({ description: '村（社区）总数' }),
  villagesWithStation: z.number().int().meta({ description: '建有实践站的村（社区）数' }),
  villagesCompliant: z.number().int().meta({ description: '实践站达标的村（社区）数' }),
  coverageRate: z.number().meta({ description: '覆盖率（0–1）' }),
  complianceRate: z.number().meta({ description: '达标率（0–1）' }),
};

export const CoverageByRegion = z
  .object({ code: z.string(), name: z.string(), ...coverageFigures })
  .meta({ id: 'CoverageByRegion' });

export const Coverage = z
  .object({
    regionCode: z.string(),
    regionName: z.string(),
    ...coverageFigures,
    byRegion: z.array(CoverageByRegion).meta({ description: '按下一级区划' }),
    definitions: z
      .object({ coverageRate: z.string(), complianceRate: z.string() })
      .meta({ description: '两个比率的口径（中文）' }),
  })
  .meta({ id: 'Coverage', description: '实践站覆盖率与达标率（在数据权限内统计）' });
