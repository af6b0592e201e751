import { z } from 'zod';
import { dateTime } from '../../platform/responses.js';

/** What the accounts routes answer (named components of the OpenAPI document; the web's types come from them). */

export const ScopeKind = z
  .enum(['all', 'own', 'subtree', 'self'])
  .meta({ id: 'ScopeKind', description: '数据权限：全部 / 本级 / 本级及以下 / 仅本人' });

/** One role assignment of an account: the role, where it applies and its data scope. */
export const RoleAssignment = z
  .object({
    id: z.uuid(),
    role: z.string(),
    roleName: z.string(),
    regionCode: z.string().nullable(),
    regionName: z.string().nullable(),
    scope: ScopeKind,
    scopeName: z.string(),
    teamId: z.uuid().nullable(),
  })
  .meta({ id: 'RoleAssignment', description: '角色授权：角色、区划与数据权限' });

/** The signed-in account (GET /me, and the user of a login). */
export const Me = z
  .object({
    id: z.uuid(),
    name: z.string(),
    phoneMasked: z.string(),
    regionCode: z.string().nullable(),
    regionName: z.string().nullable(),
    roles: z.array(RoleAssignment),
    permissions: z.array(z.string()).meta({ description: '各角色权限码的并集' }),
    volunteerId: z.uuid().nullable().meta({ description: '本人的志愿者档案' }),
    householdId: z.uuid().nullable().meta({ description: '本人所在的户' }),
    mustChangePassword: z
      .boolean()
      .meta({ description: '密码由管理员设置：须先修改密码，其他接口答 403 PASSWORD_CHANGE_REQUIRED' }),
  })
  .meta({ id: 'Me', description: '当前用户、角色与权限' });

export const LoginResult = z
  .object({
    token: z.string().meta({ description: '会话令牌（Authorization: Bearer）；浏览器使用同时设置的 Cookie' }),
    csrfToken: z.string().meta({ description: '写操作的 X-CSRF-Token（也在 Cookie wm_csrf 中）' }),
    user: Me,
    mustChangePassword: z.boolean().meta({ description: '为 true 时须先修改密码（POST /me/password）' }),
  })
  .meta({ id: 'LoginResult' });

export const SmsCodeResult = z
  .object({
    sent: z.boolean(),
    required: z.boolean().meta({ description: '注册是否需要验证码（未配置短信接口时为 false）' }),
    expiresInSeconds: z.number().int().optional(),
  })
  .meta({ id: 'SmsCodeResult' });

/** An account as user management sees it. */
export const User = z
  .object({
    id: z.uuid(),
    name: z.string(),
    phoneMasked: z.string(),
    regionCode: z.string().nullable(),
    regionName: z.string().nullable(),
    active: z.boolean(),
    createdAt: dateTime,
    locked: z.boolean().meta({ description: '因连续输错密码而锁定中' }),
    roles: z.array(RoleAssignment),
  })
  .meta({ id: 'User', description: '用户（账号）' });

export const Role = z
  .object({
    code: z.string(),
    name: z.string(),
    description: z.string(),
    permissions: z.array(z.string()),
    duty: z.string().nullable().meta({ description: '三员职责：system / security / audit' }),
    builtin: z.boolean(),
  })
  .meta({ id: 'Role', description: '角色及其权限码' });

export const PermissionInfo = z
  .object({ code: z.string(), name: z.string(), group: z.string() })
  .meta({ id: 'PermissionInfo', description: '权限码、名称与分组' });
