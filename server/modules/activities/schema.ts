import { z } from 'zod';
import { dateTime, pageOf } from '../../platform/responses.js';
import { activityTypes } from '../../db/schema/index.js';
import { activityMachine, participantMachine, signupMachine } from './transitions.js';

/** What the activity routes answer (named components of the OpenAPI document; the web's types come from them). */

const keys = <T extends string>(o: Readonly<Record<T, unknown>>) => Object.keys(o) as [T, ...T[]];

export const ActivityType = z
  .enum(activityTypes)
  .meta({ id: 'ActivityType', description: '活动类型（中文名称见 /activities/meta）' });
export const ActivityState = z
  .enum(keys(activityMachine.states))
  .meta({ id: 'ActivityState', description: '活动状态（中文名称见 /activities/meta）' });
export const ActivityAction = z.enum(['edit', 'attendance', ...keys(activityMachine.transitions)]).meta({
  id: 'ActivityAction',
  description:
    '活动的操作：修改 / 录入签到表 / 发布招募 / 取消 / 结束 / 归档 / 确认补录 / 退回补录 / 重新提交（当前用户现在可做的）',
});
export const SignupStatus = z
  .enum(['confirmed', 'waitlisted', 'cancelled'])
  .meta({ id: 'SignupStatus', description: '报名状态：已报名（确认）/ 候补中 / 已取消' });
export const SignupAction = z
  .enum(keys(signupMachine.transitions))
  .meta({ id: 'SignupAction', description: '报名的操作：报名 / 取消报名 / 候补转正（系统）/ 签到 / 签退' });

export const ParticipantStatus = z
  .enum(['confirmed', 'waitlisted', 'cancelled'])
  .meta({ id: 'ParticipantStatus', description: '群众报名参加的状态：已报名（确认）/ 候补中 / 已取消' });
export const ParticipantAction = z.enum(keys(participantMachine.transitions)).meta({
  id: 'ParticipantAction',
  description: '群众报名参加的操作：报名参加 / 取消报名 / 候补转正（系统）/ 签到 / 登记到场（工作人员）',
});

export const MyParticipation = z
  .object({
    id: z.uuid(),
    status: ParticipantStatus,
    position: z.number().int().nullable().meta({ description: '候补第几位（候补中时）' }),
    checkInAt: dateTime.nullable(),
    actions: z.array(ParticipantAction).meta({ description: '我现在可以对这条报名做的操作（按钮）' }),
  })
  .meta({ id: 'MyParticipation', description: '当前用户以群众身份报名参加该活动的记录' });

export const ActivityShift = z
  .object({
    id: z.uuid(),
    position: z.string(),
    startAt: dateTime,
    endAt: dateTime,
    quota: z.number().int(),
    confirmedCount: z.number().int(),
  })
  .meta({ id: 'ActivityShift', description: '活动的岗位时段' });

export const MySignup = z
  .object({
    id: z.uuid(),
    status: SignupStatus,
    position: z.number().int().nullable().meta({ description: '候补第几位（候补中时）' }),
    shiftId: z.uuid().nullable(),
    checkInAt: dateTime.nullable(),
    checkOutAt: dateTime.nullable(),
    noShow: z.boolean(),
    actions: z.array(SignupAction).meta({ description: '我现在可以对这条报名做的操作（按钮）' }),
  })
  .meta({ id: 'MySignup', description: '当前用户在该活动的报名' });

export const RecordedAfter = z
  .object({
    byUserId: z.uuid().nullable(),
    byName: z.string().nullable(),
    at: dateTime,
    confirmedAt: dateTime.nullable(),
    returnReason: z.string().nullable(),
  })
  .meta({ id: 'RecordedAfter', description: '补录：由谁、何时录入，上级何时确认或退回原因' });

export const Activity = z
  .object({
    id: z.uuid(),
    title: z.string(),
    type: ActivityType,
    typeName: z.string(),
    theme: z.string(),
    description: z.string(),
    state: ActivityState,
    stateName: z.string(),
    regionCode: z.string(),
    regionName: z.string().nullable(),
    siteId: z.uuid().nullable(),
    siteName: z.string().nullable(),
    teamId: z.uuid().nullable(),
    teamName: z.string().nullable(),
    planId: z.uuid().nullable(),
    startAt: dateTime,
    endAt: dateTime,
    quota: z.number().int(),
    confirmedCount: z.number().int(),
    waitlistCount: z.number().int(),
    address: z.string(),
    lat: z.number().nullable(),
    lng: z.number().nullable(),
    checkinRadiusM: z.number().int().nullable(),
    beneficiaries: z.string(),
    beneficiaryCount: z.number().int(),
    participantCount: z.number().int().meta({ description: '活动登记的其他参与人数（补录时填写的群众人数）' }),
    participantQuota: z
      .number()
      .int()
      .nullable()
      .meta({ description: '群众报名参加的名额；为空或 0 表示不开放群众报名' }),
    participantConfirmedCount: z.number().int().meta({ description: '已确认报名参加的群众人数' }),
    participantWaitlistCount: z.number().int().meta({ description: '候补中的群众人数' }),
    participantAttendedCount: z.number().int().meta({ description: '已签到（到场）的群众人数' }),
    photoIds: z.array(z.uuid()),
    sheetPhotoIds: z.array(z.uuid()),
    recordedAfter: RecordedAfter.nullable(),
    risky: z.boolean(),
    insurance: z.string().nullable(),
    cancelReason: z.string().nullable(),
    shifts: z.array(ActivityShift),
    code: z.string().optional().meta({ description: '6 位签到码（仅对可管理该活动的工作人员返回）' }),
    mySignup: MySignup.nullable(),
    myParticipation: MyParticipation.nullable(),
    createdAt: dateTime,
    publishedAt: dateTime.nullable(),
    endedAt: dateTime.nullable(),
    cancelledAt: dateTime.nullable(),
    updatedAt: dateTime,
  })
  .meta({ id: 'Activity', description: '活动（列表中的一项）' });

export const ActivityRow = Activity.extend({
  actions: z.array(ActivityAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
}).meta({ id: 'ActivityRow', description: '活动（管理端列表中的一项，含当前用户可做的操作）' });

export const ActivityPage = pageOf(ActivityRow)
  .extend({
    nextCursor: z.string().nullable().meta({ description: '下一页的游标（作为 after 传回）；没有下一页为 null' }),
  })
  .meta({ id: 'ActivityPage', description: '活动列表的一页' });

export const TimelineEvent = z
  .object({
    action: z.string(),
    actionName: z.string(),
    fromState: z.string().nullable(),
    toState: z.string(),
    toStateName: z.string(),
    actorName: z.string(),
    note: z.string(),
    data: z.record(z.string(), z.unknown()).nullable(),
    at: dateTime,
  })
  .meta({ id: 'TimelineEvent', description: '流转记录的一条：谁、何时、做了什么、到了什么状态' });

export const ActivityDetail = Activity.extend({
  actions: z.array(ActivityAction).meta({ description: '当前用户现在可以执行的操作（按钮）' }),
  volunteerActions: z
    .array(SignupAction)
    .meta({ description: '当前用户作为志愿者现在可做的：报名（尚未报名时），或其报名的取消、签到、签退' }),
  residentActions: z
    .array(ParticipantAction)
    .meta({ description: '当前用户作为群众现在可做的：报名参加（尚未报名时），或其报名的取消、签到' }),
  timeline: z.array(TimelineEvent).meta({ description: '流转记录（补录的活动，工作人员可见）' }),
}).meta({ id: 'ActivityDetail', description: '活动详情' });

export const ActivityEnded = ActivityDetail.extend({
  noShows: z.number().int().meta({ description: '记为缺席的人数' }),
}).meta({ id: 'ActivityEnded', description: '已结束的活动，及记为缺席的人数' });

export const Settlement = z
  .object({
    credited: z.number().meta({ description: '当即认定的小时数' }),
    pending: z.number().meta({ description: '超出每日上限、待审核的小时数' }),
    reason: z.string().nullable().meta({ description: '未计时长的原因' }),
  })
  .meta({ id: 'Settlement', description: '一次考勤的时长结算' });

export const RecordSettlement = z
  .object({
    needsConfirmation: z.boolean(),
    credited: z.number(),
    pending: z.number(),
    items: z.array(
      z.object({
        signupId: z.uuid(),
        volunteerId: z.uuid(),
        volunteerName: z.string(),
        volunteerNo: z.string().nullable(),
        checkInAt: dateTime.nullable(),
        checkOutAt: dateTime.nullable(),
        hours: Settlement.nullable(),
      }),
    ),
  })
  .meta({ id: 'RecordSettlement', description: '补录活动签到表的结算（待上级确认时尚未结算）' });

export const RecordedActivity = ActivityDetail.extend({ settlement: RecordSettlement }).meta({
  id: 'RecordedActivity',
  description: '补录的活动及其签到表的结算',
});

export const ActivityMeta = z
  .object({
    types: z.record(ActivityType, z.string()),
    states: z.record(ActivityState, z.string()),
  })
  .meta({ id: 'ActivityMeta', description: '活动类型与状态的中文名称' });

export const SignupResult = z
  .object({
    id: z.uuid(),
    status: z.enum(['confirmed', 'waitlisted']),
    position: z.number().int().optional().meta({ description: '候补第几位（进入候补时）' }),
  })
  .meta({ id: 'SignupResult', description: '报名结果：已确认，或候补第几位' });

export const ActivitySignup = z
  .object({
    id: z.uuid(),
    volunteerId: z.uuid(),
    volunteerName: z.string(),
    volunteerNo: z.string(),
    phoneMasked: z.string().nullable(),
    status: SignupStatus,
    position: z.number().int().nullable(),
    shiftId: z.uuid().nullable(),
    source: z.enum(['self', 'staff', 'sheet']),
    signedUpAt: dateTime,
    promotedAt: dateTime.nullable(),
    cancelledAt: dateTime.nullable(),
    checkInAt: dateTime.nullable(),
    checkOutAt: dateTime.nullable(),
    checkInMethod: z.enum(['code', 'qr', 'sheet']).nullable(),
    noShow: z.boolean(),
    hoursSettledAt: dateTime.nullable(),
    creditedHours: z.number(),
    pendingHours: z.number(),
  })
  .meta({ id: 'ActivitySignup', description: '报名名单的一行：签到签退、缺席与时长' });

/** The activity as the rows of 我的活动 show it. */
const ActivityBrief = z.object({
  id: z.uuid(),
  title: z.string(),
  type: ActivityType,
  state: ActivityState,
  startAt: dateTime,
  endAt: dateTime,
  address: z.string(),
});

export const MySignupItem = z
  .object({
    id: z.uuid(),
    status: SignupStatus,
    position: z.number().int().nullable(),
    shiftId: z.uuid().nullable(),
    source: z.enum(['self', 'staff', 'sheet']),
    signedUpAt: dateTime,
    checkInAt: dateTime.nullable(),
    checkOutAt: dateTime.nullable(),
    noShow: z.boolean(),
    creditedHours: z.number(),
    pendingHours: z.number(),
    activity: ActivityBrief,
  })
  .meta({ id: 'MySignupItem', description: '我的报名（含活动）' });

export const CheckInResult = z.object({ checkInAt: dateTime }).meta({ id: 'CheckInResult', description: '已签到' });
export const CheckOutResult = z
  .object({ checkOutAt: dateTime, hours: Settlement })
  .meta({ id: 'CheckOutResult', description: '已签退，及时长结算' });
export const AttendanceResult = z
  .object({ signupId: z.uuid(), hours: Settlement })
  .meta({ id: 'AttendanceResult', description: '签到表的一行已录入，及时长结算' });

export const QrImage = {
  description: '签到二维码（PNG）',
  content: {
    'image/png': { schema: z.custom<Buffer>((v) => Buffer.isBuffer(v)).meta({ type: 'string', format: 'binary' }) },
  },
};

export const ParticipationResult = z
  .object({
    id: z.uuid(),
    status: z.enum(['confirmed', 'waitlisted']),
    position: z.number().int().optional().meta({ description: '候补第几位（进入候补时）' }),
  })
  .meta({ id: 'ParticipationResult', description: '报名参加的结果：已确认，或候补第几位' });

export const ActivityParticipant = z
  .object({
    id: z.uuid(),
    name: z.string().meta({ description: '姓名（已脱敏，如 张*丰）' }),
    phoneMasked: z.string(),
    status: ParticipantStatus,
    position: z.number().int().nullable(),
    signedUpAt: dateTime,
    promotedAt: dateTime.nullable(),
    cancelledAt: dateTime.nullable(),
    checkInAt: dateTime.nullable(),
    checkInMethod: z.enum(['code', 'qr', 'roster']).nullable(),
  })
  .meta({ id: 'ActivityParticipant', description: '群众报名参加名单的一行' });

export const ParticipantPage = pageOf(ActivityParticipant)
  .extend({
    counts: z
      .object({
        quota: z.number().int(),
        confirmed: z.number().int(),
        waitlisted: z.number().int(),
        attended: z.number().int(),
      })
      .meta({ description: '名额、已报名、候补、已到场人数' }),
  })
  .meta({ id: 'ParticipantPage', description: '群众报名参加名单的一页及人数' });

export const AttendanceMark = z
  .object({ checkInAt: dateTime.nullable() })
  .meta({ id: 'AttendanceMark', description: '登记到场的结果：到场时间（撤销登记后为空）' });

export const MyParticipationItem = z
  .object({
    id: z.uuid(),
    status: ParticipantStatus,
    position: z.number().int().nullable(),
    signedUpAt: dateTime,
    checkInAt: dateTime.nullable(),
    activity: ActivityBrief,
  })
  .meta({ id: 'MyParticipationItem', description: '我报名参加的活动（群众）' });

export const MyActivityItem = z
  .object({
    kind: z.enum(['signup', 'place']).meta({ description: 'signup 志愿者报名；place 群众报名参加' }),
    id: z.uuid(),
    status: z.union([SignupStatus, ParticipantStatus]),
    position: z.number().int().nullable(),
    signedUpAt: dateTime,
    checkInAt: dateTime.nullable(),
    checkOutAt: dateTime.nullable(),
    noShow: z.boolean(),
    creditedHours: z.number(),
    pendingHours: z.number(),
    activity: ActivityBrief,
  })
  .meta({ id: 'MyActivityItem', description: '我的活动：志愿者报名与群众报名参加合为一个列表' });
