import { chinaMinute } from '../../platform/clock.js';
import { defineMachine } from '../../platform/transitions.js';

export const honorStates = ['nominated', 'notice', 'published', 'rejected', 'revoked'] as const;
export type HonorState = (typeof honorStates)[number];

/**
 * Who the caller is to one honour: `reviewer` (honor:review, the honour's region in scope), `public` (anyone signed
 * in to the county while it is under notice: the notice is public, anyone may object), `system` (the sweep).
 */
export type HonorParty = 'reviewer' | 'public' | 'system';

/** What the guards look at, read with the honour. */
export type HonorContext = { now: Date; noticeEndAt: Date | null; consent: boolean; nomineeName: string };

/** Why an honour without the nominee's consent cannot be published (the API names the field `consent` too). */
export const noConsent = (name: string) =>
  `${name}尚未同意公开姓名和照片，不能发布到荣誉榜；请先取得本人同意并登记后再发布`;
const noticeRunning = (c: HonorContext) => !!c.noticeEndAt && c.noticeEndAt.getTime() > c.now.getTime();

/**
 * 身边好人、道德模范 … : nominated → (reviewed) notice → published, or rejected; an objection during the notice sends
 * it back to review; a published honour may be revoked. Publishing needs the notice ended and the nominee's consent
 * to a public name and photo (consent itself is not a state: it is recorded beside the honour at any live state).
 */
export const honorMachine = defineMachine<HonorState, HonorParty, HonorContext>()({
  entity: 'honor',
  noun: '推荐',
  states: {
    nominated: '待审核',
    notice: '公示中',
    published: '已上榜',
    rejected: '未通过',
    revoked: '已撤销',
  },
  transitions: {
    approve: { from: ['nominated'], to: 'notice', who: ['reviewer'], label: '审核通过' },
    reject: { from: ['nominated', 'notice'], to: 'rejected', who: ['reviewer'], label: '驳回' },
    object: { from: ['notice'], to: 'nominated', who: ['public'], label: '提出异议' },
    publish: {
      from: ['notice'],
      to: 'published',
      who: ['reviewer'],
      label: '发布',
      guard: (c) =>
        noticeRunning(c) && c.noticeEndAt
          ? `公示期至 ${chinaMinute(c.noticeEndAt)} 结束，公示期满后才能发布`
          : !c.consent
            ? noConsent(c.nomineeName)
            : null,
    },
    auto_publish: {
      from: ['notice'],
      to: 'published',
      who: ['system'],
      label: '公示期满，自动发布上榜',
      guard: (c) => (noticeRunning(c) || !c.consent ? '公示未满或未取得本人同意' : null),
    },
    revoke: { from: ['published'], to: 'revoked', who: ['reviewer'], label: '撤销' },
  },
  events: { nominate: '推荐', consent: '登记本人同意公开', consent_withdrawn: '撤回公开同意' },
});

export type HonorAction = keyof typeof honorMachine.transitions;
