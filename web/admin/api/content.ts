/** Issue #14: content columns (宣传文章) and offline publicity (线下宣传); types generated from the server's schemas. */
import { api } from '../../common/api';
import type { ApiBody, ApiQuery, Schemas } from '../../common/api-types';

export type Article = Schemas['Article'];
/** An article with its body, files, timeline and what the caller may do now (`actions`, from the server). */
export type ArticleDetail = Schemas['ArticleDetail'];
export type ArticleInput = ApiBody<'/api/v1/articles', 'post'>;
export type ArticleState = Schemas['ArticleState'];
export type ArticleAction = Schemas['ArticleAction'];
export type PublicityItem = Schemas['PublicityItem'];
export type PublicityInput = ApiBody<'/api/v1/publicity', 'post'>;

export const articleApi = {
  list: (query: ApiQuery<'/api/v1/articles', 'get'>) => api.page('/articles', query),
  get: (id: string) => api.get(`/articles/${id}`),
  create: (input: ArticleInput) => api.post('/articles', input),
  update: (id: string, input: Partial<ArticleInput>) => api.patch(`/articles/${id}`, input),
  act: (id: string, action: Exclude<ArticleAction, 'edit'>, reason?: string) =>
    api.post(`/articles/${id}/${action}`, reason ? { reason } : undefined),
};

export const publicityApi = {
  list: (query: ApiQuery<'/api/v1/publicity', 'get'>) => api.page('/publicity', query),
  create: (input: PublicityInput) => api.post('/publicity', input),
  update: (id: string, input: Partial<PublicityInput>) => api.patch(`/publicity/${id}`, input),
  remove: (id: string) => api.delete(`/publicity/${id}`),
};
