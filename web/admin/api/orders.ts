/**
 * The 点单→派单→接单→评单 loop: orders, the service menu, households (代点单), follow-ups and the inbox.
 * Kept apart from index.ts so the service pages need nothing from the other modules' calls.
 */
import { api, type ItemList, type PageQuery, type Paged } from '../../common/api';
import type { ApiQuery, Schemas } from '../../common/api-types';

export type OrderState =
  'submitted' | 'rejected' | 'dispatched' | 'accepted' | 'in_service' | 'completed' | 'rated' | 'closed' | 'cancelled';

/** The actions the server may list in `actions`; each is POST /orders/:id/<action>. */
export type OrderAction =
  'reject' | 'dispatch' | 'accept' | 'decline' | 'start' | 'complete' | 'rate' | 'cancel' | 'reopen';

export type TargetType = 'team' | 'volunteer' | 'pool';
export type FieldType = 'text' | 'number' | 'date' | 'single' | 'multi';

export interface ItemField {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  options?: string[];
}

export interface OrderMeta {
  states: Record<OrderState, string>;
  scores: Record<string, string>;
  transitions: Record<string, { from: OrderState[]; to: OrderState; who: string[]; label: string }>;
}

export interface Order {
  id: string;
  state: OrderState;
  stateName: string;
  regionCode: string;
  regionName: string;
  contactName: string;
  description: string;
  address: string;
  answers: Record<string, unknown>;
  serviceItemId: string;
  serviceItemName: string;
  category: string;
  categoryName: string;
  targetType: TargetType | null;
  targetId: string | null;
  householdId: string | null;
  proxyUserId: string | null;
  residentUserId: string | null;
  summary: string | null;
  hours: number | null;
  score: number | null;
  scoreName: string | null;
  comment: string | null;
  autoRated: boolean;
  overdue: boolean;
  escalationLevel: number;
  escalatedTo: string;
  submittedAt: string;
  dispatchedAt: string | null;
  acceptedAt: string | null;
  completedAt: string | null;
  ratedAt: string | null;
  closedAt: string | null;
  createdAt: string;
}

export interface TimelineEntry {
  action: string;
  actionName: string;
  from: OrderState | null;
  to: OrderState | null;
  actorName: string | null;
  at: string;
  note: string | null;
}

export interface OrderFollowUp {
  id: string;
  reason: string;
  openedAt: string;
  closedAt: string | null;
  result: string | null;
}

export interface OrderDetail extends Order {
  serviceItem: { id: string; name: string; category: string; categoryName: string; fields: ItemField[] } | null;
  target: { type: TargetType; id: string | null; name: string } | null;
  acceptorName: string | null;
  photos: { id: string; url: string }[];
  timeline: TimelineEntry[];
  followUps: OrderFollowUp[];
  actions: OrderAction[];
}

export interface Recommendation {
  type: 'team' | 'volunteer';
  id: string;
  name: string;
  score: number;
  reasons: string[];
}

export interface OrderQuery extends PageQuery {
  state?: OrderState;
  overdue?: boolean;
  regionCode?: string;
  category?: string;
  q?: string;
}

export interface TransitionBody {
  reason?: string;
  target?: { type: TargetType; id?: string | null };
  summary?: string;
  hours?: number;
  photoIds?: string[];
  volunteerIds?: string[];
}

export interface NewOrderInput {
  serviceItemId: string;
  description: string;
  address?: string;
  answers?: Record<string, unknown>;
  householdId?: string;
}

export const orderApi = {
  meta: () => api.get<OrderMeta>('/orders/meta'),
  list: (query: OrderQuery) => api.page<Order>('/orders', { ...query }),
  get: (id: string) => api.get<OrderDetail>(`/orders/${id}`),
  recommendations: (id: string) => api.get<ItemList<Recommendation>>(`/orders/${id}/recommendations`),
  act: (id: string, action: OrderAction, body: TransitionBody = {}) =>
    api.post<OrderDetail>(`/orders/${id}/${action}`, body),
  create: (input: NewOrderInput) => api.post<OrderDetail>('/orders', input),
};

export interface ServiceItem {
  id: string;
  name: string;
  category: string;
  categoryName: string;
  description: string | null;
  regionCode: string;
  regionName: string;
  regionLevel: 'county' | 'town' | 'village';
  fields: ItemField[];
  providerTeamIds: string[];
  active: boolean;
  orderCount: number;
}

export interface ServiceItemInput {
  name: string;
  category: string;
  description?: string;
  regionCode: string;
  fields: ItemField[];
  providerTeamIds: string[];
  active: boolean;
}

export const serviceItemApi = {
  manage: (query: PageQuery & { q?: string; category?: string }) =>
    api.page<ServiceItem>('/service-items/manage', { ...query }),
  /** The menu of a place: items of the county, its town and its village. */
  menu: (regionCode: string) =>
    api.get<ItemList<ServiceItem> & { region: { code: string; name: string } }>('/service-items', { regionCode }),
  create: (input: ServiceItemInput) => api.post<ServiceItem>('/service-items', input),
  update: (id: string, input: Partial<ServiceItemInput>) => api.patch<ServiceItem>(`/service-items/${id}`, input),
};

export interface Household {
  id: string;
  headName: string;
  phoneMasked: string | null;
  regionCode: string;
  regionName: string | null;
  address: string;
  memberCount: number;
  note: string;
  createdAt: string;
}

export interface HouseholdInput {
  headName: string;
  phone?: string;
  regionCode: string;
  address: string;
  memberCount: number;
  note: string;
}

export const householdApi = {
  list: (query: PageQuery & { q?: string; regionCode?: string }) => api.page<Household>('/households', { ...query }),
  create: (input: HouseholdInput) => api.post<Household>('/households', input),
};

export interface FollowUp {
  id: string;
  orderId: string;
  reason: string;
  openedAt: string;
  closedAt: string | null;
  result: string | null;
  contactName: string;
  serviceItemName: string;
  score: number | null;
  scoreName: string | null;
}

export const followUpApi = {
  list: (open?: boolean) => api.get<ItemList<FollowUp>>('/follow-ups', { open }),
  close: (id: string, result: string) => api.post<unknown>(`/follow-ups/${id}/close`, { result }),
};

export type Notification = Schemas['Notification'];

export const notificationApi = {
  list: (query: ApiQuery<'/api/v1/notifications', 'get'> = {}) =>
    api.get('/notifications', { page: 1, pageSize: 10, ...query }),
  read: (ids?: string[]) => api.post('/notifications/read', ids ? { ids } : {}),
};

/** Options for the pickers of the service pages (teams, volunteers, categories). */
export interface Option {
  id: string;
  name: string;
  sub?: string | null;
}

export const pickApi = {
  categories: () => api.get<ItemList<{ code: string; name: string }>>('/team-categories'),
  teams: async (q?: string): Promise<Option[]> => {
    const res = await api.get<
      Paged<{ id: string; name: string; regionName?: string | null; leaderName?: string | null }>
    >('/teams', { q, page: 1, pageSize: 30 });
    return res.items.map((t) => ({ id: t.id, name: t.name, sub: t.regionName }));
  },
  volunteers: async (q?: string): Promise<Option[]> => {
    const res = await api.page<{ id: string; name: string; volunteerNo?: string; regionName?: string | null }>(
      '/volunteers',
      {
        q,
        page: 1,
        pageSize: 30,
      },
    );
    return res.items.map((v) => ({
      id: v.id,
      name: v.name,
      sub: [v.volunteerNo, v.regionName].filter(Boolean).join(' · '),
    }));
  },
};
