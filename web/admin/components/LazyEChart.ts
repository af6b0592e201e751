import { defineAsyncComponent } from 'vue';

/**
 * EChart, fetched when a chart is first drawn: the chart library (echarts/core with the bar and line charts, about
 * 140 KB gzip) then loads after the page that shows it is up, not with the admin's first load (issue #13).
 */
export default defineAsyncComponent(() => import('./EChart.vue'));
