import { z } from 'zod';

/** Field rules shared by every module's request schemas and commands. */
export const PHONE_RE = /^1[3-9]\d{9}$/;
export const phoneSchema = z.string().trim().regex(PHONE_RE, '手机号应为 11 位中国大陆手机号');
export const regionCodeSchema = z.string().regex(/^\d{6,12}$/, '区划代码应为 6–12 位数字');
export const idParam = z.object({ id: z.uuid('ID 格式不正确') });
