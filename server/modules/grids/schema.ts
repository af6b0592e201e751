import { z } from 'zod';
import { dateTime, listOf, pageOf } from '../../platform/responses.js';

/** What the grid routes answer (named components of the OpenAPI document; the web's types come from them). */

export const Grid = z
  .object({
    id: z.uuid(),
    name: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    leaderVolunteerId: z.uuid(),
    leaderName: z.string().meta({ description: '联户长姓名' }),
    households: z.number().int().meta({ description: '联系的户数' }),
    createdAt: dateTime,
  })
  .meta({ id: 'Grid', description: '网格（一中心一张网十联户）' });
export const GridPage = pageOf(Grid);

export const GridHousehold = z
  .object({
    id: z.uuid(),
    headName: z.string(),
    address: z.string(),
    memberCount: z.number().int(),
    phoneMasked: z.string().nullable(),
    regionCode: z.string(),
    gridId: z.uuid().nullable(),
    cadreName: z.string().nullable().meta({ description: '结亲干部' }),
    lastVisitedAt: dateTime.nullable().meta({ description: '最近一次走访时间' }),
  })
  .meta({ id: 'GridHousehold', description: '网格中的户：联户、结亲与最近走访' });

export const GridAction = z
  .enum(['link', 'unlink', 'update', 'visit'])
  .meta({ id: 'GridAction', description: '网格的操作：联户 / 移出 / 修改 / 走访' });

export const GridDetail = Grid.extend({
  householdList: z.array(GridHousehold),
  actions: z.array(GridAction).meta({ description: '当前用户可以执行的操作' }),
}).meta({ id: 'GridDetail', description: '网格详情：联系的户与可执行的操作' });

export const MyHouseholds = listOf(GridHousehold.extend({ regionName: z.string() })).meta({
  id: 'MyHouseholds',
  description: '我联系的户（我是联户长的网格，和与我结亲的户）',
});

export const Pairing = z
  .object({
    id: z.uuid(),
    cadreUserId: z.uuid(),
    cadreName: z.string(),
    householdId: z.uuid(),
    headName: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    createdAt: dateTime,
  })
  .meta({ id: 'Pairing', description: '结亲（干部联系户，1+N）' });
export const PairingPage = pageOf(Pairing);
export const PairingCreated = listOf(z.object({ id: z.uuid(), householdId: z.uuid() })).meta({
  id: 'PairingCreated',
  description: '新建的结亲记录',
});

export const Visit = z
  .object({
    id: z.uuid(),
    householdId: z.uuid(),
    headName: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    visitorName: z.string(),
    visitorRole: z.enum(['staff', 'link', 'cadre']),
    visitorRoleName: z.string(),
    note: z.string(),
    photoIds: z.array(z.uuid()),
    visitedAt: dateTime,
    raisedKind: z.enum(['wish', 'order']).nullable().meta({ description: '走访中发现的需求转成的：心愿或订单' }),
    raisedKindName: z.string().nullable(),
    raisedId: z.uuid().nullable(),
    raisedTitle: z.string().nullable(),
    raisedState: z.string().nullable(),
    raisedStateName: z.string().nullable(),
    createdAt: dateTime,
  })
  .meta({ id: 'Visit', description: '走访记录（及其转成的心愿或订单）' });
export const VisitPage = pageOf(Visit);

const CoverageFigures = {
  households: z.number().int().meta({ description: '户数' }),
  linked: z.number().int().meta({ description: '有联户长联系的户数' }),
  paired: z.number().int().meta({ description: '结亲的户数' }),
  visits: z.number().int().meta({ description: '本月走访次数' }),
  visited: z.number().int().meta({ description: '本月走访到的户数' }),
};
export const Coverage = z
  .object({
    regionCode: z.string(),
    regionName: z.string(),
    month: z.string(),
    total: z.object(CoverageFigures),
    items: z.array(z.object({ regionCode: z.string(), regionName: z.string(), ...CoverageFigures })),
  })
  .meta({ id: 'GridCoverage', description: '网格覆盖情况：下一级各区划一行，合计等于上级' });

export const Cadres = listOf(
  z.object({ id: z.uuid(), name: z.string(), regionName: z.string(), roleName: z.string() }),
).meta({ id: 'Cadres', description: '可结亲的干部' });
