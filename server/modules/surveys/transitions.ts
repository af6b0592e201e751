import { defineMachine } from '../../platform/transitions.js';
import { surveyStates } from '../../db/schema/index.js';

export { surveyStates };
export type SurveyState = (typeof surveyStates)[number];

/**
 * Who the caller is to one survey: `manager` (survey:manage with its region in scope), `collector` (staff of a place
 * the survey covers, managers included: they enter answers from mass meetings of their place).
 */
export type SurveyParty = 'manager' | 'collector';

/** What the guards look at. */
export type SurveyContext = { now: Date; closesAt: Date | null; questions: number };

/**
 * 群众需求大排查: draft (the form is built) → open (answered in the H5 and entered by staff) → closed. A closed
 * survey may be reopened while its closing time (if any) has not passed.
 */
export const surveyMachine = defineMachine<SurveyState, SurveyParty, SurveyContext>()({
  entity: 'survey',
  noun: '需求排查',
  states: { draft: '草稿', open: '收集中', closed: '已结束' },
  transitions: {
    open: {
      from: ['draft'],
      to: 'open',
      who: ['manager'],
      label: '开始收集',
      guard: (c) =>
        !c.questions
          ? '问卷还没有题目，请先添加题目'
          : c.closesAt && c.closesAt.getTime() <= c.now.getTime()
            ? '截止时间已过，请先修改截止时间'
            : null,
    },
    close: { from: ['open'], to: 'closed', who: ['manager'], label: '结束收集' },
    reopen: {
      from: ['closed'],
      to: 'open',
      who: ['manager'],
      label: '重新开放',
      guard: (c) => (c.closesAt && c.closesAt.getTime() <= c.now.getTime() ? '截止时间已过，不能重新开放' : null),
    },
  },
  events: { create: '创建', promote: '转为服务项目', promote_plan: '转为活动计划' },
});

export type SurveyAction = keyof typeof surveyMachine.transitions;
export const surveyStateLabels = surveyMachine.states;
export const sourceLabels = {
  h5: '群众线上填写',
  mass_meeting: '群众会',
  yard_meeting: '院坝会',
  door_to_door: '入户走访',
} as const;
