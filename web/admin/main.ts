import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { ElMessage } from 'element-plus';
import 'element-plus/dist/index.css';
import './styles.css';
import { PASSWORD_CHANGE_REQUIRED, isApiError, onPasswordChangeRequired, onUnauthorized } from '../common/api';
import App from './App.vue';
import { installAccess } from './access';
import { installControlNames } from './a11y';
import { msg } from './locales/zh-CN';
import { router } from './router';
import { useAuthStore } from './stores/auth';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(router);
// Element Plus components are imported where they are used (scripts/vite-element-plus.ts); the locale comes from
// <el-config-provider> in App.vue
installAccess(app);

// A 401 anywhere means the session is gone: forget the user and go to the login page once.
onUnauthorized(() => {
  const auth = useAuthStore(pinia);
  const wasLoggedIn = auth.isLoggedIn;
  auth.clear();
  const current = router.currentRoute.value;
  if (current.name !== 'login') {
    if (wasLoggedIn) ElMessage.warning(msg.errors.sessionExpired);
    void router.replace({ name: 'login', query: { redirect: current.fullPath } });
  }
});

// A password set by staff: the change-password page, and nothing else, until it is changed.
onPasswordChangeRequired(() => {
  useAuthStore(pinia).requirePasswordChange();
  if (router.currentRoute.value.name !== 'change-password') void router.replace({ name: 'change-password' });
});

// Errors nobody handled are shown once, centrally; pages only catch what they show beside a field.
function showError(e: unknown): boolean {
  if (isApiError(e)) {
    if (e.status !== 401 && e.code !== PASSWORD_CHANGE_REQUIRED) ElMessage.error(e.message);
    return true;
  }
  return false;
}
app.config.errorHandler = (e) => {
  if (!showError(e)) console.error(e);
};
window.addEventListener('unhandledrejection', (ev) => {
  if (showError(ev.reason)) ev.preventDefault();
});

app.mount('#app');
installControlNames();
