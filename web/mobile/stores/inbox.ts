import { defineStore } from 'pinia';
import { ref } from 'vue';
import { notificationsApi } from '../api/orders';

/** The unread count shown on 我的 → 消息; the list page keeps it in step as messages are read. */
export const useInboxStore = defineStore('inbox', () => {
  const unread = ref(0);

  async function refreshUnread(): Promise<void> {
    try {
      unread.value = (await notificationsApi.list({ pageSize: 1 })).unread;
    } catch {
      // The badge is a hint; leave the last known count when the call fails.
    }
  }

  return { unread, refreshUnread };
});
