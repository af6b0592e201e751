import type { articleStates } from '../../db/schema/index.js';
import { defineMachine } from '../../platform/transitions.js';

export type ArticleState = (typeof articleStates)[number];

/**
 * Who the caller is to one article: `editor` (article:write, the article's region in scope: writes, edits and submits
 * it) and `reviewer` (article:review, staff of the level above the article's region — the institute for a village's
 * article, the county center for a town's; the county center for anything in the county, its own drafts included;
 * and a town's institute for its own articles when the county's `articles.townSelfPublish` is on).
 */
export type ArticleParty = 'editor' | 'reviewer';

/**
 * 宣传文章: draft → submitted → approved → published, or rejected (with a reason) back to the editor; a published
 * article may be withdrawn (off the public columns at once) and then revised as a draft again.
 */
export const articleMachine = defineMachine<ArticleState, ArticleParty>()({
  entity: 'article',
  noun: '文章',
  states: {
    draft: '草稿',
    submitted: '待审核',
    approved: '待发布',
    rejected: '已退回',
    published: '已发布',
    withdrawn: '已撤回',
  },
  transitions: {
    submit: { from: ['draft', 'rejected'], to: 'submitted', who: ['editor'], label: '提交审核' },
    approve: { from: ['submitted'], to: 'approved', who: ['reviewer'], label: '审核通过' },
    reject: { from: ['submitted', 'approved'], to: 'rejected', who: ['reviewer'], label: '退回修改' },
    publish: { from: ['approved'], to: 'published', who: ['reviewer'], label: '发布' },
    withdraw: { from: ['published'], to: 'withdrawn', who: ['reviewer'], label: '撤回' },
    revise: { from: ['withdrawn'], to: 'draft', who: ['editor'], label: '重新编辑' },
  },
  events: { create: '新建', edit: '修改' },
});

export type ArticleAction = keyof typeof articleMachine.transitions;
/** Editing is not a state change: possible for an editor while the article is a draft or sent back. */
export const editableStates: readonly ArticleState[] = ['draft', 'rejected'];
