/** 大屏 (/screen/): one page, no router; the region drilled into lives in the address (?regionCode=). */
import { createApp } from 'vue';
import './styles.css';
import App from './App.vue';

createApp(App).mount('#app');
