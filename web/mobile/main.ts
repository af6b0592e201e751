import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { Locale } from 'vant';
import zhCN from 'vant/es/locale/lang/zh-CN';
import './styles/vant';
import './styles/app.css';
import App from './App.vue';
import { router } from './router';
import { installA11yRepairs } from './a11y';

Locale.use('zh-CN', zhCN);

createApp(App).use(createPinia()).use(router).mount('#app');
installA11yRepairs();
