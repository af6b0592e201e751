import { createApp } from 'vue';
import { createPinia } from 'pinia';
import ElementPlus, { ElMessage } from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import 'element-plus/dist/index.css';
import './styles.css';
import { PASSWORD_CHANGE_REQUIRED, isApiError, onPasswordChangeRequired, onUnauthorized } from '../common/api';
import App from './App.vue';
import { installAccess } from './access';
import { msg } from './locales/zh-CN';
import { router } from './router';
import { useAuthStore } from './stores/auth';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(router);
app.use(ElementPlus, { locale: zhCn });
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
