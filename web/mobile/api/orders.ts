/**
 * 点单 / 接单 / 消息 / 群众注册: the calls and answer shapes of the service loop (see /api/openapi.json, tag 点单).
 * Kept apart from api/index.ts so the service loop can grow without touching the other modules' calls.
 */
import { api } from './client';
import type { ApiBody, ApiQuery, Schemas } from '../../common/api-types';

const enc = encodeURIComponent;

export type FieldType = 'text' | 'number' | 'date' | 'single' | 'multi';

/** One extra question of a service item, answered in `answers[key]`. */
export interface ItemField {
  key: string;
  label: string;
  type: FieldType;
  required?: boolean;
  options?: string[];
}

export interface ServiceItem {
  id: string;
  name: string;
  category: string;
  categoryName: string;
  description?: string | null;
  regionName?: string | null;
  regionLevel?: string | null;
  fields: ItemField[];
}

export interface ServiceMenu {
  region: { code: string; name: string } | null;
  items: ServiceItem[];
}

export type OrderState =
  'submitted' | 'rejected' | 'dispatched' | 'accepted' | 'in_service' | 'completed' | 'rated' | 'closed' | 'cancelled';

export type OrderAction =
  | 'reject'
  | 'dispatch'
  | 'accept'
  | 'decline'
  | 'start'
  | 'complete'
  | 'rate'
  | 'cancel'
  | 'reopen'
  | 'expire'
  | 'close';

export interface OrderSummary {
  id: string;
  state: OrderState;
  stateName: string;
  serviceItemName: string;
  category?: string;
  categoryName: string;
  description: string;
  address?: string | null;
  regionName?: string | null;
  contactName?: string | null;
  submittedAt: string | null;
  createdAt?: string;
  score: number | null;
  scoreName: string | null;
  overdue: boolean;
}

export interface OrderEvent {
  action: string;
  actionName: string;
  actorName: string | null;
  at: string;
  note: string | null;
}

export interface OrderDetail extends OrderSummary {
  answers: Record<string, unknown>;
  serviceItem: { id: string; name: string; category: string; categoryName: string; fields: ItemField[] } | null;
  target: { type: string; id: string | null; name: string } | null;
  acceptorName: string | null;
  summary: string | null;
  hours: number | null;
  comment: string | null;
  photos: { id: string; url: string }[];
  timeline: OrderEvent[];
  actions: OrderAction[];
  acceptedAt?: string | null;
  completedAt?: string | null;
}

export interface OrderList {
  items: OrderSummary[];
  total: number;
  page?: number;
  pageSize?: number;
}

export interface NewOrder {
  serviceItemId: string;
  description: string;
  address?: string;
  answers?: Record<string, unknown>;
}

/** The body of POST /orders/:id/<action>; each action reads only its own fields. */
export interface ActionBody {
  reason?: string;
  summary?: string;
  hours?: number;
  photoIds?: string[];
  score?: number;
  comment?: string;
}

export type TaskView = 'todo' | 'pool' | 'mine';

export type Notification = Schemas['Notification'];
export type NotificationList = Schemas['NotificationPage'];
export type UploadedFile = Schemas['UploadedFile'];
/** One level of the public region tree (GET /regions?parent=). */
export type RegionNode = Schemas['Region'];
export type Registration = ApiBody<'/api/v1/auth/register', 'post'>;

export const serviceItemsApi = {
  menu: () => api.get<ServiceMenu>('/service-items'),
};

export const ordersApi = {
  create: (body: NewOrder) => api.post<OrderDetail>('/orders', body),
  mine: (query: { state?: OrderState; page?: number; pageSize?: number } = {}) =>
    api.get<OrderList>('/orders/mine', { page: 1, pageSize: 20, ...query }),
  tasks: (view: TaskView, query: { page?: number; pageSize?: number } = {}) =>
    api.get<OrderList>('/orders/tasks', { view, page: 1, pageSize: 20, ...query }),
  get: (id: string) => api.get<OrderDetail>(`/orders/${enc(id)}`),
  act: (id: string, action: OrderAction, body: ActionBody = {}) =>
    api.post<OrderDetail>(`/orders/${enc(id)}/${action}`, body),
};

export const notificationsApi = {
  list: (query: ApiQuery<'/api/v1/notifications', 'get'> = {}) =>
    api.get('/notifications', { page: 1, pageSize: 20, ...query }),
  read: (ids?: string[]) => api.post('/notifications/read', ids ? { ids } : {}),
};

export const filesApi = {
  upload: (file: Blob, fileName?: string) => api.upload('/files', file, fileName),
};

export const signupApi = {
  /** The village decides the county whose SMS sender (if any) is used. */
  smsCode: (phone: string, regionCode?: string) =>
    api.post('/auth/sms-code', { phone, regionCode }, { skipAuthHandler: true }),
  /** Public: the county without a parent, else the children of `parent`. */
  regions: (parent?: string) => api.get('/regions', { parent }, { skipAuthHandler: true }),
  register: (body: Registration) => api.post('/auth/register', body, { skipAuthHandler: true }),
};
