import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { showToast } from 'vant';
import { onPasswordChangeRequired } from '../common/api';
import { onUnauthorized } from './api/client';
import { useSessionStore } from './stores/session';
import { useCountyStore } from './stores/county';
import messages from './locales/zh-CN';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean;
    /** Open to visitors who have not signed in, and personal for those who have (the home page). */
    guest?: boolean;
    /** Shows the bottom tab bar. */
    tab?: boolean;
    /** Which "coming soon" text a placeholder tab shows. */
    feature?: 'order' | 'activity' | 'points';
  }
}

export const router = createRouter({
  history: createWebHistory('/m/'),
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  routes: [
    { path: '/login', name: 'login', component: () => import('./views/LoginPage.vue'), meta: { public: true } },
    { path: '/', name: 'home', component: () => import('./views/HomePage.vue'), meta: { tab: true, guest: true } },
    { path: '/order', name: 'order', component: () => import('./views/OrderMenuPage.vue'), meta: { tab: true } },
    {
      path: '/activity',
      name: 'activity',
      component: () => import('./views/activity/ActivityListPage.vue'),
      meta: { tab: true },
    },
    {
      path: '/points',
      name: 'points',
      component: () => import('./views/points/MyPointsPage.vue'),
      meta: { tab: true },
    },
    { path: '/password', name: 'change-password', component: () => import('./views/ChangePasswordPage.vue') },
    { path: '/mine', name: 'mine', component: () => import('./views/MinePage.vue'), meta: { tab: true } },
    {
      path: '/volunteer/register',
      name: 'volunteer-register',
      component: () => import('./views/VolunteerRegisterPage.vue'),
    },
    { path: '/volunteer', name: 'volunteer', component: () => import('./views/VolunteerProfilePage.vue') },
    { path: '/teams', name: 'teams', component: () => import('./views/MyTeamsPage.vue') },
    {
      path: '/register',
      name: 'register',
      component: () => import('./views/RegisterPage.vue'),
      meta: { public: true },
    },
    {
      path: '/order/item/:itemId',
      name: 'order-form',
      component: () => import('./views/OrderFormPage.vue'),
      props: true,
    },
    { path: '/orders/mine', name: 'my-orders', component: () => import('./views/MyOrdersPage.vue') },
    { path: '/orders/:id', name: 'order-detail', component: () => import('./views/OrderDetailPage.vue'), props: true },
    { path: '/tasks', name: 'tasks', component: () => import('./views/TasksPage.vue') },
    { path: '/messages', name: 'messages', component: () => import('./views/InboxPage.vue') },
    { path: '/activities/mine', name: 'my-signups', component: () => import('./views/activity/MySignupsPage.vue') },
    {
      path: '/activities/:id',
      name: 'activity-detail',
      component: () => import('./views/activity/ActivityDetailPage.vue'),
      props: true,
    },
    {
      path: '/activities/:id/checkin',
      name: 'activity-checkin',
      component: () => import('./views/activity/CheckinPage.vue'),
      props: true,
    },
    { path: '/hours', name: 'my-hours', component: () => import('./views/activity/MyHoursPage.vue') },
    {
      path: '/hours/requests',
      name: 'hour-requests',
      component: () => import('./views/activity/HourRequestsPage.vue'),
    },
    { path: '/stars', name: 'my-stars', component: () => import('./views/activity/MyStarsPage.vue') },
    {
      path: '/certificates',
      name: 'my-certificates',
      component: () => import('./views/activity/MyCertificatesPage.vue'),
    },
    {
      path: '/verify/:code',
      name: 'verify',
      component: () => import('./views/activity/VerifyPage.vue'),
      props: true,
      meta: { public: true },
    },
    { path: '/points/claim', name: 'point-claim', component: () => import('./views/points/PointClaimPage.vue') },
    {
      path: '/points/notices',
      name: 'point-notices',
      component: () => import('./views/points/PointNoticesPage.vue'),
      meta: { public: true },
    },
    { path: '/shop', name: 'shop', component: () => import('./views/shop/ShopPage.vue') },
    { path: '/shop/mine', name: 'my-redemptions', component: () => import('./views/shop/MyRedemptionsPage.vue') },
    {
      path: '/wishes',
      name: 'wishes',
      component: () => import('./views/wish/WishWallPage.vue'),
      meta: { public: true },
    },
    { path: '/wishes/new', name: 'wish-new', component: () => import('./views/wish/WishNewPage.vue') },
    { path: '/wishes/mine', name: 'my-wishes', component: () => import('./views/wish/MyWishesPage.vue') },
    {
      path: '/honors',
      name: 'honors',
      component: () => import('./views/honor/HonorBoardPage.vue'),
      meta: { public: true },
    },
    {
      path: '/honors/notices',
      name: 'honor-notices',
      component: () => import('./views/honor/HonorNoticesPage.vue'),
      meta: { public: true },
    },
    {
      path: '/honors/nominate',
      name: 'honor-nominate',
      component: () => import('./views/honor/HonorNominatePage.vue'),
    },
    {
      path: '/articles',
      name: 'articles',
      component: () => import('./views/article/ArticleListPage.vue'),
      meta: { public: true },
    },
    {
      path: '/articles/:id',
      name: 'article',
      component: () => import('./views/article/ArticlePage.vue'),
      meta: { public: true },
    },
    { path: '/surveys', name: 'surveys', component: () => import('./views/grid/SurveyListPage.vue') },
    {
      path: '/surveys/:id',
      name: 'survey-answer',
      component: () => import('./views/grid/SurveyAnswerPage.vue'),
      props: true,
    },
    { path: '/grid', name: 'grid-households', component: () => import('./views/grid/GridHouseholdsPage.vue') },
    {
      path: '/grid/visit/:householdId',
      name: 'visit-new',
      component: () => import('./views/grid/VisitNewPage.vue'),
      props: true,
    },
    { path: '/sites/nearby', name: 'sites-nearby', component: () => import('./views/NearbySitesPage.vue') },
    { path: '/sites/:id', name: 'site-detail', component: () => import('./views/SiteDetailPage.vue'), props: true },
    {
      path: '/:pathMatch(.*)*',
      name: 'not-found',
      component: () => import('./views/NotFoundPage.vue'),
      meta: { public: true },
    },
  ],
});

/** Only same-app paths are followed after login, never another site. */
export function safeRedirect(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

function loginFor(to: RouteLocationNormalized) {
  return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
}

router.beforeEach(async (to) => {
  const session = useSessionStore();
  // a shared link may name the county its public pages show (?county=411523)
  if (typeof to.query.county === 'string' && /^\d{6}$/.test(to.query.county)) useCountyStore().follow(to.query.county);
  if (to.meta.public) {
    if (to.name === 'login' && session.loggedIn) return safeRedirect(to.query.redirect);
    if (to.name === 'register' && session.loggedIn) return '/';
    return true;
  }
  try {
    const me = await session.ensure();
    if (!me) return to.meta.guest ? true : loginFor(to);
    // a password chosen by staff is changed before anything else
    if (me.mustChangePassword && to.name !== 'change-password') return { name: 'change-password' };
    return true;
  } catch {
    // Server unreachable: show the page; it explains the network error and offers a retry.
    return true;
  }
});

onPasswordChangeRequired(() => {
  const session = useSessionStore();
  if (session.me) session.me = { ...session.me, mustChangePassword: true };
  if (router.currentRoute.value.name !== 'change-password') void router.replace({ name: 'change-password' });
});

onUnauthorized(() => {
  const session = useSessionStore();
  const current = router.currentRoute.value;
  session.clear();
  // a public page, or the home page (which a visitor without a session sees too), stays where it is
  if (current.meta.public || current.meta.guest) return;
  showToast(messages.app.sessionExpired);
  void router.replace(loginFor(current));
});
