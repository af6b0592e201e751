import { z } from 'zod';
import { dateTime, pageOf } from '../../platform/responses.js';

/** What the teams routes answer (named components of the OpenAPI document; the web's types come from them). */

export const TeamLevel = z
  .enum(['corps', 'brigade', 'squad'])
  .meta({ id: 'TeamLevel', description: '队伍层级：总队 / 支队 / 分队' });
export const TeamMemberStatus = z
  .enum(['pending', 'active', 'rejected', 'left'])
  .meta({ id: 'TeamMemberStatus', description: '队员状态：待审核 / 在队 / 未通过 / 已退出' });

export const TeamCategory = z
  .object({ code: z.string(), name: z.string(), standing: z.boolean().meta({ description: '8 个常设类别之一' }) })
  .meta({ id: 'TeamCategory', description: '服务类别' });
export const TeamCategoryList = z.object({ items: z.array(TeamCategory) });

/** A team as lists show it. */
export const Team = z
  .object({
    id: z.uuid(),
    name: z.string(),
    level: TeamLevel,
    levelName: z.string(),
    category: z.string(),
    categoryName: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    siteId: z.uuid().nullable(),
    parentId: z.uuid().nullable(),
    leaderVolunteerId: z.uuid().nullable(),
    leaderName: z.string().nullable(),
    isBrand: z.boolean(),
    description: z.string(),
    createdAt: dateTime,
    memberCount: z.number().int(),
    pendingCount: z.number().int(),
    lastActiveAt: dateTime.nullable().meta({ description: '最近一次活动或接单的时间' }),
    inactive: z.boolean().meta({ description: '超过设定天数没有活动或接单' }),
  })
  .meta({ id: 'Team', description: '志愿服务队（列表中的一项）' });

export const TeamPage = pageOf(Team).extend({
  inactiveDays: z.number().int().meta({ description: '“不活跃”的天数（县级设置）' }),
});

/** A node of the team tree (总队 → 支队 → 分队). */
export const TeamNode: z.ZodType<z.output<typeof Team> & { children: TeamNodeOut[] }> = Team.extend({
  get children() {
    return z.array(TeamNode);
  },
}).meta({ id: 'TeamNode', description: '队伍树的一个节点' });
type TeamNodeOut = z.output<typeof Team> & { children: TeamNodeOut[] };
export const TeamTree = z.object({ items: z.array(TeamNode) });

const TeamRef = z.object({ id: z.uuid(), name: z.string(), level: TeamLevel });
export const TeamDetail = Team.extend({
  site: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  parent: TeamRef.nullable(),
  children: z.array(TeamRef),
}).meta({ id: 'TeamDetail', description: '队伍详情' });

export const TeamMember = z
  .object({
    volunteerId: z.uuid(),
    name: z.string(),
    volunteerNo: z.string(),
    gender: z.enum(['male', 'female']),
    phoneMasked: z.string().nullable(),
    verified: z.boolean(),
    status: TeamMemberStatus,
    note: z.string(),
    requestedAt: dateTime,
    decidedAt: dateTime.nullable(),
  })
  .meta({ id: 'TeamMember', description: '队员或入队申请' });
export const TeamMemberList = z.object({ items: z.array(TeamMember) });
export const MembershipStatus = z.object({ status: TeamMemberStatus }).meta({ id: 'MembershipStatus' });

/** The H5's 我的队伍: the teams the volunteer is in (or asked to join) and the teams of their town they could join. */
export const MyTeams = z
  .object({
    mine: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        level: TeamLevel,
        levelName: z.string(),
        category: z.string(),
        categoryName: z.string(),
        status: TeamMemberStatus,
        isLeader: z.boolean(),
      }),
    ),
    joinable: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        level: TeamLevel,
        levelName: z.string(),
        category: z.string(),
        categoryName: z.string(),
        regionName: z.string(),
        isBrand: z.boolean(),
        description: z.string(),
        memberCount: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'MyTeams', description: '我的队伍与可加入的队伍' });
