import type { Component } from 'vue';
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import {
  Avatar,
  Box,
  Coin,
  Calendar,
  ChatLineSquare,
  DataAnalysis,
  Document,
  EditPen,
  Finished,
  Guide,
  Place,
  Flag,
  Grid,
  HomeFilled,
  Histogram,
  House,
  Key,
  List,
  MapLocation,
  Monitor,
  Medal,
  MagicStick,
  Memo,
  Money,
  Notebook,
  OfficeBuilding,
  Promotion,
  Reading,
  Setting,
  ShoppingCart,
  Stamp,
  Star,
  Tickets,
  TrendCharts,
  Trophy,
  Timer,
  Upload,
  User,
} from '@element-plus/icons-vue';
import { msg } from './locales/zh-CN';
import { screenMsg } from './locales/screen.zh-CN';
import { assessmentMsg } from './locales/assessment.zh-CN';
import { gridMsg } from './locales/grid.zh-CN';
import { useAuthStore } from './stores/auth';

export type MenuGroup = keyof typeof msg.layout.groups;

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    /** Shown in the left menu under this group. */
    group?: MenuGroup;
    icon?: Component;
    /** Any one of these permission codes opens the page. */
    permission?: string | string[];
    /** The list page a detail page belongs to, for the breadcrumb and the active menu item. */
    parent?: string;
    public?: boolean;
  }
}

const m = msg.menu;

export const appRoutes: RouteRecordRaw[] = [
  {
    path: '',
    name: 'dashboard',
    component: () => import('./views/dashboard/DashboardPage.vue'),
    meta: { title: m.dashboard, group: 'home', icon: HomeFilled },
  },
  {
    path: 'sites',
    name: 'sites',
    component: () => import('./views/site/list/SiteListPage.vue'),
    meta: { title: m.sites, group: 'site', icon: OfficeBuilding, permission: 'site:read' },
  },
  {
    path: 'sites/:id',
    name: 'site-detail',
    component: () => import('./views/site/detail/SiteDetailPage.vue'),
    props: true,
    meta: { title: m.siteDetail, permission: 'site:read', parent: 'sites' },
  },
  {
    path: 'standards',
    name: 'standards',
    component: () => import('./views/standard/StandardListPage.vue'),
    meta: { title: m.standards, group: 'site', icon: Tickets, permission: ['standard:manage', 'site:inspect'] },
  },
  {
    path: 'regions',
    name: 'regions',
    component: () => import('./views/region/RegionTreePage.vue'),
    meta: { title: m.regions, group: 'site', icon: MapLocation, permission: 'region:read' },
  },
  {
    path: 'volunteers',
    name: 'volunteers',
    component: () => import('./views/volunteer/VolunteerListPage.vue'),
    meta: { title: m.volunteers, group: 'team', icon: Avatar, permission: 'volunteer:read' },
  },
  {
    path: 'volunteers/:id',
    name: 'volunteer-detail',
    component: () => import('./views/volunteer/VolunteerDetailPage.vue'),
    props: true,
    meta: { title: m.volunteerDetail, permission: 'volunteer:read', parent: 'volunteers' },
  },
  {
    path: 'teams',
    name: 'teams',
    component: () => import('./views/team/TeamListPage.vue'),
    meta: { title: m.teams, group: 'team', icon: Flag, permission: 'team:read' },
  },
  {
    path: 'teams/:id',
    name: 'team-detail',
    component: () => import('./views/team/TeamDetailPage.vue'),
    props: true,
    meta: { title: m.teamDetail, permission: 'team:read', parent: 'teams' },
  },
  {
    path: 'orders',
    name: 'orders',
    component: () => import('./views/order/OrderBoardPage.vue'),
    meta: { title: m.orders, group: 'service', icon: List, permission: 'order:read' },
  },
  {
    path: 'orders/:id',
    name: 'order-detail',
    component: () => import('./views/order/OrderDetailPage.vue'),
    props: true,
    meta: { title: m.orderDetail, permission: 'order:read', parent: 'orders' },
  },
  {
    path: 'service-items',
    name: 'service-items',
    component: () => import('./views/order/ServiceItemPage.vue'),
    meta: { title: m.serviceItems, group: 'service', icon: Memo, permission: 'serviceItem:manage' },
  },
  {
    path: 'proxy-order',
    name: 'proxy-order',
    component: () => import('./views/order/ProxyOrderPage.vue'),
    meta: { title: m.proxyOrder, group: 'service', icon: EditPen, permission: 'order:proxy' },
  },
  {
    path: 'follow-ups',
    name: 'follow-ups',
    component: () => import('./views/order/FollowUpPage.vue'),
    meta: { title: m.followUps, group: 'service', icon: ChatLineSquare, permission: 'order:manage' },
  },
  {
    path: 'activities',
    name: 'activities',
    component: () => import('./views/activity/ActivityListPage.vue'),
    meta: { title: m.activities, group: 'activity', icon: Promotion, permission: 'activity:read' },
  },
  {
    path: 'activities/record',
    name: 'activity-record',
    component: () => import('./views/activity/ActivityRecordPage.vue'),
    meta: { title: m.activityRecord, permission: 'activity:manage', parent: 'activities' },
  },
  {
    path: 'activities/:id',
    name: 'activity-detail',
    component: () => import('./views/activity/ActivityDetailPage.vue'),
    props: true,
    meta: { title: m.activityDetail, permission: 'activity:read', parent: 'activities' },
  },
  {
    path: 'activity-calendar',
    name: 'activity-calendar',
    component: () => import('./views/plan/ActivityCalendarPage.vue'),
    meta: { title: m.calendar, group: 'activity', icon: Calendar, permission: 'activity:read' },
  },
  {
    path: 'plans',
    name: 'plans',
    component: () => import('./views/plan/PlanListPage.vue'),
    meta: { title: m.plans, group: 'activity', icon: Notebook, permission: ['plan:manage', 'activity:read'] },
  },
  {
    path: 'hours',
    name: 'hours',
    component: () => import('./views/hours/HoursReviewPage.vue'),
    meta: { title: m.hoursReview, group: 'activity', icon: Timer, permission: 'hours:review' },
  },
  {
    path: 'stars',
    name: 'stars',
    component: () => import('./views/star/StarApplicationPage.vue'),
    meta: { title: m.stars, group: 'activity', icon: Medal, permission: 'star:review' },
  },
  {
    path: 'certificates',
    name: 'certificates',
    component: () => import('./views/certificate/CertificatePage.vue'),
    meta: { title: m.certificates, group: 'activity', icon: Stamp, permission: 'certificate:issue' },
  },
  {
    path: 'submissions',
    name: 'submissions',
    component: () => import('./views/submission/SubmissionPage.vue'),
    meta: {
      title: m.submissions,
      group: 'activity',
      icon: Upload,
      permission: ['submission:submit', 'submission:review', 'ledger:export'],
    },
  },
  {
    path: 'point-rules',
    name: 'point-rules',
    component: () => import('./views/points/PointRulesPage.vue'),
    meta: { title: m.pointRules, group: 'points', icon: Finished, permission: ['pointRule:manage', 'point:read'] },
  },
  {
    path: 'point-claims',
    name: 'point-claims',
    component: () => import('./views/points/PointClaimsPage.vue'),
    meta: { title: m.pointClaims, group: 'points', icon: Star, permission: ['point:review', 'point:read'] },
  },
  {
    path: 'point-awards',
    name: 'point-awards',
    component: () => import('./views/points/PointAwardPage.vue'),
    meta: { title: m.pointAwards, group: 'points', icon: Coin, permission: 'point:award' },
  },
  {
    path: 'point-accounts',
    name: 'point-accounts',
    component: () => import('./views/points/PointAccountsPage.vue'),
    meta: { title: m.pointAccounts, group: 'points', icon: Box, permission: ['point:read', 'point:approve'] },
  },
  {
    path: 'point-accounts/:type/:id',
    name: 'point-account-detail',
    component: () => import('./views/points/PointAccountDetailPage.vue'),
    props: true,
    meta: { title: m.pointAccountDetail, permission: 'point:read', parent: 'point-accounts' },
  },
  {
    path: 'point-dividend',
    name: 'point-dividend',
    component: () => import('./views/points/DividendPage.vue'),
    meta: { title: m.pointDividend, group: 'points', icon: Money, permission: 'point:read' },
  },
  {
    path: 'shop',
    name: 'shop',
    component: () => import('./views/shop/ShopPage.vue'),
    meta: { title: m.shop, group: 'points', icon: ShoppingCart, permission: ['shop:manage', 'shop:handout'] },
  },
  {
    path: 'wishes',
    name: 'wishes',
    component: () => import('./views/wish/WishListPage.vue'),
    meta: { title: m.wishes, group: 'points', icon: MagicStick, permission: 'wish:manage' },
  },
  {
    path: 'honors',
    name: 'honors',
    component: () => import('./views/honor/HonorListPage.vue'),
    meta: { title: m.honors, group: 'points', icon: Trophy, permission: ['honor:review', 'honor:nominate'] },
  },
  {
    path: 'articles',
    name: 'articles',
    component: () => import('./views/content/ArticleListPage.vue'),
    meta: { title: m.articles, group: 'content', icon: Notebook, permission: 'article:write' },
  },
  {
    path: 'article-review',
    name: 'article-review',
    component: () => import('./views/content/ArticleListPage.vue'),
    props: { queue: true },
    meta: { title: m.articleReview, group: 'content', icon: Finished, permission: 'article:review' },
  },
  {
    path: 'publicity',
    name: 'publicity',
    component: () => import('./views/content/PublicityPage.vue'),
    meta: { title: m.publicity, group: 'content', icon: Promotion, permission: 'publicity:manage' },
  },
  {
    path: 'grids',
    name: 'grids',
    component: () => import('./views/grid/GridListPage.vue'),
    meta: { title: gridMsg.menu.grids, group: 'grid', icon: Grid, permission: 'grid:manage' },
  },
  {
    path: 'visits',
    name: 'visits',
    component: () => import('./views/grid/VisitListPage.vue'),
    meta: { title: gridMsg.menu.visits, group: 'grid', icon: Place, permission: 'grid:manage' },
  },
  {
    path: 'grid-coverage',
    name: 'grid-coverage',
    component: () => import('./views/grid/GridCoveragePage.vue'),
    meta: { title: gridMsg.menu.coverage, group: 'grid', icon: House, permission: 'grid:manage' },
  },
  {
    path: 'surveys',
    name: 'surveys',
    component: () => import('./views/survey/SurveyListPage.vue'),
    meta: { title: gridMsg.menu.surveys, group: 'grid', icon: Guide, permission: 'survey:manage' },
  },
  {
    path: 'coverage',
    name: 'coverage',
    component: () => import('./views/stats/CoveragePage.vue'),
    meta: { title: m.coverage, group: 'stats', icon: DataAnalysis, permission: 'stats:read' },
  },
  {
    path: 'stats',
    name: 'stats',
    component: () => import('./views/stats/StatsPage.vue'),
    meta: { title: m.stats, group: 'stats', icon: TrendCharts, permission: 'stats:read' },
  },
  {
    path: 'annual-report',
    name: 'annual-report',
    component: () => import('./views/stats/AnnualReportPage.vue'),
    meta: { title: m.annualReport, group: 'stats', icon: Reading, permission: 'stats:read' },
  },
  {
    path: 'display-links',
    name: 'display-links',
    component: () => import('./views/stats/DisplayLinkPage.vue'),
    meta: { title: screenMsg.menu, group: 'stats', icon: Monitor, permission: 'stats:read' },
  },
  {
    path: 'assessment',
    name: 'assessment',
    component: () => import('./views/assessment/AssessmentPage.vue'),
    meta: { title: assessmentMsg.menu, group: 'stats', icon: Histogram, permission: 'stats:read' },
  },
  {
    path: 'users',
    name: 'users',
    component: () => import('./views/user/UserListPage.vue'),
    meta: { title: m.users, group: 'system', icon: User, permission: 'user:read' },
  },
  {
    path: 'roles',
    name: 'roles',
    component: () => import('./views/role/RoleListPage.vue'),
    meta: { title: m.roles, group: 'system', icon: Key, permission: 'role:read' },
  },
  {
    path: 'settings',
    name: 'settings',
    component: () => import('./views/setting/SettingsPage.vue'),
    meta: { title: m.settings, group: 'system', icon: Setting, permission: 'setting:read' },
  },
  {
    path: 'audit',
    name: 'audit',
    component: () => import('./views/audit/AuditLogPage.vue'),
    meta: { title: m.audit, group: 'system', icon: Document, permission: 'audit:read' },
  },
  {
    path: 'password',
    name: 'change-password',
    component: () => import('./views/account/ChangePasswordPage.vue'),
    meta: { title: msg.password.title },
  },
  {
    path: '403',
    name: 'forbidden',
    component: () => import('./views/error/ForbiddenPage.vue'),
    meta: { title: m.forbidden },
  },
  {
    path: ':pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./views/error/NotFoundPage.vue'),
    meta: { title: m.notFound },
  },
];

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/login/LoginPage.vue'),
    meta: { title: msg.auth.title, public: true },
  },
  {
    path: '/staff-only',
    name: 'staff-only',
    component: () => import('./views/account/StaffOnlyPage.vue'),
    meta: { title: msg.auth.staffOnlyTitle },
  },
  {
    path: '/',
    component: () => import('./layout/AdminLayout.vue'),
    children: appRoutes,
  },
];

export const router = createRouter({
  history: createWebHistory('/admin/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

/** The first page this user may open, for after login and for pages they cannot see. */
export function homeFor(can: (code: string | string[]) => boolean): string {
  if (can('stats:read') || can('site:read')) return '/';
  const first = appRoutes.find((r) => r.meta?.group && r.meta.permission && can(r.meta.permission));
  return first ? `/${first.path}` : '/';
}

router.beforeEach(async (to) => {
  const auth = useAuthStore();
  if (to.meta.public) return true;
  const ok = await auth.ensureLoaded();
  if (!ok) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  // residents and volunteers are sent to the H5; nothing of the admin (not even its menu) is shown to them
  if (!auth.isStaff) return to.name === 'staff-only' ? true : { name: 'staff-only' };
  if (to.name === 'staff-only') return '/';
  // a password chosen by staff is changed before anything else
  if (auth.mustChangePassword && to.name !== 'change-password') return { name: 'change-password' };
  if (to.meta.permission && !auth.can(to.meta.permission)) return { name: 'forbidden' };
  return true;
});

router.afterEach((to) => {
  document.title = [to.meta.title, msg.app.name].filter(Boolean).join(' - ');
});
